// A session resumed days after it started (`codex exec resume` appends to the same log, as the real CLI 0.171
// does): its wall time is what its turns took, not the days in between, and each day has its own turns.
import { appendFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { linesOf, makeHome, writeSession, type SessionSpec } from "../../support/report-homes.js";

const first: SessionSpec = {
  id: "0199abab-0000-7000-8000-000000000061",
  start: "2026-11-10T08:00:00.000Z",
  turns: [{ prompt: "start", seconds: 30, total: { input: 1000, cached: 0, output: 100, reasoning: 0 } }],
};
// the resume, nine days later: its turn is written into the first log
const resumed: SessionSpec = {
  ...first,
  start: "2026-11-19T08:00:00.000Z",
  turns: [{ prompt: "again", seconds: 20, total: { input: 2500, cached: 0, output: 200, reasoning: 0 } }],
};

describe("a resumed session", () => {
  it("took the time of its turns (before: 9 days and 25 s, first event to last)", async () => {
    const home = await makeHome();
    const path = await writeSession(home, first);
    // its turn lines, without a second session_meta
    const more = linesOf(resumed).filter((line) => (line as { type: string }).type !== "session_meta");
    await appendFile(path, more.map((line) => `${JSON.stringify(line)}\n`).join(""));
    const report = await sessionsReport(
      new SessionStore(home),
      { includeArchived: false, groupBy: "day" },
      { prices: await loadPrices() },
    );
    expect(report.rows.map((row) => [row.key, row.sessions, row.turns, row.tokens.total, row.wall_ms])).toEqual([
      ["2026-11-19", 1, 1, 1600, 20_000],
      ["2026-11-10", 1, 1, 1100, 30_000],
    ]);
  });
});
