// npm run bench [-- --quick] [-- --huge] [-- --startup]
//
// Measures the tools through the MCP client over stdio (the built server, `npm run build` first) on large
// inputs made from the real-CLI fixtures, beside the jq recipes people use (Debian's jq) and a naive
// read-all/split/JSON.parse reader, on the same files. Prints one markdown table: medians, ratio against
// jq, peak memory (VmHWM) of the process that did the work; then resolution and listing in homes of
// 100 to 100,000 sessions. --quick uses tiny inputs (the smoke test); --huge adds a 1000 MB rollout;
// --startup measures only start-up (bench/startup.ts: the code cache against the ESM build and `node -e 0`).
import { execFile, spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { codexEnv, makeCodexHome } from "../test/support/codex-home.js";
import { PINNED_CODEX } from "../test/support/codex-versions.js";
import { connectServer } from "./server.js";
import { startFakeModel } from "../test/support/fake-model.js";
import { homeSessionId, makeHome, makeRollout } from "./inputs.js";
import { fmt, median } from "./numbers.js";
import { startupMs, startupTable } from "./startup.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(root, "dist", "cli.js");
const quick = process.argv.includes("--quick");
const huge = process.argv.includes("--huge");
/** Only the part by number of sessions. */
const homesOnly = process.argv.includes("--homes");
/** Only the start-up table (bench/startup.ts). */
const startupOnly = process.argv.includes("--startup");
const work = join(root, ".bench", quick ? "quick" : "full");
const RUNS = quick ? 2 : 7;
const MB = 1024 * 1024;
const SIZES = quick
  ? [{ label: "100 KB", bytes: 100 * 1024 }]
  : [
      { label: "1 MB", bytes: MB },
      { label: "50 MB", bytes: 50 * MB },
      { label: "200 MB", bytes: 200 * MB },
      // the same size in the 0.63 format: no task events, three token counters a turn
      { label: "200 MB of 0.63", bytes: 200 * MB, version: "0.63.0" as const },
      // 1000 MB takes minutes to make and, with the jq recipes beside it, minutes to measure: --huge
      ...(huge ? [{ label: "1000 MB", bytes: 1000 * MB }] : []),
    ];
/** The home the rollouts are measured in, and the homes resolution and listing are measured in. */
const HOME_SESSIONS = quick ? 50 : 10_000;
const HOME_COUNTS = quick ? [50] : [100, 10_000, 100_000];

interface Row {
  what: string;
  input: string;
  ms: number;
  cold?: number;
  indexed?: number;
  jqMs?: number;
  naiveMs?: number;
  peakMb?: number;
  indexedPeakMb?: number;
  /** A new server's spawn to its first answer on the indexed file (start-up included). */
  indexedSpawnMs?: number;
  note?: string;
}

const rows: Row[] = [];
/** Resolution and listing by the number of sessions in the home: what → count → {warm, cold}. */
const growth = new Map<string, Map<number, { ms: number; cold: number }>>();

async function main(): Promise<void> {
  const home = await makeHome(join(work, `home-${HOME_SESSIONS}`), HOME_SESSIONS);
  const state = join(work, "state");
  if (startupOnly) {
    await makeRollout(home, SIZES[quick ? 0 : 2]?.bytes ?? 0, savedSession);
    return measureStartup(home);
  }
  for (const [index, size] of (homesOnly ? [] : SIZES).entries()) {
    const id = `01a20b00-0000-7000-8000-${String(index + 1).padStart(12, "0")}`;
    const rollout = await makeRollout(home, size.bytes, id, "version" in size ? size.version : undefined);
    const input = `${size.label} in ${HOME_SESSIONS} sessions`;
    const jqCalls = await timeShell(
      `jq -r 'select(.type=="response_item" and .payload.type=="function_call") | "\\(.payload.name): \\(.payload.arguments | fromjson | .command | .[0:100])"' '${rollout}' | tail -10`,
    );
    const jqReasoning = await timeShell(
      `jq -r 'select(.type=="event_msg" and .payload.type=="agent_reasoning") | .payload.text' '${rollout}' | tail -10`,
    );
    const jqTokensTail = await timeShell(`tail -5 '${rollout}' | jq '.payload.info.total_token_usage'`);
    const jqTokensAll = await timeShell(
      `jq -c 'select(.payload.type=="token_count" and .payload.info != null) | .payload.info.total_token_usage' '${rollout}' | tail -1`,
    );
    const naive = await naiveRead(rollout);

    const calls = await measureColdWarmIndexed(home, state, "last_function_calls", { session_id: id, limit: 10 });
    rows.push({ what: "last_function_calls (limit 10)", input, ...calls, jqMs: jqCalls, naiveMs: naive.ms });
    const usage = await measureColdWarmIndexed(home, state, "token_usage", { session_id: id });
    rows.push({
      what: "token_usage",
      input,
      ...usage,
      jqMs: jqTokensAll,
      naiveMs: naive.ms,
      note: `jq \`tail -5\` recipe: ${fmt(jqTokensTail)} ms, and it finds no counter`,
    });
    const summary = await measureColdWarmIndexed(home, state, "session_summary", { session_id: id });
    rows.push({
      what: "session_summary",
      input,
      ...summary,
      jqMs: jqCalls + jqReasoning,
      naiveMs: naive.ms,
      note: "jq: reasoning + calls recipes",
    });
  }

  for (const count of HOME_COUNTS) {
    // homes of their own: in the rollouts' home, `last` would be the newest big rollout
    const sessions = await makeHome(join(work, "homes", `home-${count}`), count);
    const middle = await homeSessionId(Math.floor(count / 2), count, "v7");
    const older = await homeSessionId(Math.floor(count / 2), count, "v4");
    // each row's new server finds the session and reads it: no answer saved by an earlier row or bench run
    const measureAfresh = async (...args: Parameters<typeof measureTool>) => {
      await forgetSaved(state);
      return measureTool(...args);
    };
    record("list_sessions (limit 20)", count, await measureAfresh(sessions, state, "list_sessions", { limit: 20 }));
    record("token_usage on `last`", count, await measureAfresh(sessions, state, "token_usage", { session_id: "last" }));
    record(
      "token_usage on an 8-character id prefix",
      count,
      await measureAfresh(sessions, state, "token_usage", { session_id: middle.slice(0, 8) }),
    );
    record(
      "token_usage on a full id",
      count,
      await measureAfresh(sessions, state, "token_usage", { session_id: middle }),
    );
    record(
      "token_usage on a UUIDv4 id (pre-0.39: a walk of the folder names)",
      count,
      await measureAfresh(sessions, state, "token_usage", { session_id: older }),
    );
  }
  if (homesOnly) return printTables();
  const day = "2026/11/21";
  rows.push({
    what: "`ls -lt` of one day's folder",
    input: `${HOME_SESSIONS} sessions`,
    ms: await timeShell(`ls -lt '${join(home, "sessions", day)}' 2>/dev/null | head -5`),
  });

  rows.push({
    what: "server start → tools/list answered",
    input: "",
    ms: await startupMs(CLI, RUNS),
    note: "as a host asks (raw JSON-RPC); the start-up table below has the A/B",
  });
  rows.push({ what: "`node -e 0` (Node's own start, same run)", input: "", ms: await nodeStartMs() });
  const exec = await runCodexVsExec();
  rows.push({
    what: "run_codex (fake model) vs `codex exec`",
    input: "RUN:echo hi",
    ms: exec.tool,
    note: `codex exec directly: ${fmt(exec.direct)} ms (+${fmt(exec.tool - exec.direct)} ms, ${fmt(((exec.tool - exec.direct) / exec.direct) * 100)}%)`,
  });

  await measureStartup(home);
}

/** The session of the 200 MB rollout (quick: the 100 KB one, too small for a saved answer) in the main home. */
const savedSession = `01a20b00-0000-7000-8000-${String(quick ? 1 : 3).padStart(12, "0")}`;

async function measureStartup(home: string): Promise<void> {
  startup = await startupTable({
    root,
    rounds: quick ? 2 : 15,
    home,
    savedSession,
    cliHome: await makeHome(join(work, "homes", "home-100"), 100),
    cliSession: await homeSessionId(50, 100, "v7"),
  });
  printTables();
}

/** The start-up table's lines (bench/startup.ts). */
let startup: string[] = [];

function record(what: string, count: number, result: { ms: number; cold: number }): void {
  const byCount = growth.get(what) ?? new Map<number, { ms: number; cold: number }>();
  byCount.set(count, result);
  growth.set(what, byCount);
}

/**
 * A tool's first call ever (no saved fold), its warm median on the same server, then the first call of a
 * new server on the file the first one indexed (its fold saved in the state dir).
 */
async function measureColdWarmIndexed(home: string, state: string, tool: string, args: Record<string, unknown>) {
  await forgetSaved(state);
  const first = await measureTool(home, state, tool, args);
  const again = await measureTool(home, state, tool, args, 0);
  return { ...first, indexed: again.cold, indexedPeakMb: again.peakMb, indexedSpawnMs: again.spawnToFirst };
}

/** What an earlier server saved in the state dir (folds, answers): a first call after this is a first call ever. */
async function forgetSaved(state: string): Promise<void> {
  for (const dir of ["folds", "answers"]) await rm(join(state, dir), { recursive: true, force: true });
}

/** A fresh server: its first call is the cold time, the median of the rest the warm time. */
async function measureTool(
  home: string,
  state: string,
  tool: string,
  args: Record<string, unknown>,
  runs = RUNS,
): Promise<{ ms: number; cold: number; peakMb: number; spawnToFirst: number }> {
  const spawned = performance.now();
  const { client, pid } = await connectServer(CLI, state, { CODEX_HOME: home });
  try {
    const times: number[] = [];
    let spawnToFirst = 0;
    for (let i = 0; i <= runs; i++) {
      const start = performance.now();
      const result = await client.callTool({ name: tool, arguments: args });
      times.push(performance.now() - start);
      if (i === 0) spawnToFirst = performance.now() - spawned;
      if (result.isError) throw new Error(`${tool} failed: ${JSON.stringify(result.content)}`);
    }
    const peakMb = await peakOf(pid);
    return { cold: times[0] ?? 0, ms: runs > 0 ? median(times.slice(1)) : Number.NaN, peakMb, spawnToFirst };
  } finally {
    await client.close();
  }
}

async function peakOf(pid: number | null): Promise<number> {
  if (!pid) return 0;
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

const HAS_JQ = await promisify(execFile)("jq", ["--version"]).then(
  () => true,
  () => false,
);

/** Median wall time of a shell recipe; NaN when it cannot run here (no jq: `apt-get install jq`). */
async function timeShell(command: string): Promise<number> {
  if (command.includes("jq ") && !HAS_JQ) return Number.NaN;
  const times: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const start = performance.now();
    try {
      await promisify(execFile)("bash", ["-c", command], { maxBuffer: 64 * MB });
    } catch {
      return Number.NaN;
    }
    times.push(performance.now() - start);
  }
  return median(times);
}

/** The obvious reader: read it all, split, JSON.parse every line, keep the last 10 function calls. */
async function naiveRead(path: string): Promise<{ ms: number }> {
  const script = `
    const fs = require("fs");
    const start = performance.now();
    const calls = [];
    for (const line of fs.readFileSync(process.argv[1], "utf8").split("\\n")) {
      if (!line) continue;
      try { const v = JSON.parse(line); if (v.payload && v.payload.type === "function_call") calls.push(v.payload); } catch {}
    }
    calls.slice(-10);
    process.stdout.write(String(performance.now() - start));`;
  const times: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script, path], { maxBuffer: MB });
    times.push(Number(stdout));
  }
  return { ms: median(times) };
}

