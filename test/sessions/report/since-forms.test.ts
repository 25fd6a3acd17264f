// `sessions --since` and list_sessions take the forms `report --since` takes (filters.ts filterTime, one
// parser): a span back from now (7d, 24h) or ISO 8601, a date and a time without a zone in UTC.
// Before: both refused `7d` ("is not a date: use ISO 8601, e.g. 2026-11-23"), and read a time without a zone
// in the host's local time, while the report read it in UTC.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, textOf, type Connected } from "../../support/mcp.js";
import { makeHome, runCli, writeSession, type SessionSpec } from "../../support/report-homes.js";
import { filterTime } from "../../../src/sessions/report/filters.js";

const DAY_MS = 86_400_000;
// written 3 and 10 days ago (a log's mtime is its start + 10 minutes: report-homes.ts)
const recent: SessionSpec = {
  id: "0199abab-0000-7000-8000-0000000000a1",
  start: new Date(Date.now() - 3 * DAY_MS).toISOString(),
  turns: [{ prompt: "recent", total: { input: 100, cached: 0, output: 10, reasoning: 0 } }],
};
const old: SessionSpec = {
  id: "0199abab-0000-7000-8000-0000000000a2",
  start: new Date(Date.now() - 10 * DAY_MS).toISOString(),
  turns: [{ prompt: "old", total: { input: 100, cached: 0, output: 10, reasoning: 0 } }],
};
const FORMS = "use ISO 8601 (2026-11-23 or 2026-11-23T10:00:00Z) or a span back from now (7d, 24h).";

let home: string;
let mcp: Connected;
beforeAll(async () => {
  home = await makeHome();
  await writeSession(home, recent);
  await writeSession(home, old);
  mcp = await connect({ codexHome: home });
});
afterAll(async () => {
  await mcp.close();
});

const ids = (content: unknown) =>
  (content as { sessions: Array<{ session_id: string }> }).sessions.map((s) => s.session_id);

describe("list_sessions since", () => {
  it("takes a span back from now, as sessions_report does", async () => {
    expect(ids((await mcp.call("list_sessions", { since: "7d" })).structuredContent)).toEqual([recent.id]);
    expect(ids((await mcp.call("list_sessions", { since: "300h" })).structuredContent)).toEqual([recent.id, old.id]);
    expect(ids((await mcp.call("list_sessions", { since: "24h" })).structuredContent)).toEqual([]);
  });

  it("takes ISO 8601, a time without a zone in UTC", async () => {
    const day = new Date(Date.now() - 5 * DAY_MS).toISOString().slice(0, 10);
    expect(ids((await mcp.call("list_sessions", { since: day })).structuredContent)).toEqual([recent.id]);
    // the recent log was last written at its start + 10 minutes (UTC): a minute later, without a zone, is after it
    const after = new Date(Date.parse(recent.start) + 11 * 60_000).toISOString().slice(0, 16);
    const before = new Date(Date.parse(recent.start) + 9 * 60_000).toISOString().slice(0, 16);
    expect(ids((await mcp.call("list_sessions", { since: after })).structuredContent)).toEqual([]);
    expect(ids((await mcp.call("list_sessions", { since: before })).structuredContent)).toEqual([recent.id]);
  });

  it("refuses a bad value, naming the forms it takes", async () => {
    for (const since of ["yesterday", "2026-04-31", "7w"]) {
      const refused = await mcp.call("list_sessions", { since });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toBe(`since "${since}" is not a date: ${FORMS}`);
    }
  });
});

describe("codex-control-mcp sessions --since", () => {
  const run = (args: string[]) => runCli(home, args);

  it("takes 7d as `report --since` does", async () => {
    const listed = await run(["sessions", "--since", "7d", "--json"]);
    expect([listed.code, ids(JSON.parse(listed.stdout))]).toEqual([0, [recent.id]]);
  });

  it("exits 2 on a bad value, naming the forms it takes", async () => {
    const refused = await run(["sessions", "--since", "last tuesday"]);
    expect([refused.code, refused.stderr.split("\n")[0]]).toEqual([
      2,
      `codex-control-mcp: since "last tuesday" is not a date: ${FORMS}`,
    ]);
  });
});

describe("codex-control-mcp sessions --cwd", () => {
  const run = (args: string[]) => runCli(home, args);

  // before: a relative --cwd matched no session's cwd and answered "No sessions" with exit 0, hiding the mistake
  it("exits 2 on a relative or control-character folder, naming the form it takes", async () => {
    for (const [cwd, shown] of [
      ["proj", "proj"],
      ["/home/user/proj\n", "/home/user/proj\\u000a"],
    ]) {
      const refused = await run(["sessions", "--cwd", cwd!]);
      expect([refused.code, refused.stderr.split("\n")[0]]).toEqual([
        2,
        `codex-control-mcp: --cwd ${shown} is not an absolute directory: pass the full path, e.g. --cwd "$PWD".`,
      ]);
    }
  });

  it("takes an absolute folder (control: the same sessions are listed under it)", async () => {
    const listed = await run(["sessions", "--cwd", "/srv/proj", "--json"]);
    expect([listed.code, ids(JSON.parse(listed.stdout)).length]).toEqual([0, 2]);
  });
});

describe("a date of the years 0–99", () => {
  // before: Date.UTC read 0001 as 1901, so the check that the day exists refused "0001-01-01" (meaning: all time)
  it("is a date, the day it names", () => {
    expect(filterTime("since", "0001-01-01", Date.now(), false)).toBe(-62135596800000);
    expect(filterTime("until", "0099-12-31", Date.now(), true)).toBe(-59011545600000 + DAY_MS);
    expect(() => filterTime("since", "0001-02-30", Date.now(), false)).toThrow(
      `since "0001-02-30" is not a date: ${FORMS}`,
    );
  });
});
