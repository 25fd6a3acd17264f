// list_sessions in a server (the watched index) against the one-shot walk, after each change a running Codex
// or the user makes while the server runs: a session started in a day folder already listed, one started in
// a new day folder, one archived (moved to archived_sessions/), one removed. The next call lists what the
// walk lists, at once.
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { listSessions, SessionStore } from "../../../src/sessions/index.js";
import { makeHome, pathOf, writeSession, oneTurnSession } from "../../support/report-homes.js";

// a since before every session: the listing goes back through every folder, from the index in a server
const since = "2026-10-01T00:00:00.000Z";

const session = (n: number, start: string) => oneTurnSession(2, n, start);

describe("list_sessions in a server sees what changed since its last call", () => {
  it("as the one-shot walk does, with and without archived sessions", async () => {
    const home = await makeHome();
    const first = session(1, "2026-11-01T08:00:00.000Z");
    await writeSession(home, first);
    await mkdir(join(home, "archived_sessions"));
    // a server asked with include_archived always false, one always true: each keeps its index between calls
    const stores = [new SessionStore(home), new SessionStore(home)];
    const list = async (watch: boolean, includeArchived: boolean) =>
      (
        await listSessions(stores[includeArchived ? 1 : 0] as SessionStore, {
          limit: 20,
          includeArchived,
          watch,
          since,
        })
      ).sessions
        .map((listing) => listing.session_id)
        .sort();
    const both = async () => {
      const seen = [];
      for (const archived of [false, true]) seen.push([await list(true, archived), await list(false, archived)]);
      return seen;
    };
    const same = (ids: string[], archived: string[]) => [
      [ids, ids],
      [archived, archived],
    ];
    expect(await both()).toEqual(same([first.id], [first.id]));
    const sameDay = session(2, "2026-11-01T09:00:00.000Z");
    await writeSession(home, sameDay);
    expect(await both()).toEqual(same([first.id, sameDay.id].sort(), [first.id, sameDay.id].sort()));
    const newDay = session(3, "2026-11-02T09:00:00.000Z");
    await writeSession(home, newDay);
    const all = [first.id, sameDay.id, newDay.id].sort();
    expect(await both()).toEqual(same(all, all));
    await rename(pathOf(home, sameDay), join(home, "archived_sessions", basename(pathOf(home, sameDay))));
    expect(await both()).toEqual(same([first.id, newDay.id].sort(), all));
    await rm(pathOf(home, first));
    expect(await both()).toEqual(same([newDay.id], [sameDay.id, newDay.id].sort()));
  });
});
