// The cache files' reads and writes open their folder (checked by its descriptor) besides the file: each path,
// the failing ones included, closes both. A server reads and writes these files on every report, so one
// descriptor left open per call would run out of them (EMFILE) after some thousands of calls.
import { chmodSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keepFolderWithin, readChecked, writeChecked, type FileCalls } from "../../src/sessions/checked-files.js";

const openFds = () => readdirSync("/proc/self/fd").length;

describe.runIf(process.platform === "linux").each(["async", "sync"] as FileCalls[])(
  "cache files' descriptors (%s)",
  (calls) => {
    it("are all closed after 300 reads and writes, found, missing, refused and failed", async () => {
      const root = await mkdtemp(join(tmpdir(), "ccm-cache-fds-"));
      const ours = join(root, "folds");
      const open = join(root, "open");
      mkdirSync(open, { mode: 0o777 });
      chmodSync(open, 0o777); // writable by others: refused
      const linked = join(root, "linked");
      symlinkSync(ours, linked); // a link: refused
      await writeChecked(join(ours, "a.fold"), [Buffer.from("fold")], calls);
      writeFileSync(join(ours, "damaged.fold"), "not checked");
      mkdirSync(join(ours, "a-folder.fold"));
      const before = openFds();
      for (let n = 0; n < 30; n++) {
        expect((await readChecked(join(ours, "a.fold"), 1024, calls))?.toString()).toBe("fold");
        expect(await readChecked(join(ours, "a.fold"), 4, calls)).toBeUndefined(); // over the bound
        expect(await readChecked(join(ours, "missing.fold"), 1024, calls)).toBeUndefined();
        expect(await readChecked(join(ours, "damaged.fold"), 1024, calls)).toBeUndefined();
        expect(await readChecked(join(ours, "a-folder.fold"), 1024, calls)).toBeUndefined();
        expect(await readChecked(join(open, "a.fold"), 1024, calls)).toBeUndefined();
        expect(await readChecked(join(linked, "a.fold"), 1024, calls)).toBeUndefined();
        await writeChecked(join(ours, `b${n % 3}.fold`), [Buffer.from("b")], calls);
        // the target is a folder: the rename fails
        await expect(writeChecked(join(ours, "a-folder.fold"), [Buffer.from("c")], calls)).rejects.toThrow();
        await expect(writeChecked(join(open, "c.fold"), [Buffer.from("c")], calls)).rejects.toThrow();
        await keepFolderWithin(ours, join(ours, "a.fold"), { maxFiles: 100 });
      }
      expect(openFds()).toBe(before);
      expect(readdirSync(ours).sort()).toEqual([
        "a-folder.fold",
        "a.fold",
        "b0.fold",
        "b1.fold",
        "b2.fold",
        "damaged.fold",
      ]);
    });
  },
);
