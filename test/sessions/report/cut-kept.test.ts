// A host polling `sessions_report` with `since: "1h"` moves the bound every call: a session the bound falls
// inside was read and folded again (twice) on every report, a warm server's too. A server now keeps the
// session's facts for that version of its log (digest.ts CutFacts): a second report with another bound
// inside the same unchanged session reads and folds nothing, and answers as a cold report does.
// Before: every report below read the morning session's log again (the reads counted here were 1 or 2 each).
import { appendFile, utimes } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { morning, sameDayHome } from "../../support/same-day-home.js";
import { linesOf, pathOf, type SessionSpec } from "../../support/report-homes.js";

// every read of a log as the tools read it (the report's own small-log read is digest-files.ts', not this)
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

const NOW = Date.parse("2026-11-13T15:30:00Z");

async function report(store: SessionStore, since: string, watch: boolean, now = NOW, stateDir?: string) {
  return sessionsReport(
    store,
    { includeArchived: false, groupBy: "day", since },
    { prices: await loadPrices(), now, watch, stateDir },
  );
}

const answer = (result: Awaited<ReturnType<typeof report>>) => ({
  rows: result.rows,
  total: result.total,
  recurring_failures: result.recurring_failures,
});

describe("a warm server cutting the same session at another bound", () => {
  it("reads and folds its log once, and answers as a cold report", async () => {
    const dir = await sameDayHome();
    const warm = new SessionStore(dir);
    const path = pathOf(dir, morning);
    // the morning session runs 09:00 to 15:00:25: each bound below falls inside it
    const bounds = ["2026-11-13T10:00:00Z", "2026-11-13T14:00:00Z", "2026-11-13T15:00:10Z", "2026-11-13T12:30:00Z"];
    const readsOf: number[] = [];
    for (const since of bounds) {
      reads.paths.length = 0;
      const again = await report(warm, since, true);
      readsOf.push(reads.paths.filter((read) => read === path).length);
      expect(answer(again)).toEqual(answer(await report(new SessionStore(dir), since, false)));
    }
    // the first cut reads it twice (folded, then diagnosed as it stood at each turn); none after
    expect(readsOf).toEqual([2, 0, 0, 0]);
    // a host's `since: 1h`, a minute later each time
    reads.paths.length = 0;
    for (let minute = 0; minute < 3; minute++) {
      const now = NOW + minute * 60_000;
      const again = await report(warm, "1h", true, now);
      expect(answer(again)).toEqual(answer(await report(new SessionStore(dir), "1h", false, now)));
    }
    expect(reads.paths.filter((read) => read === path).length).toBe(3 * 2); // the cold reports' reads only
  });

  it("reads a log again once it changed, and splits it as it is now", async () => {
    const dir = await sameDayHome();
    const warm = new SessionStore(dir);
    const path = pathOf(dir, morning);
    await report(warm, "2026-11-13T14:00:00Z", true);
    // resumed again at 15:20: a third turn, the log's mtime moving on
    const third: SessionSpec = {
      ...morning,
      start: "2026-11-13T15:20:00.000Z",
      turns: [{ prompt: "third", total: { input: 4000, cached: 0, output: 300, reasoning: 0 } }],
    };
    const lines = linesOf(third).filter((line) => (line as { type: string }).type !== "session_meta");
    await appendFile(path, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    const at = Date.parse("2026-11-13T15:20:30.000Z") / 1000;
    await utimes(path, at, at);
    const since = "2026-11-13T15:10:00Z";
    reads.paths.length = 0;
    const again = await report(warm, since, true);
    expect(reads.paths.filter((read) => read === path).length).toBe(2);
    const cold = await report(new SessionStore(dir), since, false);
    expect(answer(again)).toEqual(answer(cold));
    // the third turn alone: 4,000 − 2,500 input tokens
    expect([again.total.turns, again.total.tokens.input, again.total.categories]).toEqual([1, 1500, { completed: 1 }]);
  });

  it("saves them with the day's digests: the next one-shot report (the CLI run again) reads nothing either", async () => {
    const dir = await sameDayHome();
    const path = pathOf(dir, morning);
    const stateDir = join(dirname(dir), "state");
    const readsOf: number[] = [];
    for (const since of ["2026-11-13T14:00:00Z", "2026-11-13T10:00:00Z", "2026-11-13T15:00:10Z"]) {
      reads.paths.length = 0;
      // a new store and no watch each time: a new process, its state dir the same
      const again = await report(new SessionStore(dir), since, false, NOW, stateDir);
      readsOf.push(reads.paths.filter((read) => read === path).length);
      expect(answer(again)).toEqual(answer(await report(new SessionStore(dir), since, false)));
    }
    expect(readsOf).toEqual([2, 0, 0]);
  });
});
