// list_sessions in a server (ListOptions.watch): a `since` that leaves fewer than `limit` sessions sends the
// listing back through every older date folder, and it stat-ed every log there on every call (~60 ms per
// 2,000 old logs). It now takes the folders and stats the report's watched index keeps (watched-days.ts),
// trusted until a change notification of the folder: what changed is still listed, and what no notification
// reached shows that no stat was made.
// Before: the watched listing stat-ed every old log, and listed `old` after the write through the link.
import { appendFile, link, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { listSessions, SessionStore } from "../../../src/sessions/index.js";
import { makeHome, pathOf, writeSession, resumedLines, oneTurnSession } from "../../support/report-homes.js";

const session = (n: number, start: string) => oneTurnSession(1, n, start);
// written ten minutes after they started (writeSession), long before `since`
const old = session(1, "2026-11-01T08:00:00.000Z");
const older = session(2, "2026-10-20T08:00:00.000Z");
const recent = session(3, "2026-11-10T08:00:00.000Z");
const since = "2026-11-05T00:00:00.000Z";

describe("list_sessions in a server, with a since that goes back through every folder", () => {
  it("takes the watched index's stats, not a stat per old log, and still lists what was notified", async () => {
    const home = await makeHome();
    for (const spec of [old, older, recent]) await writeSession(home, spec);
    const store = new SessionStore(home);
    const list = async (watch: boolean) =>
      (await listSessions(store, { limit: 20, includeArchived: false, since, watch })).sessions.map(
        (listing) => listing.session_id,
      );
    expect(await list(true)).toEqual([recent.id]);
    expect(await list(true)).toEqual([recent.id]);
    // a write through a hard link outside CODEX_HOME reaches the log but no watcher of its folder
    const elsewhere = join(dirname(home), "elsewhere", "linked.jsonl");
    await mkdir(dirname(elsewhere), { recursive: true });
    await link(pathOf(home, old), elsewhere);
    await appendFile(elsewhere, resumedLines(old));
    // the watched listing made no stat of the old folder: it trusts what it kept
    expect(await list(true)).toEqual([recent.id]);
    // a one-shot listing stats every log
    expect(await list(false)).toEqual([old.id, recent.id]);
    // a resume appended in place is notified: its folder is stat-ed again, and it is listed
    await appendFile(pathOf(home, older), resumedLines(older));
    expect((await list(true)).sort()).toEqual([older.id, recent.id].sort());
  });
});
