// A key of more than 80 parts (dotted, a [header], a [[header]]) is a config Codex 0.171 refuses ("config.toml:1:1:
// recursion limit"), though each table it makes is nested no deeper than smol-toml's limit counts; the session tools
// read it as fine, and a 400k-part key made the layers' merge recurse until "Maximum call stack size exceeded".
// parseToml refuses such a key now; the real CLI is the control for every text.
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCodexConfig } from "../../src/sessions/codex-config.js";
import { projectWith } from "../support/trusted-project.js";
import { parseToml } from "../../src/sessions/codex-config-files.js";
import { codexEnv } from "../support/codex-home.js";
import { PINNED_CODEX } from "../support/codex-versions.js";

const key = (parts: number, name = "k") => Array.from({ length: parts }, (_, i) => `${name}${i}`).join(".");
const server = '[mcp_servers.tsrv]\ncommand = "node"\n';
const TEXTS: Record<string, string> = {
  dotted80: `${key(80)} = 1\n${server}`,
  dotted81: `${server}${key(81)} = 1\n`,
  header81: `${server}\n# a "comment" with [brackets]\n[${key(81)}]\nx = 1\n`,
  tables81: `${server}[[${key(81)}]]\nx = 1\n`,
  headerAndDotted: `[${key(40)}]\n${key(41, "j")} = 1\n${server}`,
  quoted81: `${server}x = """a\n"b"\n"""\n[${key(80)}."q.r"]\ny = 1\n`,
  inline81: `${server}x = [{ a = 1, ${key(81)} = 2 }]\n`,
  arrays: `a.b = ${"[".repeat(79)}${"]".repeat(79)}\n${server}`,
};

/** What the real CLI says of a config: its servers listed, or the reason it refuses. */
async function codexSays(text: string): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), "ccm-longkey-"));
  await writeFile(join(home, "config.toml"), text);
  const child = spawn(PINNED_CODEX, ["mcp", "list"], { env: codexEnv(home), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.on("close", resolve));
  return /config\.toml:(\d+:\d+: recursion limit)/.exec(out)?.[1] ?? (/^tsrv\s/m.test(out) ? "starts" : out);
}

function ours(text: string) {
  const parsed = parseToml(text);
  return "table" in parsed ? "starts" : parsed.notToml;
}

describe("a config key of more than Codex's 80 parts", () => {
  it("is refused where Codex refuses it, at the key's line", async () => {
    const answers: Record<string, unknown> = {};
    for (const [name, text] of Object.entries(TEXTS)) answers[name] = [await codexSays(text), ours(text)];
    const refused = (line: number) => ({ line, column: 1, what: "recursion limit: a key of more than 80 parts" });
    // before: every one "starts" on our side
    expect(answers).toEqual({
      dotted80: ["starts", "starts"],
      dotted81: ["1:1: recursion limit", refused(3)],
      header81: ["1:1: recursion limit", refused(5)],
      tables81: ["1:1: recursion limit", refused(3)],
      headerAndDotted: ["starts", "starts"],
      quoted81: ["1:1: recursion limit", refused(6)],
      inline81: ["1:1: recursion limit", refused(3)],
      arrays: ["starts", "starts"],
    });
  }, 60_000);

  it("a 400,000-part key is a broken config, not a stack overflow", async () => {
    const deep = `${"a.".repeat(400_000)}b = 1\n`;
    const { home, repo, none } = await projectWith(`${deep}${server}`, deep);
    const facts = await readCodexConfig(home, repo, none).catch((error: Error) => error.message);
    // before: "Maximum call stack size exceeded" (the user's and the project's layers merged)
    expect(typeof facts === "string" ? facts : [facts?.mcpServers, facts?.brokenUserConfig]).toEqual([[], true]);
  });
});
