// Every host command the README and docs/hosts.md show is one a test (or npm run verify:hosts) runs:
// README_COMMANDS. The commands are followed wherever they live.
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { README_COMMANDS } from "./readme-commands.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const HOST_PROGRAMS = ["claude", "gemini", "codex", "openclaw", "opencode", "copilot", "qwen", "amp", "auggie"];

/** The README's host section and the whole of docs/hosts.md, without fenced blocks. */
async function hostDocuments(): Promise<Array<{ name: string; text: string }>> {
  const readme = await readFile(join(root, "README.md"), "utf8");
  const start = readme.indexOf("## Add it to your agent host");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const hosts = await readFile(join(root, "docs", "hosts.md"), "utf8");
  // fenced blocks hold config, not commands, and their fences would pair up with inline backticks
  return [
    { name: "README.md", text: section },
    { name: "docs/hosts.md", text: hosts },
  ].map(({ name, text }) => ({ name, text: text.replace(/```[\s\S]*?```/g, "") }));
}

const commandsIn = (text: string) =>
  [...text.matchAll(/`([^`]+)`/g)]
    .map((match) => match[1] ?? "")
    .filter((span) => HOST_PROGRAMS.includes(span.split(" ")[0] ?? "") && / mcp( |$)/.test(span));

describe("documented host commands", () => {
  it("each host command in the README's host section and in docs/hosts.md is in README_COMMANDS", async () => {
    for (const { name, text } of await hostDocuments()) {
      const commands = commandsIn(text);
      expect(commands.length, name).toBeGreaterThanOrEqual(12);
      expect(
        commands.filter((command) => !(Object.values(README_COMMANDS) as string[]).includes(command)),
        name,
      ).toEqual([]);
    }
  });

  it("each of README_COMMANDS is in both documents and run by a test or by verify:hosts", async () => {
    const documents = await hostDocuments();
    const users = [
      ...(await readdir(join(root, "test", "e2e", "hosts")))
        .filter((file) => file.endsWith(".test.ts"))
        .map((file) => join(root, "test", "e2e", "hosts", file)),
      join(root, "scripts", "verify-hosts.ts"),
    ];
    const sources = (await Promise.all(users.map((file) => readFile(file, "utf8").catch(() => "")))).join("\n");
    for (const [key, command] of Object.entries(README_COMMANDS)) {
      for (const { name, text } of documents) expect(text, `${key} in ${name}`).toContain(`\`${command}\``);
      expect(sources, key).toContain(`README_COMMANDS.${key}`);
    }
  });

  it("no documented host command uses the npx form as if it worked today", async () => {
    for (const { name, text } of await hostDocuments()) {
      expect(
        commandsIn(text).filter((command) => command.includes("npx -y codex-control-mcp")),
        name,
      ).toEqual([]);
    }
  });
});

/** Every test file (.ts) under test/, recursively. */
async function testSources(): Promise<string[]> {
  const entries = await readdir(join(root, "test"), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("the README's note on what the first `npm test` downloads", () => {
  it("names every older Codex CLI a test installs, and the folder of the host tests", async () => {
    const versions = new Set<string>();
    for (const file of await testSources()) {
      const text = await readFile(file, "utf8");
      for (const match of text.matchAll(/codexVersion\("(\d+\.\d+\.\d+)"\)/g)) versions.add(match[1] ?? "");
      // a suite run once per version: describe.each(["0.100.0", …]) around codexVersion(version)
      if (text.includes("codexVersion(version)"))
        for (const list of text.matchAll(/\.each\(\[([^\]]*)\]\)/g))
          for (const match of (list[1] ?? "").matchAll(/"(\d+\.\d+\.\d+)"/g)) versions.add(match[1] ?? "");
    }
    const byVersion = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });
    const readme = (await readFile(join(root, "README.md"), "utf8")).replace(/\s+/g, " ");
    const note = /the older Codex CLIs some tests run \(([^;]*);[^)]*\) and the host programs of `([^`]+)`/.exec(
      readme,
    );
    expect([note?.[1]?.split(", "), note?.[2]]).toEqual([[...versions].sort(byVersion), "test/e2e/hosts"]);
    expect((await readdir(join(root, "test", "e2e", "hosts"))).some((file) => file.endsWith(".test.ts"))).toBe(true);
  });
});
