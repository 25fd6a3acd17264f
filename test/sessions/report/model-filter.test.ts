// The `model` filter agrees with the rows by model: a session is found by any model a turn of it ran (not
// only its last), and only that model's usage of it is counted — its turns, tokens, wall time and cost —
// with its end (category, failure) only when its last turn in range ran that model. So `model: X` gives,
// under any grouping, what the row X of `group_by: model` holds, and its rows add up to that row.
// Before: a session that ran gpt-5.1-codex-mini then gpt-5.1-codex was not found by the mini, and found by
// the codex with all of its usage, the mini's too.
import { appendFile, utimes } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { sessionsReport } from "../../../src/sessions/index.js";
import { linesOf, makeHome, pathOf, writeSession, type SessionSpec, reportOf } from "../../support/report-homes.js";

const MINI = "gpt-5.1-codex-mini";
const CODEX = "gpt-5.1-codex";
const ERROR = "unexpected status 401 Unauthorized: Missing bearer or basic authentication in header";
type Report = Awaited<ReturnType<typeof sessionsReport>>;

// one day: a turn of the mini, then one of codex (`/model`)
const switched: SessionSpec = {
  id: "0199bbbb-0000-7000-8000-000000000001",
  start: "2026-11-16T09:00:00Z",
  turns: [
    { prompt: "a", model: MINI, total: { input: 1000, cached: 0, output: 100, reasoning: 0 }, seconds: 10 },
    { prompt: "b", model: CODEX, total: { input: 3000, cached: 0, output: 300, reasoning: 0 }, seconds: 20 },
  ],
};
// the mini alone
const mini: SessionSpec = {
  id: "0199bbbb-0000-7000-8000-000000000002",
  start: "2026-11-16T10:00:00Z",
  model: MINI,
  turns: [{ prompt: "c", total: { input: 500, cached: 0, output: 50, reasoning: 0 }, seconds: 5 }],
};
// codex on 2026-11-16, resumed on 2026-11-18 with the mini, which failed
const resumedFirst: SessionSpec = {
  id: "0199bbbb-0000-7000-8000-000000000003",
  start: "2026-11-16T11:00:00Z",
  model: CODEX,
  turns: [{ prompt: "d", total: { input: 2000, cached: 0, output: 200, reasoning: 0 }, seconds: 30 }],
};
const resumedLater: SessionSpec = {
  ...resumedFirst,
  start: "2026-11-18T08:00:00Z",
  model: MINI,
  turns: [{ prompt: "e", total: { input: 2600, cached: 0, output: 260, reasoning: 0 }, error: ERROR, seconds: 40 }],
};

async function home(): Promise<string> {
  const dir = await makeHome();
  await writeSession(dir, switched);
  await writeSession(dir, mini);
  await writeSession(dir, resumedFirst);
  const path = pathOf(dir, resumedFirst);
  const more = linesOf(resumedLater).filter((line) => (line as { type: string }).type !== "session_meta");
  await appendFile(path, more.map((line) => `${JSON.stringify(line)}\n`).join(""));
  const end = (Date.parse(resumedLater.start) + 60_000) / 1000;
  await utimes(path, end, end);
  return dir;
}

const report = (dir: string, groupBy: "day" | "model" | "category", model?: string) =>
  reportOf(dir, { groupBy, ...(model !== undefined && { model }) });
const rows = (result: Report) =>
  [...result.rows, result.total].map((row) => [
    row.key,
    row.sessions,
    row.turns,
    row.categories,
    row.tokens.input,
    row.tokens.output,
    row.wall_ms,
    row.cost.estimate_usd,
  ]);
const failures = (result: Report) => result.recurring_failures.map((failure) => [failure.category, failure.count]);

describe("the model filter", () => {
  it("finds a session by any model it ran, and counts that model's usage of it: the row of group_by model", async () => {
    const dir = await home();
    const byModel = await report(dir, "model");
    // the mini: 1000 + 500 + 600 input (the resumed one's day 2: 2600 − 2000), 100 + 50 + 60 output;
    // turns of 10, 5 and 40 s; the ends of the mini alone and of the resumed one (its 401: its last turn ran
    // the mini). Codex: the switched one's second turn (2000 / 200, 20 s, and its end: its last turn) and the
    // resumed one's first day (2000 / 200, 30 s). Per million: the mini input 0.25, output 2; codex 1.25, 10.
    expect(rows(byModel)).toEqual([
      [MINI, 3, 3, { auth_error: 1, completed: 1 }, 2100, 210, 55_000, 0.0009],
      [CODEX, 2, 2, { completed: 1 }, 4000, 400, 50_000, 0.009],
      ["total", 3, 5, { auth_error: 1, completed: 2 }, 6100, 610, 105_000, 0.0099],
    ]);
    const miniOnly = await report(dir, "model", MINI);
    expect(rows(miniOnly)).toEqual([
      [MINI, 3, 3, { auth_error: 1, completed: 1 }, 2100, 210, 55_000, 0.0009],
      ["total", 3, 3, { auth_error: 1, completed: 1 }, 2100, 210, 55_000, 0.0009],
    ]);
    expect(failures(miniOnly)).toEqual([["auth_error", 1]]);
    // by day, the same usage, each turn on its day; the rows add up to the mini's row
    expect(rows(await report(dir, "day", MINI))).toEqual([
      ["2026-11-18", 1, 1, { auth_error: 1 }, 600, 60, 40_000, 0.0003],
      ["2026-11-16", 2, 2, { completed: 1 }, 1500, 150, 15_000, 0.0007],
      ["total", 3, 3, { auth_error: 1, completed: 1 }, 2100, 210, 55_000, 0.0009],
    ]);
    // codex: the resumed session is found by its first day, but its failure was the mini's turn: it is in
    // the row of its end (a session is keyed by its end) with its codex usage, its end not counted there
    const codexOnly = await report(dir, "category", CODEX);
    expect(rows(codexOnly)).toEqual([
      ["auth_error", 1, 1, {}, 2000, 200, 30_000, 0.0045],
      ["completed", 1, 1, { completed: 1 }, 2000, 200, 20_000, 0.0045],
      ["total", 2, 2, { completed: 1 }, 4000, 400, 50_000, 0.009],
    ]);
    expect(failures(codexOnly)).toEqual([]);
  });
});
