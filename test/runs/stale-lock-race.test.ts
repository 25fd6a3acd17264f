// A stale lock (its holder gone) is removed; another process may remove it first and take the lock afresh in
// the moment between the look that judged it stale and the removal. Before, the removal went by name and took
// that fresh lock: two holders at once (the leases' lock, a settle claim, a worktree lock). The other process is
// stood in for by a hook run in that moment.
import { mkdtemp, readdir, readFile, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createExclusive } from "../../src/contract/index.js";
import { processId } from "../../src/codex/liveness.js";
import { staleOrHolder } from "../../src/runs/scheduler.js";
import { staleLock } from "../support/stale-lock.js";

describe("a stale lock", () => {
  it("is removed, and nothing is left beside it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-stale-lock-"));
    const path = join(dir, ".lock");
    await staleLock(path);
    expect(await staleOrHolder(path, 10_000)).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it("taken afresh by another process just before the removal stays (before: removed by name)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-stale-lock-"));
    const path = join(dir, ".lock");
    await staleLock(path);
    const fresh = JSON.stringify({ holder: await processId(process.pid), at: new Date().toISOString() });
    const other = async () => {
      await unlink(path);
      expect(await createExclusive(path, fresh)).toBe(true);
    };
    expect(await staleOrHolder(path, 10_000, "gone", other)).toBeUndefined();
    expect(await readdir(dir)).toEqual([".lock"]);
    expect(await readFile(path, "utf8")).toBe(fresh);
    // held by a live process: it says so
    expect(await staleOrHolder(path, 10_000)).toBe(`pid ${process.pid}`);
  });
});
