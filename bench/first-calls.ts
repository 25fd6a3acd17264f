// npx tsx bench/first-calls.ts <rounds> <build dir> [<build dir> …]
//
// First calls on the bench's 200 MB rollouts (0.169 and 0.63 formats), A/B between builds: each build dir
// holds a `dist/` (`npm run build`, copied aside with its node_modules linked). Every call is a new server
// with an empty state dir, so every call is a first call; builds alternate in each round (the order
// reversed every other round), so a shared, loaded machine weighs on both alike. The jq recipes of
// bench/run.ts run once per round in between. Prints medians and minima of wall time, the server's CPU
// time (user + system, from /proc: steadier than wall time under load) and its peak RSS (VmHWM), and the
// load average; and checks that every build gave the same answer (counts a quick answer leaves null aside).
// FIRST_CALLS_ONLY="token_usage,session_summary" and/or FIRST_CALLS_FORMATS="0.63" narrow the calls (the jq
// recipes are then left out when FIRST_CALLS_NO_JQ=1), for an A/B of one change while the machine is loaded.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { makeHome, makeRollout } from "./inputs.js";
import { fmt, median } from "./numbers.js";
import { connectServer } from "./server.js";

const MB = 1024 * 1024;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [roundsArg = "3", ...builds] = process.argv.slice(2);
const rounds = Number(roundsArg);
const ALL_TOOLS = ["last_function_calls", "token_usage", "session_summary"] as const;
const only = (process.env.FIRST_CALLS_ONLY ?? "").split(",").filter(Boolean);
const TOOLS = ALL_TOOLS.filter((tool) => only.length === 0 || only.includes(tool));
const formatsOnly = (process.env.FIRST_CALLS_FORMATS ?? "").split(",").filter(Boolean);
const FORMATS = [
  { label: "0.169", id: "01a20b00-0000-7000-8000-000000000003", version: "0.169.0" as const },
  { label: "0.63", id: "01a20b00-0000-7000-8000-000000000004", version: "0.63.0" as const },
].filter((format) => formatsOnly.length === 0 || formatsOnly.includes(format.label));
const withJq = process.env.FIRST_CALLS_NO_JQ !== "1";
/** Clock ticks per second of /proc/<pid>/stat's CPU times (100 on Linux). */
const TICKS_MS = 10;

interface Sample {
  ms: number;
  cpuMs: number;
  peakMb: number;
  answer: string;
}

async function firstCall(build: string, home: string, tool: string, id: string): Promise<Sample> {
  const state = await mkdtemp(join(tmpdir(), "ccm-first-calls-"));
  const { client, pid } = await connectServer(join(resolve(build), "dist", "cli.js"), state, { CODEX_HOME: home });
  try {
    const before = await cpuOf(pid);
    const start = performance.now();
    const result = await client.callTool({
      name: tool,
      arguments: tool === "last_function_calls" ? { session_id: id, limit: 10 } : { session_id: id },
    });
    const ms = performance.now() - start;
    const cpuMs = (await cpuOf(pid)) - before;
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const peakMb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    if (result.isError) throw new Error(`${tool}: ${JSON.stringify(result.content)}`);
    return { ms, cpuMs, peakMb, answer: JSON.stringify(result.structuredContent) };
  } finally {
    await client.close();
    await rm(state, { recursive: true, force: true });
  }
}

async function cpuOf(pid: number | null): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICKS_MS;
}

async function timeShell(command: string): Promise<number> {
  const start = performance.now();
  await promisify(execFile)("bash", ["-c", command], { maxBuffer: 64 * MB });
  return performance.now() - start;
}

async function main(): Promise<void> {
  if (builds.length === 0 || !Number.isInteger(rounds) || rounds < 1)
    throw new Error("usage: tsx bench/first-calls.ts <rounds> <build dir> [<build dir> …]");
  const home = await makeHome(join(root, ".bench", "full", "home-10000"), 10_000);
  const paths = new Map<string, string>();
  for (const format of FORMATS) paths.set(format.label, await makeRollout(home, 200 * MB, format.id, format.version));
  const samples = new Map<string, Sample[]>();
  const jq = new Map<string, number[]>();
  const loads: number[] = [];
  const add = <T>(map: Map<string, T[]>, key: string, value: T) => map.set(key, [...(map.get(key) ?? []), value]);
  for (let round = 0; round < rounds; round++) {
    for (const format of FORMATS)
      for (const tool of TOOLS) {
        for (const build of round % 2 === 0 ? builds : [...builds].reverse())
          add(samples, `${tool} | ${format.label} | ${build}`, await firstCall(build, home, tool, format.id));
        loads.push(loadavg()[0] ?? 0);
      }
    for (const format of withJq ? FORMATS : []) {
      const path = paths.get(format.label) ?? "";
      const calls = await timeShell(
        `jq -r 'select(.type=="response_item" and .payload.type=="function_call") | "\\(.payload.name): \\(.payload.arguments | fromjson | .command | .[0:100])"' '${path}' | tail -10`,
      );
      const reasoning = await timeShell(
        `jq -r 'select(.type=="event_msg" and .payload.type=="agent_reasoning") | .payload.text' '${path}' | tail -10`,
      );
      const usage = await timeShell(
        `jq -c 'select(.payload.type=="token_count" and .payload.info != null) | .payload.info.total_token_usage' '${path}' | tail -1`,
      );
      add(jq, `last_function_calls | ${format.label}`, calls);
      add(jq, `token_usage | ${format.label}`, usage);
      add(jq, `session_summary | ${format.label}`, calls + reasoning);
    }
  }
  const lines = [
    `first calls on 200 MB, ${rounds} round(s), builds interleaved; load average ${fmt(Math.min(...loads))}–${fmt(Math.max(...loads))}`,
    "",
    "| call | format | build | median ms | min ms | median CPU ms | peak MB | jq median ms | ×jq (median) |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const [key, list] of samples) {
    const [tool = "", format = ""] = key.split(" | ");
    const jqMs = median(jq.get(`${tool} | ${format}`) ?? []);
    const ms = median(list.map((sample) => sample.ms));
    lines.push(
      `| ${key} | ${fmt(ms)} | ${fmt(Math.min(...list.map((sample) => sample.ms)))} | ${fmt(median(list.map((sample) => sample.cpuMs)))} | ${fmt(Math.max(...list.map((sample) => sample.peakMb)))} | ${fmt(jqMs)} | ${fmt(jqMs / ms)}× |`,
    );
  }
  // quick answers leave the whole-file counts null, a fold fills them: only the rest must be equal
  const comparable = (answer: string) =>
    answer.replace(/"(skipped_lines|bad_field_lines|total_calls)":(null|\d+)/g, "");
  for (const format of FORMATS)
    for (const tool of TOOLS) {
      const answers = builds.map((build) => samples.get(`${tool} | ${format.label} | ${build}`)?.[0]?.answer ?? "");
      if (new Set(answers.map(comparable)).size > 1) lines.push(`ANSWERS DIFFER: ${tool} on ${format.label}`);
    }
  process.stdout.write(`${lines.join("\n")}\n`); // stdout-ok: the bench's own report
}

await main();
