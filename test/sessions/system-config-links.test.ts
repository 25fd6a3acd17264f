// A machine config file that is a link (NixOS: /etc/codex/config.toml -> /etc/static/codex/config.toml ->
// /nix/store/…) made the whole config "unknown": Codex 0.171 follows the link, and every step that needed the
// file's facts was dropped. The link is followed now only along a way its trusted owners alone could have laid;
// root in production, here also this test's user, who owns the temp folders (root owns / and /tmp, sticky).
import { chmod, chown, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCodexConfig } from "../../src/sessions/codex-config.js";
import { MAX_LINK_HOPS, trustedTarget } from "../../src/sessions/codex-config-links.js";

let root: string;
let home: string;
const owners = [0, process.getuid?.() ?? 0];
beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-system-links-")));
  home = join(root, "home");
  await mkdir(home);
  await writeFile(join(home, "config.toml"), "");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh etc/ folder with config.toml a link to `store/<name>/config.toml` holding `text`. */
async function linked(name: string, text: string, storeMode = 0o755, fileMode = 0o644) {
  const etc = join(root, name, "etc");
  const store = join(root, name, "store");
  await mkdir(etc, { recursive: true });
  await mkdir(join(store, "pkg"), { recursive: true });
  await writeFile(join(store, "pkg", "config.toml"), text);
  await chmod(join(store, "pkg", "config.toml"), fileMode);
  await chmod(store, storeMode);
  // two hops, one relative through a linked folder, as NixOS's /etc/static
  await symlink(join(store, "pkg"), join(etc, "static"));
  await symlink("static/config.toml", join(etc, "config.toml"));
  return { config: join(etc, "config.toml"), managed: join(etc, "managed_config.toml"), owners };
}

const SERVER = '[mcp_servers.sys]\ncommand = "node"\n';

describe("a machine config file that is a link", () => {
  it("along folders only its trusted owners may write: read as the file it leads to", async () => {
    const files = await linked("trusted", SERVER);
    expect(await readCodexConfig(home, null, files)).toEqual({
      mcpServers: ["sys"],
      disabledMcpServers: [],
      mcpToolFilters: [],
      excludeSlashTmp: false,
      machineLayers: [files.config],
    });
  });

  it("into a folder anyone may write, or to a file anyone may write: unknown, as before", async () => {
    const open = await linked("world-writable-folder", SERVER, 0o777);
    expect(await readCodexConfig(home, null, open)).toBeUndefined();
    // control: the same link with the folder closed is read (the refusal is the folder's mode)
    await chmod(join(root, "world-writable-folder", "store"), 0o755);
    expect((await readCodexConfig(home, null, open))?.mcpServers).toEqual(["sys"]);
    const writable = await linked("world-writable-file", SERVER, 0o755, 0o666);
    expect(await readCodexConfig(home, null, writable)).toBeUndefined();
    // a sticky folder others may write (/nix/store is 1775): the trusted owner's entry in it cannot be swapped
    const sticky = await linked("sticky-folder", SERVER, 0o1777);
    expect((await readCodexConfig(home, null, sticky))?.mcpServers).toEqual(["sys"]);
  });

  it("a file whose owner is not trusted: unknown", async () => {
    const files = await linked("owner", SERVER);
    // as root, the file is given to `nobody`; as anyone else, their own temp folders are not root's
    if ((process.getuid?.() ?? 0) === 0) await chown(join(root, "owner", "store", "pkg", "config.toml"), 65534, 65534);
    expect(await readCodexConfig(home, null, { ...files, owners: [0] })).toBeUndefined();
  });

  it("a link to nothing: absent; more links than MAX_LINK_HOPS: unknown", async () => {
    const etc = join(root, "hops");
    await mkdir(etc);
    await symlink(join(etc, "nothing.toml"), join(etc, "dangling.toml"));
    expect(await trustedTarget(join(etc, "dangling.toml"), owners)).toBe("absent");
    await writeFile(join(etc, "file.toml"), SERVER);
    let previous = join(etc, "file.toml");
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const link = join(etc, `link-${hop}.toml`);
      await symlink(previous, link);
      previous = link;
    }
    expect(await trustedTarget(join(etc, `link-${MAX_LINK_HOPS - 1}.toml`), owners)).toMatchObject({
      path: join(etc, "file.toml"),
    });
    expect(await trustedTarget(previous, owners)).toBeUndefined();
  });
});
