// The cache files are reached through their open folder's /proc/self/fd/N where the system has one. A process
// whose /proc/self/fd it may not read (made non-dumpable: a setuid start, prctl) is refused its lstat: the
// synchronous path (a one-shot command's) let that error out of readChecked, which never throws, leaving the
// folder's descriptor open. It uses the folder by its name there, as the asynchronous path does.
import { readdirSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { readChecked, writeChecked } from "../../src/sessions/checked-files.js";

const refused = vi.hoisted(() => ({ on: false }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const lstatSync = ((path: string, ...rest: unknown[]) => {
    if (refused.on && String(path).startsWith("/proc/self/fd/"))
      throw Object.assign(new Error(`EACCES: permission denied, lstat '${path}'`), { code: "EACCES" });
    return (fs.lstatSync as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.lstatSync;
  return { ...fs, default: { ...fs, lstatSync }, lstatSync };
});

describe.runIf(process.platform === "linux")("a process refused its /proc/self/fd", () => {
  it("reads and writes its cache files by the folder's name, every descriptor closed", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "ccm-proc-refused-")), "folds");
    await writeChecked(join(dir, "a.fold"), [Buffer.from("fold")], "sync");
    // the control: with /proc/self/fd readable, the same calls
    expect((await readChecked(join(dir, "a.fold"), 1024, "sync"))?.toString()).toBe("fold");
    refused.on = true;
    const before = readdirSync("/proc/self/fd").length;
    expect((await readChecked(join(dir, "a.fold"), 1024, "sync"))?.toString()).toBe("fold");
    await writeChecked(join(dir, "b.fold"), [Buffer.from("b")], "sync");
    expect((await readChecked(join(dir, "b.fold"), 1024, "sync"))?.toString()).toBe("b");
    refused.on = false;
    expect(readdirSync("/proc/self/fd").length).toBe(before);
  });
});
