// Small hand-written rollouts (the 0.1xx shape: session_meta, task_started, turn_context, token_count,
// task_complete) whose totals are known, in a CODEX_HOME of the test's own.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, realpath, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadPrices, sessionsReport, SessionStore, type ReportRequest } from "../../src/sessions/index.js";

export interface Tokens {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
}

export interface TurnSpec {
  prompt: string;
  /** Cumulative usage after the turn (the counter Codex writes). */
  total?: Tokens;
  /** The usage of the turn's request (the counter's `last_token_usage`); none: null, as older Codex wrote. */
  last?: Tokens;
  /** The turn ends with this error (task_complete with no answer, as 0.169 writes a model error). */
  error?: string;
  /** Commands run in the turn: [command, exit code]. */
  calls?: Array<[string, number]>;
  /** Seconds the turn takes. */
  seconds?: number;
  /** The model its turn_context names (default: the session's). */
  model?: string;
  /** The log stops after the turn's calls: no answer, no task_complete (a run killed, or one still running). */
  unfinished?: boolean;
}

export interface SessionSpec {
  id: string;
  /** ISO start. */
  start: string;
  model?: string;
  cwd?: string;
  turns: TurnSpec[];
  /** A fork: the parent's file is copied in after this session's meta (legacy fork shape). */
  forkOf?: { parent: SessionSpec };
}

/**
 * A session of one turn (1,000 input, 100 output) begun at `start`, the `n`th of a test's `series`: its id
 * `0199eeee-0000-7000-8000-000000000<series><n, two digits>`, its prompt `session <n>`.
 */
export function oneTurnSession(series: number, n: number, start: string): SessionSpec {
  return {
    id: `0199eeee-0000-7000-8000-000000000${String(series)}${String(n).padStart(2, "0")}`,
    start,
    turns: [{ prompt: `session ${n}`, total: { input: 1000, cached: 0, output: 100, reasoning: 0 } }],
  };
}

export async function makeHome(): Promise<string> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "ccm-report-")));
  const home = join(root, "home");
  await mkdir(join(home, "sessions"), { recursive: true });
  return home;
}

export function pathOf(home: string, spec: SessionSpec): string {
  const day = spec.start.slice(0, 10).split("-");
  const stamp = spec.start.slice(0, 19).replace(/:/g, "-");
  return join(home, "sessions", day[0] ?? "", day[1] ?? "", day[2] ?? "", `rollout-${stamp}-${spec.id}.jsonl`);
}

export async function writeSession(home: string, spec: SessionSpec): Promise<string> {
  const path = pathOf(home, spec);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(
    path,
    `${linesOf(spec)
      .map((line) => JSON.stringify(line))
      .join("\n")}\n`,
  );
  const last = Date.parse(spec.start) / 1000 + 600;
  await utimes(path, last, last);
  return path;
}

function usage(tokens: Tokens) {
  return {
    input_tokens: tokens.input,
    cached_input_tokens: tokens.cached,
    output_tokens: tokens.output,
    reasoning_output_tokens: tokens.reasoning,
    total_tokens: tokens.input + tokens.output,
  };
}

