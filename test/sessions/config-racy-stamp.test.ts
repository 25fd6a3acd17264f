// A config file's parse is kept while its stamp (inode, size, mtime, ctime) is unchanged, and the merged facts
// with it. A filesystem whose times are coarse (a second on ext3, HFS+ and many network mounts, two on FAT; a
// clock tick on kernels before 6.13) gives a file rewritten in place, with the same size, within that time the
// same stamp: the facts stayed the old ones for as long as the file was not written again. Under a stamp no
// older than that time (git's "racily clean" entries) the bytes are compared now. The filesystem here keeps
// nanoseconds, so its stat is pinned: both writes read with one stamp, a ctime a minute ahead (a skewed mount).
import type { BigIntStats } from "node:fs";
import * as fs from "node:fs/promises";
import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readCodexConfig } from "../../src/sessions/codex-config.js";

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return { ...actual, open: vi.fn(actual.open) };
});

let root: string;
beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-racy-stamp-")));
});
afterAll(async () => {
  vi.mocked(fs.open).mockRestore();
  await rm(root, { recursive: true, force: true });
});

/** `open` whose handles' stat answers `times` for the file at `path`. */
async function pinTimes(path: string, times: Pick<BigIntStats, "mtimeNs" | "ctimeNs">) {
  const actual = await vi.importActual<typeof import("node:fs/promises")>("node:fs/promises");
  vi.mocked(fs.open).mockImplementation(async (...args: Parameters<typeof actual.open>) => {
    const handle = await actual.open(...args);
    if (args[0] !== path) return handle;
    const stat = handle.stat.bind(handle);
    handle.stat = (async (options?: { bigint?: boolean }) => {
      const info = await stat(options as { bigint: true });
      return Object.assign(Object.create(Object.getPrototypeOf(info) as object) as BigIntStats, info, times);
    }) as typeof handle.stat;
    return handle;
  });
}

describe("a config file rewritten within its filesystem's time resolution", () => {
  it("is read again, not answered from the last read", async () => {
    const home = join(root, "home");
    await fs.mkdir(home);
    const config = join(home, "config.toml");
    const ahead = BigInt(Date.now() + 60_000) * 1_000_000n;
    await pinTimes(config, { mtimeNs: ahead, ctimeNs: ahead });
    const none = { config: join(root, "none.toml"), managed: join(root, "none2.toml") };
    await writeFile(config, '[mcp_servers.aa]\ncommand = "x"\n');
    expect((await readCodexConfig(home, null, none))?.mcpServers).toEqual(["aa"]);
    // the same size, the same stamp
    await writeFile(config, '[mcp_servers.bb]\ncommand = "x"\n');
    expect((await readCodexConfig(home, null, none))?.mcpServers).toEqual(["bb"]);
  });
});
