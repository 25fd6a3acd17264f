// The servers a required-MCP failure may name (declaredMcpServers) are those of the config Codex 0.171 starts
// with: a project's .codex/config.toml only when the user's config trusts that project ("Untrusted
// project-local configuration is disabled"), no file reached through a link, and the machine's config too.
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { declaredMcpServers } from "../../src/codex/mcp-startup.js";

async function layout(userConfig: (project: string) => string) {
  const root = await realpath(await mkdtemp(join(tmpdir(), "declared-")));
  const home = join(root, "home");
  const project = join(root, "proj");
  await mkdir(home);
  await mkdir(join(project, ".codex"), { recursive: true });
  await writeFile(join(home, "config.toml"), userConfig(project));
  await writeFile(join(project, ".codex", "config.toml"), '[mcp_servers.github]\ncommand = "gh-mcp"\n');
  return { root, home, project };
}

const NO_MACHINE = (root: string) => ({
  config: join(root, "none", "config.toml"),
  managed: join(root, "none", "managed_config.toml"),
  requirements: join(root, "none", "requirements.toml"),
  owners: [process.getuid?.() ?? 0],
});

describe("declaredMcpServers", () => {
  it("leaves out what an untrusted project's .codex/config.toml declares (Codex ignores that file)", async () => {
    const { root, home, project } = await layout(() => '[mcp_servers.docs]\ncommand = "docs-mcp"\n');
    // before: ["docs", "github"]: a cloned repository's file named a server Codex never started
    expect([...(await declaredMcpServers(home, project, [], NO_MACHINE(root)))]).toEqual(["docs"]);
  });

  it("counts a trusted project's servers, and the -c overrides' (the control)", async () => {
    const { root, home, project } = await layout(
      (dir) =>
        `[mcp_servers.docs]\ncommand = "docs-mcp"\n\n[projects.${JSON.stringify(dir)}]\ntrust_level = "trusted"\n`,
    );
    expect([...(await declaredMcpServers(home, project, ["mcp_servers.extra.command"], NO_MACHINE(root)))]).toEqual([
      "docs",
      "github",
      "extra",
    ]);
  });

  it("counts the machine's config.toml", async () => {
    const { root, home, project } = await layout(() => "");
    const machine = NO_MACHINE(root);
    await mkdir(join(root, "none"));
    await writeFile(machine.config, '[mcp_servers.corp]\ncommand = "corp-mcp"\n');
    // before: []: a required server of /etc/codex/config.toml that failed second was folded into the first's reason
    expect([...(await declaredMcpServers(home, project, [], machine))]).toEqual(["corp"]);
  });

  it("reads no project file through a link", async () => {
    const { root, home, project } = await layout(
      (dir) => `[projects.${JSON.stringify(dir)}]\ntrust_level = "trusted"\n`,
    );
    const elsewhere = join(root, "elsewhere.toml");
    await writeFile(elsewhere, '[mcp_servers.linked]\ncommand = "x"\n');
    await rm(join(project, ".codex", "config.toml"));
    await symlink(elsewhere, join(project, ".codex", "config.toml"));
    // before: ["linked"]
    expect([...(await declaredMcpServers(home, project, [], NO_MACHINE(root)))]).toEqual([]);
  });
});

describe("declaredMcpServers and a linked CODEX_HOME config.toml", () => {
  it("reads the user's own file through its link (a dotfile manager's), as Codex does", async () => {
    const { root, home, project } = await layout(() => "");
    const dotfile = join(root, "dotfiles-config.toml");
    await writeFile(dotfile, '[mcp_servers.docs]\ncommand = "docs-mcp"\n\n[mcp_servers.github]\ncommand = "gh"\n');
    await rm(join(home, "config.toml"));
    await symlink(dotfile, join(home, "config.toml"));
    // before: []: a second server that failed was folded into the first one's reason
    expect([...(await declaredMcpServers(home, project, [], NO_MACHINE(root)))]).toEqual(["docs", "github"]);
  });
});
