// createExclusive (state-files.ts): a cancel, a steer, an approval's answer, the scheduler's lock appear whole.
// Made empty and then written, a reader polling for one could find it empty: a supervisor then recorded a
// cancel without its reason (seen in CI: "cancel_run was called" for a server's shutdown).
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, open } from "node:fs/promises";
import { constants } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createExclusive } from "../../src/contract/state-files.js";

/** The way before: made empty (exclusively), then written. */
async function createThenWrite(path: string, text: string): Promise<boolean> {
  const handle = await open(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  return true;
}

/** What a reader polling each turn of the event loop saw of `count` files being made: how many reads found one empty. */
async function emptyReads(make: (path: string, text: string) => Promise<boolean>, count: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "ccm-exclusive-"));
  let empty = 0;
  let current = "";
  let polling = true;
  const poll = () => {
    try {
      if (current !== "" && readFileSync(current, "utf8") === "") empty += 1;
    } catch {
      // not there yet
    }
    if (polling) setImmediate(poll);
  };
  poll();
  for (let i = 0; i < count; i++) {
    current = join(dir, `cancel-${i}`);
    await make(current, "the server shut down (stdin closed)");
  }
  polling = false;
  return empty;
}

describe("createExclusive", () => {
  it("makes the file with its text once; a second call, or a link in its place, leaves it as it is", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-exclusive-"));
    expect(await createExclusive(join(dir, "cancel"), "first")).toBe(true);
    expect(await createExclusive(join(dir, "cancel"), "second")).toBe(false);
    expect(readFileSync(join(dir, "cancel"), "utf8")).toBe("first");
    writeFileSync(join(dir, "target"), "theirs");
    symlinkSync(join(dir, "target"), join(dir, "lock"));
    expect(await createExclusive(join(dir, "lock"), "mine")).toBe(false);
    expect(readFileSync(join(dir, "target"), "utf8")).toBe("theirs");
    // no temporary left beside them
    expect(readdirSync(dir).sort()).toEqual(["cancel", "lock", "target"]);
  });

  it("is never seen empty by a reader polling for it (control: made empty then written, it is)", async () => {
    expect(await emptyReads(createExclusive, 300)).toBe(0);
    expect(await emptyReads(createThenWrite, 300)).toBeGreaterThan(0);
  });
});
