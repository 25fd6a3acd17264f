// Shapes of Codex 0.171 logs made with the real CLI against the fake model (paths scrubbed to /home/user) that a
// read answered wrongly: each fixture in test/fixtures/shapes/ is named after what it shows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { shapeHome, shapeIdOf } from "../support/shape-home.js";

const NAMED: Array<[string, number]> = [
  ["review-failed-auth", 21],
  ["remote-compaction-usage-only-in-records", 1403],
];
let home: string;
let mcp: Connected;
// one session a home: the report's failures are the session's own
let interrupted: Connected;

beforeAll(async () => {
  home = await shapeHome("ccm-shapes-s14-hunt-", NAMED, "2026-12-05T12-00");
  mcp = await connect(testConfig({ codexHome: home }));
  const interruptedHome = await shapeHome(
    "ccm-shapes-s14-hunt-",
    [["parallel-calls-interrupted-during-one", 1402]],
    "2026-12-06T06-17",
  );
  interrupted = await connect(testConfig({ codexHome: interruptedHome }));
});
afterAll(async () => {
  await mcp.close();
  await interrupted.close();
});

async function listed(id: string): Promise<Record<string, unknown> | undefined> {
  const result = (await mcp.call("list_sessions", { limit: 50 })).structuredContent as {
    sessions: Array<Record<string, unknown>>;
  };
  return result.sessions.find((session) => session.session_id === id);
}

describe("list_sessions names the model of a session that never wrote a turn_context", () => {
  it("a `codex exec review` parent (0.171: only thread_settings_applied names its model)", async () => {
    // jq truth: the file's one thread_settings_applied says mock-model; session_summary says so too
    expect(await listed(shapeIdOf(21))).toMatchObject({ model: "mock-model", cwd: "/home/user/proj" });
  });
});

describe("the report names what ended a session, not a command that failed on the way", () => {
  it("a turn interrupted (SIGINT) while one of three parallel calls ran, another having exited 2", async () => {
    // jq truth: turn_aborted reason "interrupted" ends the only turn; `exit 2` failed before, `sleep 20` was killed
    const report = (await interrupted.call("sessions_report", {})).structuredContent as {
      total: { categories: Record<string, number> };
      recurring_failures: Array<Record<string, unknown>>;
    };
    expect(report.total.categories).toEqual({ aborted: 1 });
    expect(report.recurring_failures).toEqual([
      {
        category: "aborted",
        message: "turn <n> was aborted (interrupted)",
        count: 1,
        first_seen: "2026-12-06T06:17:29.839Z",
        last_seen: "2026-12-06T06:17:29.839Z",
        session_ids: ["01a24a00-0fad-70f1-9065-b78c8e73af80"],
      },
    ]);
  });
});

describe("remote compaction (0.171, the openai provider) is billed, and only the records count it", () => {
  it("token_usage and session_summary count the in-band compaction request the token_count events leave out", async () => {
    // jq truth: token_usage_record usage 1,260 (the call) + 1,370 (the `compaction_trigger` request) + 420 (the
    // answer) = turn_token_usage 3,050; token_count's total_token_usage stops at 1,680 (ccusage 20.0.24 says 1,680)
    const id = shapeIdOf(1403);
    const own = { input: 2900, cached_input: 500, output: 150, reasoning_output: 30, total: 3050 };
    const usage = (await mcp.call("token_usage", { session_id: id })).structuredContent as Record<string, unknown>;
    expect(usage).toMatchObject({ total: own, per_turn: [{ turn: 1, ...own }] });
    const summary = (await mcp.call("session_summary", { session_id: id })).structuredContent as Record<
      string,
      unknown
    >;
    expect(summary).toMatchObject({
      status: "completed",
      tokens: own,
      turns: [{ index: 1, status: "completed", compactions: 1, last_agent_message: "answer after compaction" }],
    });
  });
});
