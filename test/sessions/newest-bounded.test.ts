// `last` and a listing keep only the newest logs they may answer with, not every log of a date folder: a
// folder of 200,000 logs held all their stats at once (0.9 GB, 20 s). newestFiles answered every log it
// stated; it now answers the `count` newest. A listing whose filters skip the newest goes on through the
// same folders, older ones next, as a walk of every log would.
import { mkdir, mkdtemp, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listSessions, listRolloutFiles, SessionStore } from "../../src/sessions/index.js";
import { FolderNames } from "../../src/sessions/folder-names.js";
import { newestFiles } from "../../src/sessions/locate.js";
import { NewestKept } from "../../src/shared/newest-kept.js";

const id = (n: number) => `0199a1b2-0000-7000-8000-${String(n).padStart(12, "0")}`;

/** `count` logs in one date folder, log n written at second n, in `cwdOf(n)`. */
async function folderOf(count: number, cwdOf: (n: number) => string): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), "ccm-newest-"));
  const day = join(home, "sessions", "2026", "01", "28");
  await mkdir(day, { recursive: true });
  for (let n = 0; n < count; n++) {
    const at = new Date(Date.UTC(2026, 0, 28, 10) + n * 1000).toISOString();
    const path = join(day, `rollout-2026-01-28T10-00-00-${id(n)}.jsonl`);
    const meta = { timestamp: at, type: "session_meta", payload: { id: id(n), timestamp: at, cwd: cwdOf(n) } };
    await writeFile(path, `${JSON.stringify(meta)}\n`);
    await utimes(path, 1_800_000_000 + n, 1_800_000_000 + n);
  }
  return home;
}

describe("the newest logs of a large folder", () => {
  it("`last`'s lookup keeps the one newest of 3,000, not all 3,000", async () => {
    const home = await folderOf(3_000, () => "/w");
    const found = await newestFiles(home, new FolderNames(), 1, { includeArchived: false });
    expect(found.map((file) => file.id)).toEqual([id(2_999)]);
    const three = await newestFiles(home, new FolderNames(), 3, { includeArchived: false });
    expect(three.map((file) => file.id)).toEqual([id(2_999), id(2_998), id(2_997)]);
  });

  it("a listing whose cwd leaves out the newest 50 lists the older ones, as a walk finds them", async () => {
    // the 50 newest of 63 logs are in /a, the 13 oldest in /b: the first pass keeps 5, the next ones 20, 80
    const home = await folderOf(63, (n) => (n >= 13 ? "/a" : "/b"));
    const store = new SessionStore(home);
    const { sessions, scanned } = await listSessions(store, { limit: 5, cwd: "/b", includeArchived: false });
    const walked = (await listRolloutFiles(home, { includeArchived: false })).filter((file) => file.id < id(13));
    expect(sessions.map((session) => session.session_id)).toEqual(walked.slice(0, 5).map((file) => file.id));
    expect(sessions.map((session) => session.session_id)).toEqual([id(12), id(11), id(10), id(9), id(8)]);
    expect(scanned).toBe(55);
    const all = await listSessions(store, { limit: 500, cwd: "/b", includeArchived: false });
    expect(all.sessions.map((session) => session.session_id)).toEqual(walked.map((file) => file.id));
    expect(all.scanned).toBe(63);
  });

  it("NewestKept holds at most `keep`, the first in order, and says it left some out", () => {
    const kept = new NewestKept<number>(3, (a, b) => b - a);
    for (const n of [5, 1, 9, 7, 3, 9, 2]) kept.offer(n);
    expect(kept.sorted()).toEqual([9, 9, 7]);
    expect(kept.truncated).toBe(true);
    const few = new NewestKept<number>(3, (a, b) => b - a);
    for (const n of [1, 2]) few.offer(n);
    expect(few.sorted()).toEqual([2, 1]);
    expect(few.truncated).toBe(false);
  });
});
