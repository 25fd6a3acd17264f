// npm run bench -- --fleet [--quick] [--sessions N] [--rounds N] [--no-ccusage] [--against DIR] [--instructions]
// (or npm run bench:fleet)
//
// The fleet report beside ccusage, in one run, on the same generated homes (bench/inputs.ts makeHome: 550
// and 10,000 sessions of the real-CLI fixtures): `ccusage codex session --json --offline` (one process; the
// native ccusage of today and its last JavaScript release, bench/ccusage.ts),
// our `report --json` as a new process with an empty state dir (cold) and again with the digests it saved
// (a new process, indexed), sessions_report's first answer on a new server (empty state dir; one call per
// round, in the same rounds as ccusage) and its warm answer on a running server (median of repeated calls).
// Peak memory: the process's VmHWM (GNU time's max RSS for the CLI processes). `--against DIR` times another
// build (DIR/dist/cli.js beside its package.json, e.g. a copy of main's) in the same rounds. `--instructions`
// adds each command's instruction count on the first home and on an empty one (bench/instructions.ts).
// `--rounds N` takes more rounds (5 by default): a ccusage process's time varies more than ours.
import { execFile } from "node:child_process";
import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  JAVASCRIPT,
  JAVASCRIPT_CCUSAGE,
  javascriptCcusage,
  nameOf,
  NATIVE,
  nativeCcusage,
  type Ccusage,
  type FoundCcusage,
} from "./ccusage.js";
import { countInstructions, hasValgrind } from "./instructions.js";
import { makeHome } from "./inputs.js";
import { fmt, median } from "./numbers.js";
import { connectServer } from "./server.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(root, "dist", "cli.js");
const quick = process.argv.includes("--quick");
const work = join(root, ".bench", quick ? "quick" : "full", "fleet");
/** `--sessions 550`: one home size only. */
const only = process.argv.includes("--sessions")
  ? Number(process.argv[process.argv.indexOf("--sessions") + 1])
  : undefined;
const COUNTS = only ? [only] : quick ? [50] : [550, 10_000];
/** `--rounds 11`: steadier medians (5 rounds by default, 2 with --quick). */
const RUNS = process.argv.includes("--rounds")
  ? Number(process.argv[process.argv.indexOf("--rounds") + 1])
  : quick
    ? 2
    : 5;
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 101) throw new Error("--rounds takes a whole number from 1 to 101");
/** `--against DIR`: another build (DIR/dist/cli.js, e.g. main's) measured in the same rounds, for a before/after. */
const against = process.argv.includes("--against")
  ? join(resolve(process.argv[process.argv.indexOf("--against") + 1] ?? "."), "dist", "cli.js")
  : undefined;
const run = promisify(execFile);
/** `--instructions`: instruction counts at the first home size (bench/instructions.ts). */
const withInstructions = process.argv.includes("--instructions");

interface Measured {
  ms: number;
  peakMb: number;
}

interface ProcessRun {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** Runs ahead of each (not timed). */
  before?: () => Promise<void>;
}

/** A new server with an empty state dir, asked sessions_report once: what an agent's one call waits for. */
interface FirstCall {
  cli: string;
  home: string;
  state: string;
}

