// list_sessions in a server after a report: the report kept the stats of the logs it could read as the
// day's in the watched index, and the listing took them, so a log the report could not read (permission
// denied: a session written by `sudo codex`) vanished from list_sessions, which lists it as unreadable.
// A day with a log the report could not read is now not kept: the listing stats it itself.
// Before: the second listing below missed the unreadable session.
import { describe, expect, it, vi } from "vitest";
import { listSessions, loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { makeHome, pathOf, writeSession, oneTurnSession } from "../../support/report-homes.js";

// a log this user may not read (running as root, a chmod cannot show it): its open is refused
const refused = vi.hoisted(() => ({ path: "" }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const openSync = ((path: string, ...rest: unknown[]) => {
    if (path === refused.path)
      throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: "EACCES" });
    return (fs.openSync as (...args: unknown[]) => number)(path, ...rest);
  }) as typeof fs.openSync;
  return { ...fs, default: { ...fs, openSync }, openSync };
});

// a since before every session: the listing goes back through every folder, from the index in a server
const since = "2026-10-01T00:00:00.000Z";

const session = (n: number, start: string) => oneTurnSession(3, n, start);

describe("list_sessions in a server after a report that could not read a log", () => {
  it("still lists it, as the one-shot walk does", async () => {
    const home = await makeHome();
    const readable = session(1, "2026-11-01T08:00:00.000Z");
    const unreadable = session(2, "2026-11-01T09:00:00.000Z");
    for (const spec of [readable, unreadable]) await writeSession(home, spec);
    refused.path = pathOf(home, unreadable);
    const store = new SessionStore(home);
    const list = async (watch: boolean) =>
      (
        await listSessions(watch ? store : new SessionStore(home), { limit: 20, includeArchived: false, watch, since })
      ).sessions
        .map((listing) => listing.session_id)
        .sort();
    const both = [readable.id, unreadable.id].sort();
    expect(await list(false)).toEqual(both);
    // the server's first call: a report
    const report = await sessionsReport(
      store,
      { includeArchived: false, groupBy: "day" },
      { prices: await loadPrices(), watch: true },
    );
    expect(report.unreadable_files).toBe(1);
    expect([await list(true), await list(false)]).toEqual([both, both]);
  });
});
