// A stale lock's removal and a third process. The removal moved the lock aside (so that a fresh lock another
// process took after the look could be told apart and put back): while it was aside the name was free, a third
// process took it, the fresh one could not go back and was deleted, and its holder and the third both held the
// lock. The removal is now done under a breaker file, which one process holds while it looks again and removes:
// the lock's name is never free while a live lock is there. Deterministic: the other processes are stood in for by
// a hook run between the look and the removal, and by `rename` taking the name the moment it is freed.
import { mkdtemp, readdir, readFile, unlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { createExclusive } from "../../src/contract/index.js";
import { processId } from "../../src/codex/liveness.js";
import { staleOrHolder } from "../../src/runs/scheduler.js";
import { staleLock } from "../support/stale-lock.js";

/** What a third process does the moment a rename frees the lock's name: take it. */
const third: { path?: string; took?: boolean } = {};
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  const rename: typeof fs.rename = async (from, to) => {
    await fs.rename(from, to);
    if (third.path !== undefined && from === third.path)
      third.took = await createExclusive(
        third.path,
        JSON.stringify({ holder: await processId(process.pid), at: "third" }),
      );
  };
  return { ...fs, default: { ...fs, rename }, rename };
});

describe("a stale lock's removal", () => {
  it("leaves a lock taken afresh meanwhile where it is: a third process cannot take the name (before: it did)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-stale-breaker-"));
    const path = join(dir, ".lock");
    await staleLock(path);
    const fresh = JSON.stringify({ holder: await processId(process.pid), at: "fresh" });
    // another process removes the stale lock and takes it afresh between this one's look and its removal
    const other = async () => {
      await unlink(path);
      expect(await createExclusive(path, fresh)).toBe(true);
      third.path = path;
    };
    expect(await staleOrHolder(path, 10_000, "gone", other)).toBeUndefined();
    // before: the fresh lock was moved aside, the third process took the name, and the fresh one was deleted
    expect(third.took).toBeUndefined();
    expect(await readFile(path, "utf8")).toBe(fresh);
    expect(await readdir(dir)).toEqual([".lock"]);
  });

  it("waits while a live process removes it, and takes over from one that died removing it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-stale-breaker-"));
    const path = join(dir, ".lock");
    await staleLock(path);
    const stale = await readFile(path, "utf8");
    // a live remover's breaker: the lock is left to it
    await writeFile(`${path}.break`, JSON.stringify({ holder: await processId(process.pid), at: "now" }));
    expect(await staleOrHolder(path, 10_000)).toBe("a process removing it as stale");
    expect(await readFile(path, "utf8")).toBe(stale);
    // a live remover that stalled a few seconds (a loaded machine, a long pause) between its second look and its
    // removal: it still removes by name when it goes on, so a second remover let in meanwhile (before: after 1 s)
    // could have the first remove a lock taken afresh in between
    const aged = new Date(Date.now() - 3000);
    await utimes(`${path}.break`, aged, aged);
    expect(await staleOrHolder(path, 10_000)).toBe("a process removing it as stale");
    expect(await readFile(path, "utf8")).toBe(stale);
    // one whose remover died: removed, and the stale lock with it
    await staleLock(`${path}.break`);
    expect(await staleOrHolder(path, 10_000)).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });
});
