// A server's repeated report (ReportOptions.watch, watched-days.ts) keeps the date folders' listings and
// stats, trusted until a change notification: what changed since is still counted — an old log a resumed
// session appended to, a new log in a new folder, a removed log — and what was not notified is not stat-ed.
import { appendFile, link, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { REPORT_GROUPS } from "../../../src/sessions/report/view.js";
import { makeHome, pathOf, writeSession, type SessionSpec, resumedLines } from "../../support/report-homes.js";

const old: SessionSpec = {
  id: "0199eeee-0000-7000-8000-000000000041",
  start: "2026-11-01T08:00:00.000Z",
  turns: [{ prompt: "first", total: { input: 1000, cached: 0, output: 100, reasoning: 0 } }],
};
const recent: SessionSpec = {
  id: "0199eeee-0000-7000-8000-000000000042",
  start: "2026-11-10T08:00:00.000Z",
  turns: [{ prompt: "only", total: { input: 2000, cached: 0, output: 200, reasoning: 0 } }],
};
const request = { includeArchived: false, groupBy: "day" as const };

let home: string;
let store: SessionStore;
beforeEach(async () => {
  home = await makeHome();
  await writeSession(home, old);
  await writeSession(home, recent);
  store = new SessionStore(home);
});

async function report(watch = true) {
  const result = await sessionsReport(store, request, { prices: await loadPrices(), watch });
  return { sessions: result.total.sessions, turns: result.total.turns, tokens: result.total.tokens.total };
}

describe("a watched report", () => {
  it("counts a turn appended to an old log after the listings were kept", async () => {
    expect(await report()).toEqual({ sessions: 2, turns: 2, tokens: 3300 });
    // trusted from here on: no log is stat-ed
    expect(await report()).toEqual({ sessions: 2, turns: 2, tokens: 3300 });
    await appendFile(
      pathOf(home, old),
      resumedLines(old, { prompt: "again", total: { input: 1500, cached: 0, output: 300, reasoning: 0 } }),
    );
    // the old session's counter went from 1,100 to 1,800
    expect(await report()).toEqual({ sessions: 2, turns: 3, tokens: 4000 });
    expect(await report(false)).toEqual({ sessions: 2, turns: 3, tokens: 4000 });
  });

  it("counts a new log in a new date folder and drops a removed one", async () => {
    expect(await report()).toEqual({ sessions: 2, turns: 2, tokens: 3300 });
    expect(await report()).toEqual({ sessions: 2, turns: 2, tokens: 3300 });
    const next: SessionSpec = {
      id: "0199eeee-0000-7000-8000-000000000043",
      start: "2026-12-02T08:00:00.000Z",
      turns: [{ prompt: "new", total: { input: 500, cached: 0, output: 50, reasoning: 0 } }],
    };
    await writeSession(home, next);
    expect(await report()).toEqual({ sessions: 3, turns: 3, tokens: 3850 });
    await rm(pathOf(home, recent));
    expect(await report()).toEqual({ sessions: 2, turns: 2, tokens: 1650 });
    expect(await report()).toEqual({ sessions: 2, turns: 2, tokens: 1650 });
  });

  it("does not stat a folder it was not notified of: a write through a link elsewhere waits for the next index", async () => {
    // a hard link outside CODEX_HOME: writes through it reach the same file, but not the date folder's watcher
    const elsewhere = join(dirname(home), "elsewhere", "linked.jsonl");
    await mkdir(dirname(elsewhere), { recursive: true });
    await link(pathOf(home, old), elsewhere);
    expect(await report()).toEqual({ sessions: 2, turns: 2, tokens: 3300 });
    expect(await report()).toEqual({ sessions: 2, turns: 2, tokens: 3300 });
    await appendFile(
      elsewhere,
      resumedLines(old, { prompt: "again", total: { input: 1500, cached: 0, output: 300, reasoning: 0 } }),
    );
    // the warm report trusts what it kept (it made no stat); an unwatched one stats every log
    expect(await report()).toEqual({ sessions: 2, turns: 2, tokens: 3300 });
    expect(await report(false)).toEqual({ sessions: 2, turns: 3, tokens: 4000 });
  });
});

describe("a day's tally kept between reports", () => {
  it("is what adding up the day's sessions again gives, for every grouping and filter", async () => {
    const failing = (id: string, start: string, cwd: string, model: string): SessionSpec => ({
      id,
      start,
      cwd,
      model,
      turns: [
        { prompt: "build", total: { input: 700, cached: 100, output: 70, reasoning: 7 }, calls: [["make", 2]] },
        { prompt: "again", error: `unexpected status 401 Unauthorized (request id: req_${id.slice(-6)}abcdef)` },
      ],
    });
    for (const spec of [
      failing("0199eeee-0000-7000-8000-000000000051", "2026-11-01T06:00:00.000Z", "/srv/a", "gpt-5.1-codex"),
      failing("0199eeee-0000-7000-8000-000000000052", "2026-11-01T18:00:00.000Z", "/srv/b", "gpt-5.2-codex"),
      failing("0199eeee-0000-7000-8000-000000000053", "2026-11-10T12:00:00.000Z", "/srv/a", "house-model"),
    ])
      await writeSession(home, spec);
    const requests = [
      {},
      { since: "2026-11-01T12:00:00Z" }, // half of a day: that day is added up one by one
      { since: "2026-11-01" },
      { until: "2026-11-05" },
      { since: "2026-10-01", until: "2026-12-01" },
      { cwd: "/srv/a" },
      { model: "gpt-5.1-codex" },
    ];
    const prices = await loadPrices();
    // each filter in turn with the same grouping (a tally kept for one time range must not serve a narrower
    // one), then each grouping in turn with the same filters (nor one kept for a grouping another)
    const pairs = [
      ...REPORT_GROUPS.flatMap((groupBy) => requests.map((filters) => ({ groupBy, filters }))),
      ...requests.flatMap((filters) => REPORT_GROUPS.map((groupBy) => ({ groupBy, filters }))),
    ];
    for (const { groupBy, filters } of pairs) {
      const request = { includeArchived: false, groupBy, ...filters };
      const fresh = await sessionsReport(new SessionStore(home), request, { prices });
      // twice on the watched store: the second adds up the days the first kept
      for (let i = 0; i < 2; i++)
        expect([groupBy, filters, await sessionsReport(store, request, { prices, watch: true })]).toEqual([
          groupBy,
          filters,
          { ...fresh, recomputed_files: expect.any(Number) as number },
        ]);
    }
  });
});
