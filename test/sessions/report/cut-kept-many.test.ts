// A server keeps the facts of at most 1,000 sessions a report's bound falls inside (cut-sessions.ts
// KeptFacts). A report that cuts more than that used to drop each session's facts, least recently used
// first, before the next report asked for them again: every report of a host polling `since` made all of
// them anew (1,003 here, each log read twice). Now the facts a report uses are not dropped for one another:
// the 1,000 kept stay, and only the 3 beyond them are made again.
import { appendFile, utimes } from "node:fs/promises";
import { describe, expect, it, vi } from "vitest";
import { SessionStore } from "../../../src/sessions/index.js";
import { linesOf, makeHome, reportOf, writeSession, type SessionSpec } from "../../support/report-homes.js";

const reads = vi.hoisted(() => ({ paths: [] as string[] }));
vi.mock("../../../src/sessions/rollout-reader.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../src/sessions/rollout-reader.js")>();
  return {
    ...original,
    readForward: (path: string, ...rest: unknown[]) => {
      reads.paths.push(path);
      return (original.readForward as (...args: unknown[]) => unknown)(path, ...rest);
    },
  };
});

const SESSIONS = 1_003;
const tokens = { input: 1000, cached: 0, output: 100, reasoning: 0 };

/** A session begun at 09:00 and resumed at 15:00: a `since` between falls inside it. */
async function resumedSession(home: string, n: number): Promise<void> {
  const spec: SessionSpec = {
    id: `0199acac-0000-7000-8000-${String(n).padStart(12, "0")}`,
    start: "2026-11-13T09:00:00.000Z",
    turns: [{ prompt: "start", total: tokens }],
  };
  const path = await writeSession(home, spec);
  const again = {
    ...spec,
    start: "2026-11-13T15:00:00.000Z",
    turns: [{ prompt: "again", total: { ...tokens, input: 2500 } }],
  };
  const more = linesOf(again).filter((line) => (line as { type: string }).type !== "session_meta");
  await appendFile(path, more.map((line) => `${JSON.stringify(line)}\n`).join(""));
  const at = Date.parse("2026-11-13T15:00:30.000Z") / 1000;
  await utimes(path, at, at);
}

describe("a warm server whose report cuts more sessions than it keeps the facts of", () => {
  it("makes again only the sessions beyond the bound on each report, not all of them", async () => {
    const home = await makeHome();
    for (let n = 0; n < SESSIONS; n++) await resumedSession(home, n);
    const warm = new SessionStore(home);
    const made: number[] = [];
    for (const since of ["2026-11-13T10:00:00Z", "2026-11-13T11:00:00Z", "2026-11-13T12:00:00Z"]) {
      reads.paths.length = 0;
      const report = await reportOf(warm, { since }, { now: "2026-11-13T16:00:00Z", watch: true });
      // each session's second turn: 1,500 input tokens after the bound
      expect([report.total.sessions, report.total.turns, report.total.tokens.input]).toEqual([
        SESSIONS,
        SESSIONS,
        SESSIONS * 1500,
      ]);
      // facts are made by reading the log twice (folded, then diagnosed as it stood at each turn)
      made.push(reads.paths.length / 2);
    }
    expect(made).toEqual([SESSIONS, SESSIONS - 1_000, SESSIONS - 1_000]);
  }, 60_000);
});
