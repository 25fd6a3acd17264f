// npm run verify:hosts — the hosts that need a newer Node than the tests run on (Claude Code ≥ 22, OpenClaw
// ≥ 24). Brings Node 24 from the npm registry (the `node-<platform>-<arch>` binary package), installs each
// host into node_modules/.cache/hosts, registers the built server with the README's command and asks the
// host whether it connects. Prints one line per host; exits 1 if a host that installed fails its check.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { copyFixtureHome } from "../test/support/fixtures.js";
import { readmeArgv } from "../test/support/host-programs.js";
import { README_COMMANDS } from "../test/hosts/readme-commands.js";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cache = join(root, "node_modules", ".cache", "hosts");

/** Installs with this process's environment (the user's npm config and registry), not the hosts' scratch HOME. */
async function npmInstall(spec: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = join(cache, spec.replaceAll("/", "+"));
  if (!existsSync(join(dir, "node_modules"))) {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "package.json"), '{"private":true}\n');
    await run("npm", ["install", "--no-audit", "--no-fund", "--no-save", spec], { cwd: dir, env, timeout: 900_000 });
  }
  return dir;
}

async function node24(): Promise<string> {
  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = await npmInstall(`${pkg}@24`);
  const bin = join(dir, "node_modules", pkg, "bin", "node");
  if (!existsSync(bin)) throw new Error(`${pkg}@24 installed without bin/node`);
  return bin;
}

interface Outcome {
  host: string;
  result: "ok" | "FAIL" | "skipped";
  detail: string;
}

async function check(
  host: string,
  spec: string,
  /** The command that starts the installed host, from its install folder. */
  command: (dir: string) => [string, string[]],
  steps: (exec: (args: string[]) => Promise<string>) => Promise<string>,
  env: NodeJS.ProcessEnv,
): Promise<Outcome> {
  let dir: string;
  try {
    dir = await npmInstall(spec, { ...process.env, PATH: env.PATH });
  } catch (error) {
    const failed = error as { message: string; stderr?: string };
    return { host, result: "skipped", detail: `${spec} could not be installed: ${failed.message.split("\n")[0]} ${(failed.stderr ?? "").trim().split("\n").slice(-3).join(" ")}` };
  }
  const [program, prefix] = command(dir);
  const exec = async (args: string[]) => {
    const { stdout, stderr } = await run(program, [...prefix, ...args], { env, timeout: 180_000 });
    return `${stdout}${stderr}`;
  };
  try {
    return { host, result: "ok", detail: await steps(exec) };
  } catch (error) {
    const failed = error as { message: string; stdout?: string; stderr?: string };
    return { host, result: "FAIL", detail: `${failed.message.split("\n")[0]}\n${failed.stdout ?? ""}${failed.stderr ?? ""}`.trim() };
  }
}

async function main(): Promise<number> {
  const node = await node24();
  const { home: codexHome } = await copyFixtureHome();
  const home = await realpath(await mkdtemp(join(tmpdir(), "ccm-verify-hosts-")));
  const env = { PATH: `${dirname(node)}:${process.env.PATH ?? ""}`, HOME: home, OPENAI_API_KEY: "sk-verify-hosts", NO_COLOR: "1", CI: "1" };
  process.stderr.write(`Node ${(await run(node, ["--version"])).stdout.trim()} from the npm registry; hosts in ${cache}\n`);

  const outcomes = [
    // npm 11 runs no install scripts here, so the wrapper's postinstall never swaps in the native binary:
    // its cli-wrapper.cjs finds and runs it
    await check("Claude Code", "@anthropic-ai/claude-code@2.1.332", (dir) => [node, [join(dir, "node_modules", "@anthropic-ai", "claude-code", "cli-wrapper.cjs")]], async (exec) => {
      await exec(readmeArgv(README_COMMANDS.claude, codexHome));
      const listed = await exec(readmeArgv(README_COMMANDS.claudeList, codexHome));
      if (!/codex-control:.*Connected/.test(listed)) throw new Error(`claude mcp list does not show codex-control connected:\n${listed}`);
      return listed.split("\n").find((line) => line.includes("codex-control")) ?? "";
    }, env),
    await check("OpenClaw", "openclaw@2026.9.6", (dir) => [join(dir, "node_modules", ".bin", "openclaw"), []], async (exec) => {
      await exec(readmeArgv(README_COMMANDS.openclaw, codexHome));
      return (await exec(readmeArgv(README_COMMANDS.openclawProbe, codexHome))).trim();
    }, env),
  ];
  for (const outcome of outcomes) process.stdout.write(`${outcome.result.padEnd(8)} ${outcome.host}: ${outcome.detail}\n`); // stdout-ok
  return outcomes.some((outcome) => outcome.result === "FAIL") ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`verify:hosts could not run: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
