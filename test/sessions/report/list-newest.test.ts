// list_sessions in a server without `since` (or `cwd`): the newest folders until `limit` logs are found, as
// the one-shot walk lists them, its cost following `limit` (list.ts). Taking the watched index instead had the
// first call list every folder and watch each (a home of 100,000 logs: ~400 ms, not ~60-150; past 50,000 logs
// the index then gave up, and was built again every 10 minutes). The index is taken only where the listing may
// go back through every folder: with `since` or `cwd`.
// What shows which was taken: a write through a hard link outside CODEX_HOME reaches a log but no watcher, so
// a listing from the index keeps its old mtime, and the walk, which stats, shows the new one.
// Before: the last listing still showed the old time.
import { appendFile, link, mkdir, utimes } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { listSessions, SessionStore } from "../../../src/sessions/index.js";
import { makeHome, pathOf, writeSession, oneTurnSession } from "../../support/report-homes.js";

const session = (n: number, start: string) => oneTurnSession(5, n, start);

describe("list_sessions in a server without since", () => {
  it("walks the newest folders as the one-shot listing does", async () => {
    const home = await makeHome();
    const old = session(1, "2026-11-01T08:00:00.000Z");
    await writeSession(home, old);
    await writeSession(home, session(2, "2026-11-10T08:00:00.000Z"));
    const store = new SessionStore(home);
    const updated = async () =>
      (await listSessions(store, { limit: 20, includeArchived: false, watch: true })).sessions.find(
        (listing) => listing.session_id === old.id,
      )?.updated_at;
    expect(await updated()).toBe("2026-11-01T08:10:00.000Z");
    expect(await updated()).toBe("2026-11-01T08:10:00.000Z");
    const elsewhere = join(dirname(home), "elsewhere", "linked.jsonl");
    await mkdir(dirname(elsewhere), { recursive: true });
    await link(pathOf(home, old), elsewhere);
    await appendFile(elsewhere, "\n");
    await utimes(elsewhere, Date.parse("2026-11-20T00:00:00Z") / 1000, Date.parse("2026-11-20T00:00:00Z") / 1000);
    expect(await updated()).toBe("2026-11-20T00:00:00.000Z");
  });
});