export function linesOf(spec: SessionSpec): object[] {
  const lines: object[] = [];
  const start = Date.parse(spec.start);
  const at = (ms: number) => new Date(ms).toISOString();
  lines.push({
    timestamp: at(start),
    type: "session_meta",
    payload: {
      id: spec.id,
      timestamp: at(start),
      cwd: spec.cwd ?? "/srv/proj",
      cli_version: "0.120.0",
      source: "exec",
      ...(spec.forkOf && { forked_from_id: spec.forkOf.parent.id }),
    },
  });
  if (spec.forkOf) {
    // the parent's history, replayed within a millisecond of the child's meta
    for (const line of linesOf(spec.forkOf.parent)) lines.push({ ...line, timestamp: at(start + 1) });
  }
  let clock = start + 5000;
  spec.turns.forEach((turn, index) => {
    const turnId = `${spec.id.slice(0, 8)}-t${index + 1}`;
    lines.push({ timestamp: at(clock), type: "event_msg", payload: { type: "task_started", turn_id: turnId } });
    lines.push({
      timestamp: at(clock),
      type: "turn_context",
      payload: {
        turn_id: turnId,
        cwd: spec.cwd ?? "/srv/proj",
        model: turn.model ?? spec.model ?? "gpt-5.1-codex",
        approval_policy: "never",
        sandbox_policy: { type: "workspace-write" },
      },
    });
    lines.push({
      timestamp: at(clock + 1),
      type: "event_msg",
      payload: { type: "user_message", message: turn.prompt },
    });
    for (const [callIndex, [command, exit]] of (turn.calls ?? []).entries()) {
      const callId = `call_${spec.id.slice(-4)}_${index + 1}_${callIndex + 1}`;
      lines.push({
        timestamp: at(clock + 10),
        type: "response_item",
        payload: {
          type: "function_call",
          name: "shell_command",
          arguments: JSON.stringify({ command }),
          call_id: callId,
        },
      });
      lines.push({
        timestamp: at(clock + 20),
        type: "response_item",
        payload: {
          type: "function_call_output",
          call_id: callId,
          output: `Exit code: ${exit}\nWall time: 0.5 seconds\nOutput:\n`,
        },
      });
    }
    clock += (turn.seconds ?? 10) * 1000;
    if (turn.unfinished) return;
    if (turn.total)
      lines.push({
        timestamp: at(clock - 2),
        type: "event_msg",
        payload: {
          type: "token_count",
          info: {
            total_token_usage: usage(turn.total),
            last_token_usage: turn.last ? usage(turn.last) : null,
            model_context_window: 200000,
          },
          rate_limits: null,
        },
      });
    if (turn.error) {
      lines.push({ timestamp: at(clock - 1), type: "event_msg", payload: { type: "error", message: turn.error } });
      lines.push({
        timestamp: at(clock),
        type: "event_msg",
        payload: { type: "task_complete", turn_id: turnId, last_agent_message: null },
      });
    } else {
      lines.push({
        timestamp: at(clock - 1),
        type: "event_msg",
        payload: { type: "agent_message", message: `done ${index + 1}` },
      });
      lines.push({
        timestamp: at(clock),
        type: "event_msg",
        payload: { type: "task_complete", turn_id: turnId, last_agent_message: `done ${index + 1}` },
      });
    }
    clock += 1000;
  });
  return lines;
}

/** The lines a session's next turn adds to its log, as a resume appends them to the same file (JSONL text). */
export function resumedLines(spec: SessionSpec, turn: TurnSpec = { prompt: "again" }): string {
  const before = linesOf(spec);
  const after = linesOf({ ...spec, turns: [...spec.turns, turn] });
  if (JSON.stringify(after.slice(0, before.length)) !== JSON.stringify(before))
    throw new Error("a resumed turn changed the lines before it");
  return `${after
    .slice(before.length)
    .map((line) => JSON.stringify(line))
    .join("\n")}\n`;
}

/** When the report tests ask, unless one names its own: after every fixture day. */
export const REPORT_NOW = "2026-11-20T00:00:00Z";

/**
 * The report over a home (a folder, or a store kept across calls: what a server keeps), with the package's
 * prices, at a fixed `now`; by day, archived sessions left out, unless `request` says otherwise.
 */
export async function reportOf(
  home: string | SessionStore,
  request: Partial<ReportRequest> = {},
  { now = REPORT_NOW, watch = false }: { now?: string; watch?: boolean } = {},
): Promise<Awaited<ReturnType<typeof sessionsReport>>> {
  return sessionsReport(
    typeof home === "string" ? new SessionStore(home) : home,
    { includeArchived: false, groupBy: "day", ...request },
    { prices: await loadPrices(), now: Date.parse(now), watch },
  );
}

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "cli.js");

/** The built CLI on `home` (its state dir beside it), with what it printed and its exit code, whether it failed or not. */
export function runCli(
  home: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      CODEX_HOME: home,
      CODEX_CONTROL_STATE_DIR: join(dirname(home), "state"),
      ...env,
    },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

/** What the built CLI printed on `home`, trimmed; an error naming its exit code and stderr when it failed. */
export async function cliStdout(home: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCli(home, args);
  if (code !== 0) throw new Error(`codex-control-mcp ${args.join(" ")} exited ${code}: ${stderr}`);
  return stdout.trim();
}
