// Facts a server made for a session a report's bound falls inside, and dropped at once (its KeptFacts is full
// of ones this report used: cut-sessions.ts), still counted as added: the day's digests were written to the
// state dir again on every report, unchanged. A day is saved for facts only when they stay on its entry.
import { appendFile, mkdtemp, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { KeptFacts, keptFacts } from "../../../src/sessions/report/cut-sessions.js";
import { DigestFiles } from "../../../src/sessions/report/digest-files.js";
import { linesOf, makeHome, writeSession, type SessionSpec } from "../../support/report-homes.js";

const tokens = { input: 1000, cached: 0, output: 100, reasoning: 0 };

/** A session begun at 09:00 and resumed at 15:00: a `since` between falls inside it. */
async function resumedSession(home: string, n: number): Promise<void> {
  const spec: SessionSpec = {
    id: `0199acad-0000-7000-8000-${String(n).padStart(12, "0")}`,
    start: "2026-11-13T09:00:00.000Z",
    turns: [{ prompt: "start", total: tokens }],
  };
  const path = await writeSession(home, spec);
  const again = { ...spec, start: "2026-11-13T15:00:00.000Z", turns: [{ prompt: "again", total: tokens }] };
  const more = linesOf(again).filter((line) => (line as { type: string }).type !== "session_meta");
  await appendFile(path, more.map((line) => `${JSON.stringify(line)}\n`).join(""));
  const at = Date.parse("2026-11-13T15:00:30.000Z") / 1000;
  await utimes(path, at, at);
}

describe("a server whose report cuts more sessions than it keeps the facts of", () => {
  it("does not save the day again for facts it dropped at once", async () => {
    const home = await makeHome();
    for (let n = 0; n < 2; n++) await resumedSession(home, n);
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-cut-dropped-state-"));
    const store = new SessionStore(home);
    // facts of one session kept: the second one's are made, then dropped, on every report
    keptFacts.set(store, new KeptFacts(1));
    const save = vi.spyOn(DigestFiles.prototype, "save");
    const prices = await loadPrices();
    const saves: number[] = [];
    for (const since of ["2026-11-13T10:00:00Z", "2026-11-13T11:00:00Z", "2026-11-13T12:00:00Z"]) {
      save.mockClear();
      const report = await sessionsReport(
        store,
        { includeArchived: false, groupBy: "day", since },
        { prices, now: Date.parse("2026-11-13T16:00:00Z"), watch: true, stateDir },
      );
      expect([report.total.sessions, report.total.turns]).toEqual([2, 2]);
      saves.push(save.mock.calls.length);
    }
    // the first report saves the new digests, then the one session's facts; none after (before: once each)
    expect(saves).toEqual([2, 0, 0]);
  });
});
