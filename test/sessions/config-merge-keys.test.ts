// Codex's config layers merged key by key (mergeTables): a layer's `__proto__` table is a table like any other to
// Codex (0.171 checked: `[__proto__.mcp_servers.ghost]` in a trusted project's file defines no server), but
// assigned onto a plain object it set the merged table's prototype, so the session tools saw its keys as the
// config's own (a server "ghost"). And a config Codex starts with nests up to 6,399 tables deep (80 inline tables
// of 80-part keys under an 80-part header), which the merge's recursion did not survive.
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCodexConfig } from "../../src/sessions/codex-config.js";
import { projectWith } from "../support/trusted-project.js";
import { codexEnv } from "../support/codex-home.js";
import { PINNED_CODEX } from "../support/codex-versions.js";

/** The servers `codex mcp list` shows, run in the repository. */
async function codexServers(home: string, repo: string): Promise<string[]> {
  const child = spawn(PINNED_CODEX, ["mcp", "list"], {
    cwd: repo,
    env: codexEnv(home),
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.on("close", resolve));
  if (/No MCP servers configured/.test(out)) return [];
  return out
    .split("\n")
    .slice(1)
    .map((row) => row.split(/\s+/)[0] ?? "")
    .filter(Boolean);
}

describe("config layers merged", () => {
  it("a project's __proto__ table is a key, not the merged table's prototype", async () => {
    const { home, repo, none } = await projectWith(
      "",
      '[__proto__.mcp_servers.ghost]\ncommand = "node"\n[__proto__.sandbox_workspace_write]\nexclude_slash_tmp = true\n',
    );
    const facts = await readCodexConfig(home, repo, none);
    // the control (its own merge spread the prototype away before): Codex and these facts agree
    expect([await codexServers(home, repo), facts?.mcpServers, facts?.excludeSlashTmp]).toEqual([[], [], false]);
  }, 30_000);

  it("a managed config's __proto__ table shows no server and no provider", async () => {
    const { home, none } = await projectWith('model = "m"\n', "");
    await writeFile(
      none.managed,
      '[__proto__.mcp_servers.ghost]\ncommand = "node"\n[__proto__.model_providers.evil]\nenv_key = "EVIL_KEY"\n',
    );
    const facts = await readCodexConfig(home, null, none);
    // before: [["ghost"], { evil: { files: [], envKey: "EVIL_KEY", hasEnvKey: true } }]
    expect([facts?.mcpServers, facts?.modelProviders]).toEqual([[], undefined]);
  });

  it("a config nested 6,399 deep, which Codex starts with, merges", async () => {
    const key = Array.from({ length: 80 }, (_, i) => `k${i}`).join(".");
    const deep = `[${key}]\n${key} = ${`{ ${key} = `.repeat(78)}1${" }".repeat(78)}\n`;
    const server = '[mcp_servers.tsrv]\ncommand = "node"\n';
    const { home, repo, none } = await projectWith(server, `${deep}[mcp_servers.psrv]\ncommand = "node"\n`);
    await writeFile(join(home, "config.toml"), `${deep}${server}[projects."${repo}"]\ntrust_level = "trusted"\n`);
    const facts = await readCodexConfig(home, repo, none).catch((error: Error) => error.message);
    // before: "Maximum call stack size exceeded"
    expect([await codexServers(home, repo), typeof facts === "string" ? facts : facts?.mcpServers]).toEqual([
      ["psrv", "tsrv"],
      ["psrv", "tsrv"],
    ]);
  }, 30_000);
});
