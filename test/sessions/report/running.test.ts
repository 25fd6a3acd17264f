// An unfinished log is "running" in the report only while a run of the state dir still runs its session:
// asked once a report (the ledger read once, not once per session), and only for logs written in the last day.
import { utimes } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import type { SessionsReport } from "../../../src/sessions/report/view.js";
import { makeHome, writeSession, type SessionSpec } from "../../support/report-homes.js";

const unfinished = (id: string, start: string): SessionSpec => ({
  id,
  start,
  turns: [{ prompt: "build it", calls: [["make", 0]], unfinished: true }],
});
const live = unfinished("0199dddd-0000-7000-8000-000000000031", "2026-11-21T08:00:00.000Z");
const killed = unfinished("0199dddd-0000-7000-8000-000000000032", "2026-11-21T09:00:00.000Z");
const old = unfinished("0199dddd-0000-7000-8000-000000000033", "2026-11-20T08:00:00.000Z");

const categories = (report: SessionsReport) => Object.fromEntries(report.rows.map((row) => [row.key, row.categories]));

async function homeOf(specs: Array<[SessionSpec, "now" | "as written"]>): Promise<string> {
  const home = await makeHome();
  for (const [spec, written] of specs) {
    const path = await writeSession(home, spec);
    if (written === "now") await utimes(path, new Date(), new Date());
  }
  return home;
}

const request = { includeArchived: false, groupBy: "day" as const };

describe("running sessions in a report", () => {
  it("are asked for once, and only a log written in the last day is running", async () => {
    const home = await homeOf([
      [live, "now"],
      [killed, "now"],
      [old, "as written"],
    ]);
    let asked = 0;
    const report = await sessionsReport(new SessionStore(home), request, {
      prices: await loadPrices(),
      runningSessions: async () => {
        asked += 1;
        return new Set([live.id, old.id]);
      },
    });
    expect(asked).toBe(1);
    expect(categories(report)).toEqual({
      "2026-11-21": { running: 1, interrupted: 1 },
      // written weeks ago: no run writes it any more, whatever a ledger says
      "2026-11-20": { interrupted: 1 },
    });
  });

  it("are not asked for when no recent log ended unfinished", async () => {
    const home = await homeOf([[old, "as written"]]);
    let asked = 0;
    await sessionsReport(new SessionStore(home), request, {
      prices: await loadPrices(),
      runningSessions: async () => {
        asked += 1;
        return new Set();
      },
    });
    expect(asked).toBe(0);
  });

  it("are none when the runs cannot be read: the report still answers", async () => {
    const home = await homeOf([[live, "now"]]);
    const report = await sessionsReport(new SessionStore(home), request, {
      prices: await loadPrices(),
      runningSessions: () => Promise.reject(new Error("EACCES: runs.jsonl")),
    });
    expect(categories(report)).toEqual({ "2026-11-21": { interrupted: 1 } });
  });
});
