// sessions_report through a real MCP client, on hand-written sessions whose totals are known: a fork family
// (the parent's history replayed into the child is counted once), a family of runs failing with the same
// 401, a model without a price.
import { appendFile, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import type { SessionsReport } from "../../../src/sessions/report/view.js";
import { connect, textOf, type Connected } from "../../support/mcp.js";
import { linesOf, makeHome, writeSession, type SessionSpec } from "../../support/report-homes.js";

const parent: SessionSpec = {
  id: "0199aaaa-0000-7000-8000-000000000001",
  start: "2026-11-16T09:00:00.000Z",
  turns: [{ prompt: "parent", total: { input: 2900, cached: 900, output: 100, reasoning: 40 } }],
};
const child: SessionSpec = {
  id: "0199aaaa-0000-7000-8000-000000000002",
  start: "2026-11-16T10:00:00.000Z",
  forkOf: { parent },
  // the counter continues from the parent's 3000
  turns: [{ prompt: "child", total: { input: 3300, cached: 1000, output: 160, reasoning: 60 } }],
};
const unauthorized = (key: string, request: string) =>
  `unexpected status 401 Unauthorized: Incorrect API key provided: sk-proj-****${key}. You can find your API key at https://platform.openai.com/account/api-keys. (request id: ${request})`;
const failing: SessionSpec[] = [
  ["0199bbbb-0000-7000-8000-000000000011", "2026-11-17T08:00:00.000Z", "abcd", "req_9f8e7d6c5b4a"],
  ["0199bbbb-0000-7000-8000-000000000012", "2026-11-18T08:00:00.000Z", "wxyz", "req_00112233aabb"],
  ["0199bbbb-0000-7000-8000-000000000013", "2026-11-19T08:00:00.000Z", "k9k9", "req_ffeeddccbbaa"],
].map(([id, start, key, request]) => ({
  id: id as string,
  start: start as string,
  cwd: "/srv/ci",
  turns: [{ prompt: "fix the build", error: unauthorized(key as string, request as string) }],
}));
const unpriced: SessionSpec = {
  id: "0199cccc-0000-7000-8000-000000000021",
  start: "2026-11-20T08:00:00.000Z",
  model: "mystery-model-9",
  cwd: "/srv/other",
  turns: [{ prompt: "hello", total: { input: 1000, cached: 0, output: 100, reasoning: 0 }, calls: [["ls", 0]] }],
};

const SIGNATURE =
  "unexpected status 401 Unauthorized: Incorrect API key provided: <key>. You can find your API key at <url>. (request id: <id>)";

let home: string;
let mcp: Connected;

beforeAll(async () => {
  home = await makeHome();
  for (const spec of [parent, child, ...failing, unpriced]) await writeSession(home, spec);
  mcp = await connect({ codexHome: home });
});
afterAll(async () => mcp.close());

async function report(args: Record<string, unknown>): Promise<SessionsReport> {
  const result = await mcp.call("sessions_report", args);
  if (result.isError) throw new Error(textOf(result));
  return result.structuredContent as unknown as SessionsReport;
}

describe("sessions_report rows", () => {
  it("adds up each day, the fork's inherited history counted once, in its parent", async () => {
    const { rows, total, recurring_failures } = await report({ group_by: "day" });
    expect(rows.map((row) => [row.key, row.sessions, row.turns, row.tokens.total])).toEqual([
      ["2026-11-20", 1, 1, 1100],
      ["2026-11-19", 1, 1, 0],
      ["2026-11-18", 1, 1, 0],
      ["2026-11-17", 1, 1, 0],
      // 3000 (parent) + 460 (the child's own): ccusage's 3000 + 3460 would count the parent's history twice
      ["2026-11-16", 2, 2, 3460],
    ]);
    const family = rows.find((row) => row.key === "2026-11-16");
    expect(family).toEqual({
      key: "2026-11-16",
      sessions: 2,
      turns: 2,
      categories: { completed: 2 },
      tokens: { input: 3300, cached_input: 1000, output: 160, reasoning_output: 60, total: 3460 },
      sessions_without_counters: 0,
      // gpt-5.1-codex: $1.25 input, $0.125 cached input, $10 output per million
      // parent (2000 × 1.25 + 900 × 0.125 + 100 × 10) + child (300 × 1.25 + 100 × 0.125 + 60 × 10) = 4600 µ$
      cost: { estimate_usd: 0.0046, priced_sessions: 2, unpriced_sessions: 0, unpriced_models: [] },
      // two turns of 10 s (task_started to task_complete; the 5 s before each is no turn's)
      wall_ms: 20_000,
    });
    expect(total).toEqual({
      key: "total",
      sessions: 6,
      turns: 6,
      categories: { auth_error: 3, completed: 3 },
      tokens: { input: 4300, cached_input: 1000, output: 260, reasoning_output: 60, total: 4560 },
      sessions_without_counters: 3,
      cost: { estimate_usd: 0.0046, priced_sessions: 2, unpriced_sessions: 4, unpriced_models: ["mystery-model-9"] },
      wall_ms: 60_000,
    });
    expect(recurring_failures).toEqual([
      {
        category: "auth_error",
        message: SIGNATURE,
        count: 3,
        // the failures' times: each session's last event, 15 s after its start
        first_seen: "2026-11-17T08:00:15.000Z",
        last_seen: "2026-11-19T08:00:15.000Z",
        session_ids: [
          "0199bbbb-0000-7000-8000-000000000013",
          "0199bbbb-0000-7000-8000-000000000012",
          "0199bbbb-0000-7000-8000-000000000011",
        ],
      },
    ]);
  });

  it("groups by week (from Monday), model, cwd and category", async () => {
    expect((await report({ group_by: "week" })).rows.map((row) => [row.key, row.sessions])).toEqual([
      ["2026-11-16", 6],
    ]);
    expect((await report({ group_by: "month" })).rows.map((row) => [row.key, row.sessions])).toEqual([["2026-11", 6]]);
    expect(
      (await report({ group_by: "model" })).rows.map((row) => [row.key, row.sessions, row.cost.estimate_usd]),
    ).toEqual([
      ["gpt-5.1-codex", 5, 0.0046],
      ["mystery-model-9", 1, null],
    ]);
    expect((await report({ group_by: "cwd" })).rows.map((row) => [row.key, row.sessions])).toEqual([
      ["/srv/ci", 3],
      ["/srv/proj", 2],
      ["/srv/other", 1],
    ]);
    expect((await report({ group_by: "category" })).rows.map((row) => [row.key, row.sessions, row.categories])).toEqual(
      [
        ["auth_error", 3, { auth_error: 3 }],
        ["completed", 3, { completed: 3 }],
      ],
    );
  });

  it("filters by start time, cwd and model", async () => {
    const keys = async (args: Record<string, unknown>) =>
      (await report({ group_by: "day", ...args })).rows.map((row) => row.key);
    expect(await keys({ since: "2026-11-18" })).toEqual(["2026-11-20", "2026-11-19", "2026-11-18"]);
    // a date as `until` includes that day
    expect(await keys({ until: "2026-11-17" })).toEqual(["2026-11-17", "2026-11-16"]);
    expect(await keys({ since: "2026-11-17T09:00:00Z", until: "2026-11-19T08:00:00Z" })).toEqual(["2026-11-18"]);
    expect(await keys({ cwd: "/srv/ci/" })).toEqual(["2026-11-19", "2026-11-18", "2026-11-17"]);
    expect(await keys({ model: "mystery-model-9" })).toEqual(["2026-11-20"]);
    // spans back from now (the sessions are of November 2026, at 08:00): whole hours, so the span starts within
    // the hour before 2026-11-18 whatever the time of day (in days it took in 2026-11-17 08:00 after midnight UTC)
    const now = Date.now();
    expect(
      (await report({ since: `${Math.ceil((now - Date.parse("2026-11-18T00:00:00Z")) / 3_600_000)}h` })).total.sessions,
    ).toBe(3);
    expect((await report({ since: "1h" })).total.sessions).toBe(0);
  });

  it("says it is an estimate, and quotes failures as data, in the text mirror", async () => {
    const text = textOf(await mcp.call("sessions_report", { group_by: "day" }));
    expect(text).toContain("6 sessions, by day: 6 turns, 4,560 tokens, estimated cost ~$0.00 (+4 unpriced).");
    expect(text).toContain(`- 3× auth_error: “${SIGNATURE}”`);
    expect(text).toContain(
      "Cost is an estimate from list prices (@pydantic/genai-prices 0.1.8); unpriced models: mystery-model-9; 3 sessions logged no token counters.",
    );
    // an empty range costs nothing; a session of a model without a price is unpriced
    const none = textOf(await mcp.call("sessions_report", { group_by: "day", since: "2026-12-01" }));
    expect(none.split("\n")[0]).toBe("0 sessions (since 2026-12-01), by day: 0 turns, 0 tokens, estimated cost $0.");
    const mystery = textOf(await mcp.call("sessions_report", { group_by: "day", model: "mystery-model-9" }));
    expect(mystery.split("\n")[0]).toBe(
      "1 session (model mystery-model-9), by day: 1 turn, 1,100 tokens, estimated cost unpriced.",
    );
  });
});

describe("bad filters", () => {
  const refused = async (args: Record<string, unknown>) => {
    const result = await mcp.call("sessions_report", args);
    expect(result.isError).toBe(true);
    return textOf(result);
  };
  it("are refused with the fix named", async () => {
    expect(await refused({ since: "yesterday" })).toBe(
      'since "yesterday" is not a date: use ISO 8601 (2026-11-23 or 2026-11-23T10:00:00Z) or a span back from now (7d, 24h).',
    );
    // a day that does not exist, which Date.parse would roll over into the next month
    expect(await refused({ until: "2026-04-31" })).toBe(
      'until "2026-04-31" is not a date: use ISO 8601 (2026-11-23 or 2026-11-23T10:00:00Z) or a span back from now (7d, 24h).',
    );
    expect(await refused({ since: "2026-02-30T08:00:00Z" })).toContain('since "2026-02-30T08:00:00Z" is not a date');
    expect((await mcp.call("sessions_report", { since: "2024-02-29", until: "2026-04-30" })).isError).toBeFalsy();
    expect(await refused({ since: "2026-11-19", until: "2026-11-18" })).toBe(
      'until "2026-11-18" is not after since "2026-11-19": swap them, or widen the range.',
    );
    expect(await refused({ cwd: "work/ci" })).toBe(
      'cwd "work/ci" is not an absolute directory: pass the full path, e.g. /home/me/project (sessions in it or below it are reported).',
    );
    expect(await refused({ model: " " })).toContain('model " " is not a model name');
    expect(await refused({ group_by: "year" })).toMatch(
      /expected one of "day"\|"week"\|"month"\|"model"\|"cwd"\|"category" at group_by/,
    );
  });
});

describe("the per-session digests in the state dir", () => {
  it("are computed once per version of a file, checked by the saved-fold stamp, and survive the process", async () => {
    const stateDir = mcp.config.runner.stateDir;
    const prices = await loadPrices();
    const request = { includeArchived: false, groupBy: "day" as const };
    const first = await sessionsReport(new SessionStore(home), request, { prices, stateDir });
    // the MCP calls above saved them: a new store (a new process) reads none of the logs
    expect([first.scanned_files, first.recomputed_files]).toEqual([6, 0]);
    const store = new SessionStore(home);
    const path = await writeSession(home, unpriced);
    await appendFile(
      path,
      `${JSON.stringify(linesOf({ ...unpriced, turns: [{ prompt: "more", total: { input: 3000, cached: 0, output: 300, reasoning: 0 } }] }).at(-1))}\n`,
    );
    const appended = await sessionsReport(store, request, { prices, stateDir });
    expect(appended.recomputed_files).toBe(1);
    expect((await sessionsReport(store, request, { prices, stateDir })).recomputed_files).toBe(0);
    // a new server (its reads asynchronous) finds them too
    const server = await sessionsReport(new SessionStore(home), request, { prices, stateDir, watch: true });
    expect([server.scanned_files, server.recomputed_files]).toEqual([6, 0]);
    // same size, same mtime, other bytes: the stamp's last-4-KB hash tells (a size+mtime check would not)
    const { size, mtime } = await stat(path);
    await writeFile(path, (await readFile(path, "utf8")).replace("hello", "HELLO"));
    await utimes(path, mtime, mtime);
    expect((await stat(path)).size).toBe(size);
    expect((await sessionsReport(new SessionStore(home), request, { prices, stateDir })).recomputed_files).toBe(1);
    await writeSession(home, unpriced);
  });
});