/** What any Node process costs to start here: the floor under the server's start-up. */
async function nodeStartMs(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    // the servers' environment, not this one's: NODE_EXTRA_CA_CERTS alone adds 30–40 ms to a Node start
    await promisify(execFile)(process.execPath, ["-e", "0"], { env: { PATH: process.env.PATH ?? "" } });
    times.push(performance.now() - start);
  }
  return median(times);
}

async function runCodexVsExec(): Promise<{ tool: number; direct: number }> {
  const model = await startFakeModel();
  const { home, workdir } = await makeCodexHome(model.url, "bench");
  const env = codexEnv(home);
  try {
    const direct: number[] = [];
    const tool: number[] = [];
    const { client } = await connectServer(CLI, join(work, "state"), env, ["--codex-bin", PINNED_CODEX]);
    // both sides vary by ±100 ms run to run here: more pairs, interleaved
    for (let i = 0; i < RUNS * 2; i++) {
      let start = performance.now();
      await new Promise<void>((resolve, reject) => {
        const child = spawn(
          PINNED_CODEX,
          ["exec", "--json", "--skip-git-repo-check", "--sandbox=workspace-write", `--cd=${workdir}`, "-"],
          { env, stdio: ["pipe", "ignore", "ignore"] },
        );
        child.stdin.end("please RUN:echo hi");
        child.on("error", reject);
        child.on("close", () => resolve());
      });
      direct.push(performance.now() - start);
      start = performance.now();
      const result = await client.callTool({
        name: "run_codex",
        arguments: { prompt: "please RUN:echo hi", cwd: workdir, skip_git_repo_check: true },
      });
      tool.push(performance.now() - start);
      if ((result.structuredContent as { status?: string }).status !== "completed")
        throw new Error(`run_codex: ${JSON.stringify(result.content)}`);
    }
    await client.close();
    return { tool: median(tool), direct: median(direct) };
  } finally {
    await model.close();
  }
}

