// Shapes of Codex 0.171 logs made with the real CLI against the fake model (paths scrubbed to /home/user) that a
// read answered wrongly: each fixture in test/fixtures/shapes/ is named after what it shows.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { SHAPES, shapeHome, shapeIdOf } from "../support/shape-home.js";

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

describe("a long remote compaction request is priced at the long-context tier", () => {
  type Usage = { input_tokens: number; total_tokens: number };
  /** The shape's session with its compaction request's prompt `more` input tokens longer, in a home of its own. */
  async function reportWith(more: number, alsoInCounters: boolean): Promise<unknown> {
    const home = await shapeHome("ccm-shapes-s14-hunt-", [], "2026-12-06T06-37");
    const lines = (await readFile(join(SHAPES, "remote-compaction-usage-only-in-records.jsonl"), "utf8"))
      .trimEnd()
      .split("\n")
      .flatMap((text) => {
        const line = JSON.parse(text) as {
          type: string;
          timestamp: string;
          payload: { response_id?: string; usage: Usage; turn_token_usage: Usage; thread_token_usage: Usage };
        };
        if (line.type !== "token_usage_record" || line.payload.response_id === "resp_1") return [line];
        for (const usage of [line.payload.turn_token_usage, line.payload.thread_token_usage])
          Object.assign(usage, { input_tokens: usage.input_tokens + more, total_tokens: usage.total_tokens + more });
        if (line.payload.response_id !== "resp_c9") return [line];
        const { usage } = line.payload;
        Object.assign(usage, { input_tokens: usage.input_tokens + more, total_tokens: usage.total_tokens + more });
        // control: the same request also in a token_count, as every other request is
        const counter = {
          timestamp: line.timestamp,
          type: "event_msg",
          payload: {
            type: "token_count",
            info: { total_token_usage: line.payload.thread_token_usage, last_token_usage: usage },
          },
        };
        return alsoInCounters ? [line, counter] : [line];
      });
    await writeFile(
      join(home, "sessions", "2026", "12", "06", `rollout-2026-12-06T06-37-27-${shapeIdOf(1404)}.jsonl`),
      lines.map((line) => JSON.stringify(line)).join("\n") + "\n",
    );
    const client = await connect(testConfig({ codexHome: home }));
    try {
      const report = (await client.call("sessions_report", {})).structuredContent as { total: Record<string, unknown> };
      return [report.total.tokens, report.total.cost];
    } finally {
      await client.close();
    }
  }

  it("a request with a prompt over 272K tokens that only its token_usage_record counts", async () => {
    // 298,700 more: the compaction request's prompt is 300,000 tokens (200 cached), the session's 301,600
    const tokens = { input: 301600, cached_input: 500, output: 150, reasoning_output: 30, total: 301750 };
    const cost = { priced_sessions: 1, unpriced_sessions: 0, unpriced_models: [] };
    expect(await reportWith(298_700, false)).toEqual([tokens, { estimate_usd: 3.0104, ...cost }]);
    // control: the same request, also counted by a token_count, is priced so (not twice)
    expect(await reportWith(298_700, true)).toEqual([tokens, { estimate_usd: 3.0104, ...cost }]);
  });
});
