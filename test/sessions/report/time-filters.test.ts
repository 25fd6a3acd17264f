// since/until at their edges: a time without a zone is UTC, as a date is, whatever the machine's zone
// (before, Date.parse read it in local time: on a New York host "2026-11-17T09:00:00" was 14:00 UTC).
import { afterEach, describe, expect, it } from "vitest";
import { checkFilters } from "../../../src/sessions/report/filters.js";

const zone = process.env.TZ;
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

const times = (since: string, until?: string) => {
  const { sinceMs, untilMs } = checkFilters({ since, until, includeArchived: false, groupBy: "day" });
  return [sinceMs, untilMs].map((ms) => (ms === undefined ? undefined : new Date(ms).toISOString()));
};

describe("since and until", () => {
  it("read a time without a zone as UTC on a host in any zone, DST days included", () => {
    for (const host of ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati"]) {
      process.env.TZ = host;
      expect(times("2026-11-17T09:00:00", "2026-11-17T10:30")).toEqual([
        "2026-11-17T09:00:00.000Z",
        "2026-11-17T10:30:00.000Z",
      ]);
      expect(times("2026-11-17 09:00")).toEqual(["2026-11-17T09:00:00.000Z", undefined]);
      // the day New York leaves summer time (2026-11-01): a UTC day is 24 hours
      expect(times("2026-11-01", "2026-11-01")).toEqual(["2026-11-01T00:00:00.000Z", "2026-11-02T00:00:00.000Z"]);
      expect(times("2026-03-08T01:30:00", "2026-03-08T03:30:00")).toEqual([
        "2026-03-08T01:30:00.000Z",
        "2026-03-08T03:30:00.000Z",
      ]);
    }
  });

  it("take a zone given, with or without the colon", () => {
    process.env.TZ = "America/New_York";
    expect(times("2026-11-17T09:00:00+01:00", "2026-11-17T09:00:00-0500")).toEqual([
      "2026-11-17T08:00:00.000Z",
      "2026-11-17T14:00:00.000Z",
    ]);
    expect(times("2026-11-17T09:00:00Z")).toEqual(["2026-11-17T09:00:00.000Z", undefined]);
  });
});
