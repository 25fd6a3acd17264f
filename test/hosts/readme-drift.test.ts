// Every host command the README shows is one a test (or npm run verify:hosts) runs: README_COMMANDS.
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { README_COMMANDS } from "./readme-commands.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const HOST_PROGRAMS = ["claude", "gemini", "codex", "openclaw", "opencode"];

async function hostSection(): Promise<string> {
  const readme = await readFile(join(root, "README.md"), "utf8");
  const start = readme.indexOf("## Add it to your agent host");
  // fenced blocks hold config, not commands, and their fences would pair up with inline backticks
  return readme.slice(start, readme.indexOf("\n## ", start + 1)).replace(/```[\s\S]*?```/g, "");
}

describe("README host commands", () => {
  it("each host command in the README's host section is in README_COMMANDS", async () => {
    const spans = [...(await hostSection()).matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "");
    const commands = spans.filter((span) => HOST_PROGRAMS.includes(span.split(" ")[0] ?? "") && span.includes(" mcp "));
    expect(commands.length).toBeGreaterThanOrEqual(6);
    expect(commands.filter((command) => !(Object.values(README_COMMANDS) as string[]).includes(command))).toEqual([]);
  });

  it("each of README_COMMANDS is in the README and run by a test or by verify:hosts", async () => {
    const section = await hostSection();
    const users = [
      ...(await readdir(join(root, "test", "hosts"))).filter((file) => file.endsWith(".test.ts")).map((file) => join(root, "test", "hosts", file)),
      join(root, "scripts", "verify-hosts.ts"),
    ];
    const sources = (await Promise.all(users.map((file) => readFile(file, "utf8").catch(() => "")))).join("\n");
    for (const [key, command] of Object.entries(README_COMMANDS)) {
      expect(section, key).toContain(`\`${command}\``);
      expect(sources, key).toContain(`README_COMMANDS.${key}`);
    }
  });
});