/** One process's wall time and max RSS (GNU time's), or one new server's first call and its VmHWM. */
async function timeOnce(timed: ProcessRun | FirstCall): Promise<{ ms: number; peakKb: number }> {
  if ("cli" in timed) {
    await rm(timed.state, { recursive: true, force: true });
    const { client, pid } = await connectServer(timed.cli, timed.state, { CODEX_HOME: timed.home });
    try {
      const start = performance.now();
      const result = await client.callTool({ name: "sessions_report", arguments: { group_by: "day" } });
      const ms = performance.now() - start;
      if (result.isError) throw new Error(`sessions_report failed: ${JSON.stringify(result.content)}`);
      return { ms, peakKb: await peakKbOf(pid) };
    } finally {
      await client.close();
    }
  }
  await timed.before?.();
  const start = performance.now();
  const { stderr } = await run("/usr/bin/time", ["-f", "%M", ...timed.argv], {
    env: timed.env,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { ms: performance.now() - start, peakKb: Number(stderr.trim().split("\n").at(-1)) };
}

async function peakKbOf(pid: number | null): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
}

/**
 * Median wall time and highest peak of each, over `runs`, taking turns round by round (A/B interleaved: the
 * shared machine's load falls on each alike).
 */
async function timeInTurns(entries: Array<ProcessRun | FirstCall>, runs: number): Promise<Measured[]> {
  const times = entries.map((): number[] => []);
  const peaksKb = entries.map(() => 0);
  for (let i = 0; i < runs; i++)
    for (const [index, entry] of entries.entries()) {
      const { ms, peakKb } = await timeOnce(entry);
      times[index]?.push(ms);
      peaksKb[index] = Math.max(peaksKb[index] ?? 0, peakKb);
    }
  return entries.map((_, index) => ({ ms: median(times[index] ?? []), peakMb: (peaksKb[index] ?? 0) / 1024 }));
}

/** sessions_report asked again and again of one running server (after its first call): the median, and its peak. */
async function warmServer(home: string, state: string, cli = CLI): Promise<{ warm: number; peakMb: number }> {
  await rm(state, { recursive: true, force: true });
  const { client, pid } = await connectServer(cli, state, { CODEX_HOME: home });
  try {
    const times: number[] = [];
    for (let i = 0; i <= RUNS * 2; i++) {
      const start = performance.now();
      const result = await client.callTool({ name: "sessions_report", arguments: { group_by: "day" } });
      times.push(performance.now() - start);
      if (result.isError) throw new Error(`sessions_report failed: ${JSON.stringify(result.content)}`);
    }
    return { warm: median(times.slice(1)), peakMb: (await peakKbOf(pid)) / 1024 };
  } finally {
    await client.close();
  }
}

/** Each ccusage build, or why it did not run (`--no-ccusage`: none installed; the smoke test runs so). */
async function ccusageBuilds(): Promise<FoundCcusage[]> {
  if (process.argv.includes("--no-ccusage"))
    return [
      { kind: NATIVE, version: "latest", error: "not run (--no-ccusage)" },
      { kind: JAVASCRIPT, version: JAVASCRIPT_CCUSAGE, error: "not run (--no-ccusage)" },
    ];
  const dir = join(work, "ccusage");
  return [await nativeCcusage(dir), await javascriptCcusage(dir)];
}

const CCUSAGE_ARGS = ["codex", "session", "--json", "--offline"];

/**
 * `--instructions`: ours cold and each ccusage, on the home and on an empty one (one process each, the
 * first home size only: valgrind runs a process ~100 times slower). What the sessions cost is the difference.
 */
async function instructionsTable(
  home: string,
  count: number,
  state: string,
  env: NodeJS.ProcessEnv,
  tools: Ccusage[],
): Promise<string[]> {
  if (!(await hasValgrind())) return ["", "--instructions: valgrind is not installed (Debian's `valgrind`)."];
  const empty = join(work, "empty-home");
  await mkdir(empty, { recursive: true });
  const commands = [
    { label: "our report, cold", argv: ["node", CLI, "report", "--json"], env },
    ...tools.map((tool) => ({
      label: nameOf(tool),
      argv: [...tool.argv, ...CCUSAGE_ARGS],
      env: { ...env, HOME: join(work, "ccusage-home") },
    })),
  ];
  const rows: string[] = [];
  for (const command of commands) {
    const counts: number[] = [];
    for (const codexHome of [empty, home]) {
      await rm(state, { recursive: true, force: true });
      counts.push(await countInstructions(command.argv, { ...command.env, CODEX_HOME: codexHome }, work));
    }
    const [none = NaN, all = NaN] = counts.map((value) => value / 1e6);
    rows.push(`| ${command.label} | ${fmt(none)} | ${fmt(all)} | ${fmt(all - none)} |`);
  }
  return [
    "",
    "Instructions (--instructions: valgrind's callgrind, one process each, its children included; millions):",
    "",
    `| command | empty home | home of ${count} sessions | the sessions' part |`,
    "|---|---:|---:|---:|",
    ...rows,
  ];
}

async function main(): Promise<void> {
  const builds = await ccusageBuilds();
  const tools = builds.filter((build): build is Ccusage => "argv" in build);
  const load = () =>
    loadavg()
      .map((value) => value.toFixed(2))
      .join(" ");
  const lines = [
    `codex-control-mcp fleet bench (${quick ? "quick" : "full"}; medians of ${RUNS} rounds of processes and new servers' first calls, ${RUNS * 2} warm calls; Node ${process.version}; processes interleaved round by round)`,
    ...builds.map((build) =>
      "argv" in build
        ? `beside ${nameOf(build)}, \`ccusage ${CCUSAGE_ARGS.join(" ")}\`${build.note ? `; ${build.note}` : ""}`
        : `${nameOf(build)} could not be installed or run here: ${build.error}`,
    ),
    `load average at the start: ${load()}`,
    "",
    "| sessions | ccusage ms | ccusage peak MB | ccusage in JavaScript ms | report cold ms (new process, empty state dir) | report peak MB | report, new process, digests saved ms | server warm ms | server first call ms | server peak MB | sessions reported |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const before: string[] = [];
  const instructions: string[] = [];
  for (const count of COUNTS) {
    const home = await makeHome(join(work, "..", "homes", `home-${count}`), count);
    const state = join(work, `state-${count}`);
    const otherState = join(work, `against-state-${count}`);
    const env = {
      PATH: process.env.PATH ?? "",
      CODEX_HOME: home,
      CODEX_CONTROL_STATE_DIR: state,
      CODEX_CONTROL_LOG: "error",
    };
    const otherEnv = { ...env, CODEX_CONTROL_STATE_DIR: otherState };
    const ours = ["node", CLI, "report", "--json"];
    const cold: Array<ProcessRun | FirstCall> = [
      { argv: ours, env, before: () => rm(state, { recursive: true, force: true }) },
    ];
    if (against)
      cold.push({
        argv: ["node", against, "report", "--json"],
        env: otherEnv,
        before: () => rm(otherState, { recursive: true, force: true }),
      });
    for (const tool of tools)
      cold.push({ argv: [...tool.argv, ...CCUSAGE_ARGS], env: { ...env, HOME: join(work, "ccusage-home") } });
    // a host's new server, asked once, in the same rounds as ccusage
    cold.push({ cli: CLI, home, state: join(work, `first-call-state-${count}`) });
    if (against) cold.push({ cli: against, home, state: join(work, `against-first-call-state-${count}`) });
    const measured = await timeInTurns(cold, RUNS);
    const coldOurs = measured.shift();
    const coldOther = against ? measured.shift() : undefined;
    // in the order of `builds`: a build that did not run has no column value
    const theirs = builds.map((build) => ("argv" in build ? measured.shift() : undefined));
    const [firstCall, otherFirstCall] = measured;
    const indexed = await timeInTurns(
      [{ argv: ours, env }, ...(against ? [{ argv: ["node", against, "report", "--json"], env: otherEnv }] : [])],
      RUNS,
    );
    const { stdout } = await run(process.execPath, [CLI, "report", "--json"], { env, maxBuffer: 64 * 1024 * 1024 });
    const reported = (JSON.parse(stdout) as { total: { sessions: number } }).total.sessions;
    const server = await warmServer(home, join(work, `server-state-${count}`));
    const [native, javascript] = theirs;
    lines.push(
      `| ${count} | ${native ? fmt(native.ms) : "n/a"} | ${native ? fmt(native.peakMb) : "n/a"} | ${javascript ? fmt(javascript.ms) : "n/a"} | ${fmt(coldOurs?.ms ?? NaN)} | ${fmt(coldOurs?.peakMb ?? NaN)} | ${fmt(indexed[0]?.ms ?? NaN)} | ${fmt(server.warm)} | ${fmt(firstCall?.ms ?? NaN)} | ${fmt(Math.max(server.peakMb, firstCall?.peakMb ?? 0))} | ${reported} |`,
    );
    if (against && coldOther) {
      const other = await warmServer(home, join(work, `against-server-state-${count}`), against);
      before.push(
        `| ${count} | ${fmt(coldOther.ms)} | ${fmt(coldOther.peakMb)} | ${fmt(indexed[1]?.ms ?? NaN)} | ${fmt(other.warm)} | ${fmt(otherFirstCall?.ms ?? NaN)} | ${fmt(Math.max(other.peakMb, otherFirstCall?.peakMb ?? 0))} |`,
      );
    }
    if (withInstructions && instructions.length === 0)
      instructions.push(...(await instructionsTable(home, count, state, env, tools)));
  }
  if (against)
    lines.push(
      "",
      `The build in --against (${against}), in the same rounds:`,
      "",
      "| sessions | report cold ms | report peak MB | report, digests saved ms | server warm ms | server first call ms | server peak MB |",
      "|---:|---:|---:|---:|---:|---:|---:|",
      ...before,
    );
  lines.push(...instructions, "", `load average at the end: ${load()}`);
  process.stdout.write(`${lines.join("\n")}\n`); // stdout-ok: the bench's own report
}

await main();
