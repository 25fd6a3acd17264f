// Start-up, as hosts and people pay it: a new process per session or per command. Measured interleaved (each
// round runs every variant once, so a machine loaded by others weighs on all alike): the build as made
// (dist/cli.js through its V8 code cache, src/launch.ts, with the saved tools/list, src/tools/built-list.ts),
// the same build without the cache (the ESM chunks: what another Node version runs), without either (what
// every start ran before them), and `node -e 0`.
import { execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fmt, median } from "./numbers.js";

export interface StartupInputs {
  root: string;
  rounds: number;
  /** A CODEX_HOME, and in it a session whose token_usage a server saves (a log of 4 MB or more). */
  home: string;
  savedSession: string;
  /** A home of small sessions for the CLI, and one of its ids. */
  cliHome: string;
  cliSession: string;
}

interface Variant {
  label: string;
  cli: string;
  state: string;
}

interface Sample {
  wall: number;
  /** CPU of the process until the answer or exit (all its threads), when it can be read. */
  cpu?: number;
}

const INITIALIZE = {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "bench", version: "1" },
};

/** Spawn → the answer to `second`, as a host asks: initialize, and once answered, initialized and the request. */
function serverAnswer(cli: string, env: NodeJS.ProcessEnv, second: object): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [cli], { env, stdio: ["pipe", "pipe", "ignore"] });
    let buffered = "";
    let initialized = false;
    child.on("error", reject);
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      if (!initialized && buffered.includes('"id":1')) {
        initialized = true;
        child.stdin.write(
          `${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n${JSON.stringify({ jsonrpc: "2.0", id: 2, ...second })}\n`,
        );
      }
      if (!buffered.includes('"id":2')) return;
      const wall = performance.now() - start;
      const cpu = cpuOf(child.pid);
      child.kill();
      if (buffered.includes('"isError":true')) reject(new Error(`start-up bench: ${buffered.slice(0, 500)}`));
      else resolve({ wall, ...(cpu === undefined ? {} : { cpu }) });
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: INITIALIZE })}\n`);
  });
}

/** On-CPU time of every thread of `pid` so far (ms), from /proc/<pid>/task/<tid>/schedstat (ns). */
function cpuOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

/** Loaded with --require into each command: writes its process's CPU time (all threads) to stderr at exit. */
const CPU_AT_EXIT = `process.on("exit", () => { const { user, system } = process.cpuUsage(); process.stderr.write("\\ncpu-ms=" + (user + system) / 1000 + "\\n"); });`;

/** Spawn → exit of a CLI command, and its CPU time (reported by the process itself, see CPU_AT_EXIT). */
async function commandExit(cli: string, env: NodeJS.ProcessEnv, argv: string[], preload: string): Promise<Sample> {
  const start = performance.now();
  const { stderr } = await promisify(execFile)(process.execPath, ["--require", preload, cli, ...argv], {
    env,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { code?: number; stderr?: string }) => {
    // a command's exit code says what it found (3: a failed session), not that it could not answer
    if (typeof error.code !== "number") throw error;
    return { stderr: error.stderr ?? "" };
  });
  const wall = performance.now() - start;
  const cpu = /cpu-ms=([\d.]+)/.exec(stderr)?.[1];
  return { wall, ...(cpu === undefined ? {} : { cpu: Number(cpu) }) };
}

export async function startupTable(inputs: StartupInputs): Promise<string[]> {
  // copies of dist/ outside the checkout (linters and formatters walk it), removed at the end
  const dir = await mkdtemp(join(tmpdir(), "ccm-bench-startup-"));
  try {
    return await measure(inputs, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(inputs: StartupInputs, dir: string): Promise<string[]> {
  // the same build without its code cache (as another Node version runs it), and without the saved
  // tools/list too (every start before either)
  const copy = async (name: string, leaveOut: RegExp) => {
    await mkdir(join(dir, name), { recursive: true });
    await cp(join(inputs.root, "package.json"), join(dir, name, "package.json"));
    await cp(join(inputs.root, "dist"), join(dir, name, "dist"), {
      recursive: true,
      filter: (source: string) => !leaveOut.test(source),
    });
    return join(dir, name, "dist", "cli.js");
  };
  const preload = join(dir, "cpu-at-exit.cjs");
  await mkdir(dir, { recursive: true });
  await writeFile(preload, CPU_AT_EXIT);
  const variants: Variant[] = [
    { label: "as built", cli: join(inputs.root, "dist", "cli.js"), state: join(dir, "state-built") },
    { label: "no code cache", cli: await copy("esm", /main\.vm\..*\.cache$/), state: join(dir, "state-esm") },
    {
      label: "neither (before)",
      cli: await copy("before", /main\.vm\..*\.cache$|tools-list\.json$/),
      state: join(dir, "state-before"),
    },
  ];
  const env = (variant: Variant, home: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH ?? "",
    CODEX_HOME: home,
    CODEX_CONTROL_STATE_DIR: variant.state,
    CODEX_CONTROL_LOG: "error",
  });
  const saved = {
    method: "tools/call",
    params: { name: "token_usage", arguments: { session_id: inputs.savedSession } },
  };
  // each server's first question saves the answer the measured ones reuse
  for (const variant of variants) await serverAnswer(variant.cli, env(variant, inputs.home), saved);

  const rows: Array<{ what: string; run: (variant: Variant) => Promise<Sample> }> = [
    {
      what: "new server → tools/list answered",
      run: (variant) => serverAnswer(variant.cli, env(variant, inputs.home), { method: "tools/list" }),
    },
    {
      what: "new server → token_usage answered before (saved answer)",
      run: (variant) => serverAnswer(variant.cli, env(variant, inputs.home), saved),
    },
    ...[
      ["summary", inputs.cliSession],
      ["usage", inputs.cliSession],
      ["calls", inputs.cliSession],
      ["sessions"],
      ["report"],
    ].map((argv) => ({
      what: `\`codex-control-mcp ${argv[0]}${argv.length > 1 ? " <id>" : ""}\` (to exit)`,
      run: (variant: Variant) => commandExit(variant.cli, env(variant, inputs.cliHome), argv, preload),
    })),
  ];
  const loadBefore = loadavg();
  const node: Sample[] = [];
  const results = rows.map(() => variants.map(() => [] as Sample[]));
  for (let round = 0; round < inputs.rounds; round++) {
    node.push(await commandExit("-e", {}, ["0"], preload));
    for (const [r, row] of rows.entries())
      for (const [v, variant] of variants.entries()) results[r]?.[v]?.push(await row.run(variant));
  }
  const wall = (samples: Sample[]) => samples.map((sample) => sample.wall);
  const cpu = (samples: Sample[]) => samples.flatMap((sample) => (sample.cpu === undefined ? [] : [sample.cpu]));
  const cell = (samples: Sample[]) => [
    `${fmt(median(wall(samples)))} (${fmt(Math.min(...wall(samples)))})`,
    cpu(samples).length > 0 ? fmt(median(cpu(samples))) : "",
  ];
  const load = (loads: number[]) => loads.map((one) => one.toFixed(2)).join(" ");
  const over = (samples: Sample[]) => fmt(median(samples.map((sample, i) => sample.wall - (node[i]?.wall ?? 0))));
  return [
    `Start-up: ${inputs.rounds} rounds, interleaved (each round runs \`node -e 0\`, then every row on each variant); load average ${load(loadBefore)} before, ${load(loadavg())} after.`,
    "Variants: as built (dist/cli.js: the V8 code cache and the saved tools/list); no code cache (the ESM build: what another Node version runs); neither (every start before this work).",
    "ms: median (min) of spawn → answer or exit; CPU: the process's CPU ms (all threads) until then; over node: the median of each round's difference from that round's `node -e 0`.",
    "",
    `| what | ${variants.map((variant) => `${variant.label} ms | CPU`).join(" | ")} | \`node -e 0\` ms | CPU | ${variants.map((variant) => `${variant.label} over node ms`).join(" | ")} |`,
    `|---|${[...variants, { label: "node" }].map(() => "---:|---:").join("|")}|${variants.map(() => "---:").join("|")}|`,
    ...rows.map((row, r) => {
      const measured = results[r] ?? [];
      return `| ${row.what} | ${[...measured.flatMap(cell), ...cell(node), ...measured.map(over)].join(" | ")} |`;
    }),
  ];
}

/** Spawn → tools/list answered, as a host asks (the figure in the main table): the build as made. */
export async function startupMs(cli: string, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++)
    times.push(
      (await serverAnswer(cli, { PATH: process.env.PATH ?? "", CODEX_CONTROL_LOG: "error" }, { method: "tools/list" }))
        .wall,
    );
  return median(times);
}
