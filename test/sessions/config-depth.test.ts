// A config nested past Codex 0.171's limit is not a config Codex starts with: 80 nested arrays (or inline tables) it
// reads, 81 it refuses ("Error loading config.toml: …: cannot recurse further; max recursion depth met", checked with
// the CLI). smol-toml's own limit was 1000, so the session tools read such a file as fine and printed a resume that
// Codex refused; they parse with Codex's limit now (codex-config-files.ts parseToml, the credentials check's too).
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFacts, readCodexConfig } from "../../src/sessions/codex-config.js";

const nested = (depth: number) =>
  `zz = ${"[".repeat(depth)}${"]".repeat(depth)}\n[mcp_servers.tsrv]\ncommand = "node"\n`;

describe("a config nested past Codex's limit", () => {
  it("80 levels read, 81 are not TOML, as Codex says", async () => {
    const root = await mkdtemp(join(tmpdir(), "ccm-depth-"));
    const none = { config: join(root, "none.toml"), managed: join(root, "none2.toml") };
    const answers = [];
    for (const depth of [80, 81]) {
      const home = join(root, String(depth));
      await mkdir(home);
      await writeFile(join(home, "config.toml"), nested(depth));
      const facts = await readCodexConfig(home, null, none);
      answers.push([facts?.mcpServers, facts?.brokenUserConfig, configFacts(nested(depth))?.mcpServers]);
    }
    // before: 81 read as fine, [["tsrv"], undefined, ["tsrv"]]
    expect(answers).toEqual([
      [["tsrv"], undefined, ["tsrv"]],
      [[], true, undefined],
    ]);
  });
});
