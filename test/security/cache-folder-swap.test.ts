// A cache folder (folds/, answers/, report/) replaced by a link between its check and the use of a file in it:
// reads and writes checked the folder by its name, then opened the file by its name, through whatever the
// folder had become, so the write landed in (and the read came from) the link's target. The folder is now
// opened once, checked by its descriptor, and the file reached through that open folder. The swap is made
// at the very moment the file is opened (the fs calls are wrapped), in each of the async and sync paths.
import { existsSync, readdirSync, renameSync, symlinkSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { readChecked, writeChecked } from "../../src/sessions/checked-files.js";

// the name whose open swaps its folder for a link (once), and the link's target
const swap = vi.hoisted(() => ({ name: "", dir: "", target: "" }));
function swapNow(path: string): void {
  if (swap.name === "" || !basename(path).startsWith(swap.name)) return;
  swap.name = "";
  renameSync(swap.dir, `${swap.dir}.moved`);
  symlinkSync(swap.target, swap.dir);
}
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  const open = ((path: string, ...rest: unknown[]) => {
    swapNow(path);
    return (fs.open as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.open;
  return { ...fs, default: { ...fs, open }, open };
});
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const openSync = ((path: string, ...rest: unknown[]) => {
    swapNow(String(path));
    return (fs.openSync as (...args: unknown[]) => number)(path, ...rest);
  }) as typeof fs.openSync;
  return { ...fs, default: { ...fs, openSync }, openSync };
});

async function folders(): Promise<{ dir: string; target: string }> {
  const root = await mkdtemp(join(tmpdir(), "ccm-cache-swap-"));
  const dir = join(root, "folds");
  const target = join(root, "elsewhere");
  await mkdir(dir, { mode: 0o700 });
  await mkdir(target, { mode: 0o700 });
  return { dir, target };
}

describe.each(["async", "sync"] as const)(
  "a cache folder swapped for a link as a file in it is opened (%s)",
  (calls) => {
    it("a write does not land in the link's target", async () => {
      const { dir, target } = await folders();
      Object.assign(swap, { name: "a.fold", dir, target });
      await writeChecked(join(dir, "a.fold"), [Buffer.from("fold")], calls).catch(() => undefined);
      expect(readdirSync(target)).toEqual([]);
      // the write went to the folder that was checked
      expect(existsSync(join(`${dir}.moved`, "a.fold"))).toBe(true);
    });

    it("a read does not come from the link's target", async () => {
      const { dir, target } = await folders();
      await writeChecked(join(dir, "b.fold"), [Buffer.from("ours")], calls);
      await writeChecked(join(target, "b.fold"), [Buffer.from("planted")], calls);
      Object.assign(swap, { name: "b.fold", dir, target });
      expect((await readChecked(join(dir, "b.fold"), 1024, calls))?.toString()).toBe("ours");
    });
  },
);