function printTables(): void {
  if (startupOnly) return void process.stdout.write(`${startup.join("\n")}\n`); // stdout-ok: the bench's own report
  const lines = [
    `codex-control-mcp bench (${quick ? "quick" : "full"}; median of ${RUNS} warm calls; Node ${process.version})`,
    "",
    "| what | input | warm ms | first call ms | new server, indexed ms | spawn → answer, indexed ms | jq ms | ×jq (first call) | naive ms | peak MB | peak MB indexed | note |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ...rows
      .map((row) =>
        [
          row.what,
          row.input,
          fmt(row.ms),
          row.cold !== undefined ? fmt(row.cold) : "",
          row.indexed !== undefined ? fmt(row.indexed) : "",
          row.indexedSpawnMs !== undefined ? fmt(row.indexedSpawnMs) : "",
          row.jqMs !== undefined ? fmt(row.jqMs) : "",
          row.jqMs !== undefined && row.cold !== undefined ? `${fmt(row.jqMs / row.cold)}×` : "",
          row.naiveMs !== undefined ? fmt(row.naiveMs) : "",
          row.peakMb !== undefined ? fmt(row.peakMb) : "",
          row.indexedPeakMb !== undefined ? fmt(row.indexedPeakMb) : "",
          row.note ?? "",
        ].join(" | "),
      )
      .map((line) => `| ${line} |`),
    "",
    `By the number of sessions in CODEX_HOME (warm ms / first call ms of a new server):`,
    "",
    `| what | ${HOME_COUNTS.map((count) => `${count} sessions`).join(" | ")} |`,
    `|---|${HOME_COUNTS.map(() => "---:").join("|")}|`,
    ...[...growth].map(
      ([what, byCount]) =>
        `| ${what} | ${HOME_COUNTS.map((count) => {
          const result = byCount.get(count);
          return result ? `${fmt(result.ms)} / ${fmt(result.cold)}` : "";
        }).join(" | ")} |`,
    ),
    ...(startup.length > 0 ? ["", ...startup] : []),
  ];
  process.stdout.write(`${lines.join("\n")}\n`); // stdout-ok: the bench's own report
}

if (process.argv.includes("--fleet")) await import("./fleet.js").then(() => process.exit(0)); // the fleet report's own bench (bench/fleet.ts)
await main();
