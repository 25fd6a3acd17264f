// A session resumed later the same UTC day it started (`codex exec resume` appends to its log, one
// session_meta, as 0.171 writes): since/until keep its turns in range, as across days (DayPart), its end
// counted only when its last turn is in range, else as it stood then.
// Before: a one-day session was tested by its start alone: "since 14:00" (and an hourly `since: 1h`) left out
// the turn resumed at 15:00 and its 401, and "until 12:00" counted them.
import { describe, expect, it } from "vitest";
import { sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { reportOf } from "../../support/report-homes.js";
import { morning, sameDayHome as home } from "../../support/same-day-home.js";

type SessionsReport = Awaited<ReturnType<typeof sessionsReport>>;

type Filters = { since?: string; until?: string };
const report = (store: SessionStore, groupBy: "day" | "category", filters: Filters, watch = false) =>
  reportOf(store, { groupBy, ...filters }, { now: "2026-11-13T15:30:00Z", watch });

const rows = (result: SessionsReport) =>
  [...result.rows, result.total].map((row) => [
    row.key,
    row.sessions,
    row.turns,
    row.categories,
    row.tokens.input,
    row.tokens.total,
    row.wall_ms,
    row.cost.estimate_usd,
  ]);
const failures = (result: SessionsReport) =>
  result.recurring_failures.map((failure) => [failure.count, failure.last_seen, failure.session_ids]);

describe("a session resumed later the day it started", () => {
  it("since keeps the resumed turn and its failure, by day and by category", async () => {
    const store = new SessionStore(await home());
    for (const since of ["2026-11-13T14:00:00Z", "1h"]) {
      const byDay = await report(store, "day", { since });
      expect(rows(byDay)).toEqual([
        ["2026-11-13", 2, 2, { auth_error: 1, completed: 1 }, 2000, 2150, 30_000, 0.004],
        ["total", 2, 2, { auth_error: 1, completed: 1 }, 2000, 2150, 30_000, 0.004],
      ]);
      expect(failures(byDay)).toEqual([[1, "2026-11-13T15:00:25.000Z", [morning.id]]]);
      expect(rows(await report(store, "category", { since }))).toEqual([
        ["auth_error", 1, 1, { auth_error: 1 }, 1500, 1600, 20_000, 0.0029],
        ["completed", 1, 1, { completed: 1 }, 500, 550, 10_000, 0.0011],
        ["total", 2, 2, { auth_error: 1, completed: 1 }, 2000, 2150, 30_000, 0.004],
      ]);
    }
  });

  it("until counts the morning's turn only, and the session as it stood then", async () => {
    const store = new SessionStore(await home());
    const until = "2026-11-13T12:00:00Z";
    const byDay = await report(store, "day", { until });
    expect(rows(byDay)).toEqual([
      ["2026-11-13", 1, 1, { completed: 1 }, 1000, 1100, 10_000, 0.0023],
      ["total", 1, 1, { completed: 1 }, 1000, 1100, 10_000, 0.0023],
    ]);
    expect(failures(byDay)).toEqual([]);
    expect(rows(await report(store, "category", { until }))).toEqual([
      ["completed", 1, 1, { completed: 1 }, 1000, 1100, 10_000, 0.0023],
      ["total", 1, 1, { completed: 1 }, 1000, 1100, 10_000, 0.0023],
    ]);
  });

  it("a server asked again answers as a cold report, its day tally kept without the range not reused", async () => {
    const dir = await home();
    const warm = new SessionStore(dir);
    // the whole day first: its tally is kept (both sessions started before 15:00)
    expect(rows(await report(warm, "day", {}, true)).at(-1)).toEqual([
      "total",
      2,
      3,
      { auth_error: 1, completed: 1 },
      3000,
      3250,
      40_000,
      0.0063,
    ]);
    for (const filters of [
      { until: "2026-11-13T15:00:00Z" },
      { since: "2026-11-13T14:00:00Z" },
      { until: "2026-11-13T12:00:00Z" },
      {},
    ]) {
      for (const groupBy of ["day", "category"] as const) {
        const cold = await report(new SessionStore(dir), groupBy, filters);
        const again = await report(warm, groupBy, filters, true);
        expect({ ...again, scanned_files: 0, recomputed_files: 0 }).toEqual({
          ...cold,
          scanned_files: 0,
          recomputed_files: 0,
        });
      }
    }
    // until 15:00: the morning's turn and the afternoon's session, the resumed turn not
    expect(rows(await report(warm, "day", { until: "2026-11-13T15:00:00Z" }, true)).at(-1)).toEqual([
      "total",
      2,
      2,
      { completed: 2 },
      1500,
      1650,
      20_000,
      0.0034,
    ]);
  });
});
