// A machine config file's link is followed along a way only its trusted owners could have laid
// (codex-config-links.ts), then the file it leads to is opened: what is opened must still be the file the way
// was checked for (its device and inode) and still no one else's to write, or a swap between the walk and the
// open would be read. `open` is wrapped so that the swap happens in that gap.
import { chmod, mkdir, mkdtemp, realpath, rename, rm, symlink, writeFile } from "node:fs/promises";
import * as fs from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readCodexConfig } from "../../src/sessions/codex-config.js";

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return { ...actual, open: vi.fn(actual.open) };
});

let root: string;
const owners = [0, process.getuid?.() ?? 0];
beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-system-link-swap-")));
  await mkdir(join(root, "home"));
  await writeFile(join(root, "home", "config.toml"), "");
});
afterAll(async () => {
  vi.mocked(fs.open).mockRestore();
  await rm(root, { recursive: true, force: true });
});

/** etc/config.toml -> store/config.toml, and `swap` done to the target just before it is opened. */
async function linked(name: string, swap?: (target: string) => Promise<void>) {
  const dir = join(root, name);
  await mkdir(join(dir, "store"), { recursive: true });
  const target = join(dir, "store", "config.toml");
  await writeFile(target, '[mcp_servers.sys]\ncommand = "node"\n');
  await symlink(target, join(dir, "config.toml"));
  const actual = await vi.importActual<typeof import("node:fs/promises")>("node:fs/promises");
  vi.mocked(fs.open).mockImplementation(async (...args: Parameters<typeof actual.open>) => {
    if (args[0] === target && swap) await swap(target);
    return actual.open(...args);
  });
  return { config: join(dir, "config.toml"), managed: join(dir, "managed.toml"), owners };
}

describe("a machine config link whose file changes between the walk and the open", () => {
  it("is unknown when another file was put in its place, or it became writable by others", async () => {
    const home = join(root, "home");
    // the control: nothing changes, the file is read
    expect((await readCodexConfig(home, null, await linked("control")))?.mcpServers).toEqual(["sys"]);
    const replaced = await linked("replaced", async (target) => {
      await writeFile(`${target}.new`, '[mcp_servers.swapped]\ncommand = "node"\n');
      await rename(`${target}.new`, target);
    });
    expect(await readCodexConfig(home, null, replaced)).toBeUndefined();
    const opened = await linked("opened", (target) => chmod(target, 0o666));
    expect(await readCodexConfig(home, null, opened)).toBeUndefined();
  });
});
