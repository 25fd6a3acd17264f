// Makes the session-log fixtures with the real, published Codex CLI versions against the fake model.
//
//   npm run fixtures                 # all versions below
//   npm run fixtures -- 0.63.0       # one version (its entries in the manifest are replaced)
//   npm run fixtures -- --help-only  # only test/fixtures/cli-help/<version>.txt (`--version` + `exec --help`)
//
// Each version is installed from the npm registry on first use (test/support/codex-versions.ts).
// Every scenario runs in its own CODEX_HOME; the rollouts it writes are copied, with the temporary paths
// scrubbed to /home/user/..., into test/fixtures/codex-home (itself a valid CODEX_HOME), the `--json`
// stdout into test/fixtures/exec-json, and test/fixtures/manifest.json says which file is which.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { codexEnv, makeCodexHome } from "../test/support/codex-home.js";
import { codexVersion } from "../test/support/codex-versions.js";
import { startFakeModel } from "../test/support/fake-model.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "test", "fixtures");
const fixtureHome = join(fixtures, "codex-home");

const VERSIONS = ["0.20.0", "0.39.0", "0.63.0", "0.100.0", "0.169.0"];
const SCRUBBED_HOME = "/home/user/.codex";
const SCRUBBED_WORKDIR = "/home/user/proj";

interface Step {
  prompt: string;
  /** Resume the session made by the first step instead of starting a new one. */
  resume?: boolean;
  /** Send this signal to the process group once Codex has started running a command. */
  signalWhenRunning?: NodeJS.Signals;
  /** Kill the run after this long (CLIs that hang on a model error). */
  killAfterMs?: number;
}

interface Scenario {
  name: string;
  steps: Step[];
  /** Only for CLI versions where the scenario means something. */
  minVersion?: string;
  /** Register dist/cli.js (build first) as the MCP server `ccm` in the scenario's config. */
  mcpServer?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: "command", steps: [{ prompt: "please RUN:echo hi; exit 3" }] },
  {
    // this project's own built server, as an MCP server of the real Codex
    name: "mcp",
    minVersion: "0.63.0",
    mcpServer: true,
    steps: [{ prompt: 'please MCP:list_sessions {"limit":1}' }],
  },
  {
    name: "resumed",
    minVersion: "0.39.0",
    steps: [{ prompt: "please RUN:echo one" }, { prompt: "now PATCH:hello.txt", resume: true }],
  },
  { name: "model-error", steps: [{ prompt: "please FAIL400", killAfterMs: 8000 }] },
  {
    name: "interrupted",
    minVersion: "0.39.0",
    steps: [{ prompt: "please RUN:sleep 30", signalWhenRunning: "SIGINT" }],
  },
  { name: "killed", minVersion: "0.39.0", steps: [{ prompt: "please RUN:sleep 30", signalWhenRunning: "SIGTERM" }] },
];

export interface ManifestEntry {
  version: string;
  scenario: string;
  session_id: string;
  /** Relative to the fixture CODEX_HOME. */
  rollout: string;
  /** `--json` stdout of each step, relative to test/fixtures. */
  exec_json: string[];
  exit_codes: Array<number | null>;
}

async function main(): Promise<void> {
  const helpOnly = process.argv.includes("--help-only");
  const wanted = process.argv.slice(2).filter((arg) => arg !== "--help-only");
  const versions = wanted.length > 0 ? wanted : VERSIONS;
  for (const version of versions) await writeHelp(version, await codexVersion(version));
  if (helpOnly) return;
  const manifestPath = join(fixtures, "manifest.json");
  const previous: ManifestEntry[] = existsSync(manifestPath)
    ? (JSON.parse(await readFile(manifestPath, "utf8")) as ManifestEntry[])
    : [];
  const kept = previous.filter((entry) => !versions.includes(entry.version));
  for (const entry of previous.filter((e) => versions.includes(e.version))) {
    await rm(join(fixtureHome, entry.rollout), { force: true });
    for (const file of entry.exec_json) await rm(join(fixtures, file), { force: true });
  }

  const model = await startFakeModel();
  const made: ManifestEntry[] = [];
  try {
    for (const version of versions) {
      const codex = await codexVersion(version);
      for (const scenario of SCENARIOS) {
        if (scenario.minVersion && compareVersions(version, scenario.minVersion) < 0) continue;
        made.push(await runScenario(codex, version, scenario, model.url));
        process.stderr.write(`made ${version} ${scenario.name}\n`);
      }
    }
  } finally {
    await model.close();
  }
  const manifest = [...kept, ...made].sort(
    (a, b) => compareVersions(a.version, b.version) || a.scenario.localeCompare(b.scenario),
  );
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** What the capability probe reads: `codex --version` and `codex exec --help`, as this version prints them. */
async function writeHelp(version: string, codex: string): Promise<void> {
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_COLOR: "1" };
  const versionText = await run(codex, ["--version"], { cwd: root, env });
  const help = await run(codex, ["exec", "--help"], { cwd: root, env });
  await mkdir(join(fixtures, "cli-help"), { recursive: true });
  await writeFile(join(fixtures, "cli-help", `${version}.txt`), `${versionText.stdout}---\n${help.stdout}`);
}

