// A server's watched index (report/watched-days.ts) with archived sessions asked for, in a CODEX_HOME that has
// no archived_sessions/ (Codex makes it on the first archive): the watch of the missing folder failed, and the
// index gave up for ten minutes, the report's as well as list_sessions'. A host calling list_sessions with
// include_archived (shared index since list_sessions takes it) so sent every report back to a stat per log.
// The missing folder is now not watched: archiving moves a log out of a watched day folder, which is notified.
// What shows the index in use: a write through a hard link outside CODEX_HOME reaches a log but no watcher, so
// a listing from the index does not see it, and one that stats every log does.
// Before: the last listing below listed `old` (the index had given up).
import { appendFile, link, mkdir, rename } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { listSessions, SessionStore } from "../../../src/sessions/index.js";
import { makeHome, pathOf, writeSession, resumedLines, oneTurnSession } from "../../support/report-homes.js";

const session = (n: number, start: string) => oneTurnSession(4, n, start);
const old = session(1, "2026-11-01T08:00:00.000Z");
const recent = session(2, "2026-11-10T08:00:00.000Z");
const since = "2026-11-05T00:00:00.000Z";

describe("the watched index in a home without archived_sessions/", () => {
  it("is used with archived sessions asked for, and sees the first archive", async () => {
    const home = await makeHome();
    for (const spec of [old, recent]) await writeSession(home, spec);
    const store = new SessionStore(home);
    const list = async (includeArchived: boolean) =>
      (await listSessions(store, { limit: 20, includeArchived, since, watch: true })).sessions
        .map((listing) => listing.session_id)
        .sort();
    expect(await list(true)).toEqual([recent.id]);
    expect(await list(true)).toEqual([recent.id]);
    const elsewhere = join(dirname(home), "elsewhere", "linked.jsonl");
    await mkdir(dirname(elsewhere), { recursive: true });
    await link(pathOf(home, old), elsewhere);
    await appendFile(elsewhere, resumedLines(old));
    // from the index: no stat of the old folder
    expect(await list(true)).toEqual([recent.id]);
    // the first archive makes the folder and moves a log out of a watched day folder
    await mkdir(join(home, "archived_sessions"));
    await rename(pathOf(home, recent), join(home, "archived_sessions", basename(pathOf(home, recent))));
    const archived = (await listSessions(store, { limit: 20, includeArchived: true, since, watch: true })).sessions;
    expect(archived.map((listing) => [listing.session_id, listing.path.includes("archived_sessions")])).toEqual([
      [recent.id, true],
    ]);
  });
});
