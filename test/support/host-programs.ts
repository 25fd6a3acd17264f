// Real MCP host programs from the npm registry, installed on first use into node_modules/.cache/hosts/
// (like the older Codex versions), and the README's host commands turned into argv for them.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { isolatedEnv } from "./isolated-env.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(root, "dist", "cli.js");

export interface HostProgram {
  /** npm package and pinned version. */
  spec: string;
  /** The entry inside the install folder: a Node script, or with `native` an executable. */
  entry: string;
  native?: boolean;
}

export const HOSTS = {
  gemini: { spec: "@google/gemini-cli@0.61.0", entry: "node_modules/@google/gemini-cli/bundle/gemini.js" },
  opencode: { spec: "opencode-ai@1.18.33", entry: "node_modules/.bin/opencode", native: true },
  continue: { spec: "@continuedev/cli@1.5.47", entry: "node_modules/@continuedev/cli/dist/cn.js" },
} as const satisfies Record<string, HostProgram>;

/** The host's entry file, installed if missing; or the reason it cannot be (the test then skips with it). */
export async function installHost(host: HostProgram): Promise<{ entry: string } | { skip: string }> {
  const dir = join(root, "node_modules", ".cache", "hosts", host.spec.replaceAll("/", "+"));
  const entry = join(dir, host.entry);
  if (existsSync(entry)) return { entry };
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "package.json"), '{"private":true}\n');
    const env = isolatedEnv(await mkdtemp(join(tmpdir(), "ccm-npm-")));
    await promisify(execFile)("npm", ["install", "--no-audit", "--no-fund", "--no-save", host.spec], {
      cwd: dir,
      env,
      timeout: 600_000,
    });
  } catch (error) {
    return {
      skip: `${host.spec} could not be installed from the npm registry (${(error as Error).message.split("\n")[0]}); this host is not checked here`,
    };
  }
  return existsSync(entry)
    ? { entry }
    : { skip: `${host.spec} installed without ${host.entry}; this host is not checked here` };
}

/** Shell words of a README command: spaces split, single quotes keep `$VAR` for the host to expand. */
export function shellWords(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? "");
}

/**
 * A README command for this checkout: `codex-control-mcp` (on PATH after `npm install -g .`; OpenClaw's
 * `--command codex-control-mcp`, Auggie's `--command codex-control-mcp`) becomes the built server,
 * `$HOME/.codex` the test's CODEX_HOME, and an unquoted `$NAME` what the shell would make of it with `shell`
 * as its environment; the program name (first word) is dropped.
 */
export function readmeArgv(
  command: string,
  codexHome: string,
  shell: Record<string, string | undefined> = {},
): string[] {
  const server = `${process.execPath} ${CLI}`;
  const words = [...command.replaceAll("$HOME/.codex", codexHome).matchAll(/'([^']*)'|(\S+)/g)].flatMap((match) => {
    if (match[1] !== undefined) return [match[1]];
    const word = (match[2] ?? "").replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => shell[name] ?? "");
    return word === "codex-control-mcp" ? server.split(" ") : [word];
  });
  const at = words.indexOf("--command");
  // a host that takes the server as one `--command` value: the script goes in its argument option
  if (at >= 0 && words[at + 1] === process.execPath)
    words.splice(at + 2, 1, ...(words[0] === "auggie" ? ["--args", CLI] : ["--arg", CLI]));
  return words.slice(1);
}

/** argv for running an installed host with this Node. */
export function hostCommand(host: HostProgram, entry: string, args: string[]): [string, string[]] {
  return host.native ? [entry, args] : [process.execPath, [entry, ...args]];
}