async function runScenario(
  codex: string,
  version: string,
  scenario: Scenario,
  modelUrl: string,
): Promise<ManifestEntry> {
  const { home, workdir } = await makeCodexHome(modelUrl, `fixture-${version}`);
  if (scenario.mcpServer) {
    const server = join(root, "dist", "cli.js");
    if (!existsSync(server)) throw new Error("run npm run build first: the mcp scenario serves dist/cli.js");
    await appendFile(
      join(home, "config.toml"),
      `\n[mcp_servers.ccm]\ncommand = "node"\nargs = [${JSON.stringify(server)}]\n`,
    );
  }
  const scrub = (text: string): string =>
    text
      .split(home)
      .join(SCRUBBED_HOME)
      .split(workdir)
      .join(SCRUBBED_WORKDIR)
      .split(dirname(home))
      .join("/home/user")
      .split(root)
      .join("/home/user/codex-control-mcp");
  const execJson: string[] = [];
  const exitCodes: Array<number | null> = [];
  let sessionId: string | undefined;

  for (const [index, step] of scenario.steps.entries()) {
    const args = ["exec", "--json", "--skip-git-repo-check", "-C", workdir];
    if (step.resume) {
      if (!sessionId) throw new Error("resume step before a session exists");
      args.push("resume", sessionId, step.prompt);
    } else {
      args.push(step.prompt);
    }
    const result = await run(codex, args, { cwd: workdir, env: codexEnv(home), ...step });
    exitCodes.push(result.code);
    const name = join("exec-json", `${version}-${scenario.name}-${index + 1}.jsonl`);
    await mkdir(join(fixtures, "exec-json"), { recursive: true });
    await writeFile(join(fixtures, name), scrub(result.stdout));
    execJson.push(name);
    sessionId ??= (await listRollouts(join(home, "sessions")))[0]?.id;
  }

  const rollouts = await listRollouts(join(home, "sessions"));
  const rollout = rollouts.find((r) => r.id === sessionId) ?? rollouts[0];
  if (!rollout) throw new Error(`${version} ${scenario.name}: no rollout written`);
  const target = join(fixtureHome, "sessions", relative(join(home, "sessions"), rollout.path));
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, scrub(await readFile(rollout.path, "utf8")));
  await rm(dirname(home), { recursive: true, force: true });
  return {
    version,
    scenario: scenario.name,
    session_id: rollout.id,
    rollout: relative(fixtureHome, target),
    exec_json: execJson,
    exit_codes: exitCodes,
  };
}

async function listRollouts(dir: string): Promise<Array<{ id: string; path: string }>> {
  const found: Array<{ id: string; path: string }> = [];
  if (!existsSync(dir)) return found;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const match = /^rollout-.*-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/.exec(entry.name);
    if (entry.isFile() && match?.[1]) found.push({ id: match[1], path: join(entry.parentPath, entry.name) });
  }
  return found;
}

interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  signalWhenRunning?: NodeJS.Signals;
  killAfterMs?: number;
}

function run(
  command: string,
  args: string[],
  options: RunOptions,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let signalled = false;
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const running = /"exec_command_begin"|"item.started".*"command_execution"/.test(stdout);
      if (options.signalWhenRunning && running && !signalled) {
        signalled = true;
        // let the command really start before interrupting it
        setTimeout(() => killGroup(options.signalWhenRunning ?? "SIGTERM"), 1500);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const limit = setTimeout(() => killGroup("SIGKILL"), options.killAfterMs ?? 60_000);
    const softLimit = options.killAfterMs
      ? setTimeout(() => killGroup("SIGTERM"), options.killAfterMs - 2000)
      : undefined;
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(limit);
      if (softLimit) clearTimeout(softLimit);
      killGroup("SIGKILL");
      resolve({ code, stdout, stderr });
    });
  });
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

await main();
