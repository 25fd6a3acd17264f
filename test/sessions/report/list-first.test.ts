// A server's first list_sessions with a `since` or `cwd` waited for the watched index to be built: every
// date folder listed and watched (and, on a big home, each listed again for its logs) before the answer,
// even when the newest folder alone held `limit` such sessions. Now, while the index is not built, the walk
// answers (newest folders first, stopping at `limit`), the same rows, and the index is built after it for
// the next listing.
// Before: the first answer came after 25 folders were watched (sessions/, the year, two months, 21 days).
import { describe, expect, it, vi } from "vitest";
import { listSessions, SessionStore } from "../../../src/sessions/index.js";
import { makeHome, writeSession, oneTurnSession } from "../../support/report-homes.js";

const watched = vi.hoisted(() => ({ folders: [] as string[] }));
vi.mock("node:fs", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:fs")>();
  return {
    ...original,
    watch: (path: string, ...rest: unknown[]) => {
      watched.folders.push(path);
      return (original.watch as (...args: unknown[]) => unknown)(path, ...rest);
    },
  };
});

const session = (n: number, start: string) => oneTurnSession(2, n, start);
const since = "2026-11-05T00:00:00.000Z";

describe("a server's first list_sessions with a since", () => {
  it("answers from the newest folders, as a one-shot listing does, and builds the index for the next", async () => {
    const home = await makeHome();
    // three sessions on the 10th (written ten minutes after they start: after `since`), 20 old days
    for (let n = 0; n < 3; n++) await writeSession(home, session(n, `2026-11-10T0${n}:00:00.000Z`));
    for (let day = 1; day <= 20; day++)
      await writeSession(home, session(10 + day, `2026-10-${String(day).padStart(2, "0")}T08:00:00.000Z`));
    const options = { limit: 2, includeArchived: false, since };
    const oneShot = await listSessions(new SessionStore(home), { ...options, watch: false });
    expect(oneShot.sessions.map((listing) => listing.session_id)).toEqual([session(2, "").id, session(1, "").id]);
    const store = new SessionStore(home);
    watched.folders.length = 0;
    const first = await listSessions(store, { ...options, watch: true });
    expect(watched.folders.length).toBe(0);
    expect(first).toEqual(oneShot);
    // the next listing takes the index, built after the first answer
    const second = await listSessions(store, { ...options, watch: true });
    expect(watched.folders.length).toBe(25);
    expect(second.sessions).toEqual(oneShot.sessions);
  });
});
