// What a run's supervisor publishes while it runs: `<state dir>/runs/<run_id>/state.json`, rewritten
// (atomically) as Codex reports progress and once more at the end, before the ledger's `end` record.
// Any process of the same state dir reads it to show the run; asking to stop it is `cancel` beside it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { RUN_STATUSES, tokenTotalsSchema } from "../sessions/index.js";
import { RUN_MODES } from "./run-modes.js";
import type { CodexRun } from "./codex-process.js";
import type { ProcessId } from "./liveness.js";
import { RUN_ID } from "./processes.js";
import type { CheckedDirectory } from "./workspace.js";

export const runSnapshotSchema = z.object({
  run_id: z.string(),
  session_id: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  exit_code: z.number().nullable(),
  signal: z.string().nullable(),
  final_message: z.string().nullable(),
  duration_ms: z.number(),
  usage: tokenTotalsSchema.nullable(),
  error: z.string().nullable(),
  errors: z.array(z.string()),
  stderr_tail: z.string(),
  mode: z.enum(RUN_MODES),
  cwd: z.string(),
  /** The model the caller asked for (null: Codex's default), to compare with what the session used. */
  model: z.string().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  recent_events: z.array(z.object({ at: z.string(), message: z.string() })),
  /** How many progress events there have been, so a follower can tell which of recent_events are new. */
  event_count: z.number(),
  files_changed: z.array(z.string()).describe("Files Codex reported changing in its `--json` stream (0.43+ `file_change` items, legacy patch events)."),
  supervisor: z.custom<ProcessId>(),
  /** The workspace as the server checked it (device and inode), to tell a swapped one; absent in older states. */
  workspace: z.custom<CheckedDirectory>().nullable().optional(),
});
export type RunSnapshot = z.infer<typeof runSnapshotSchema>;

export function runDir(stateDir: string, runId: string): string {
  return join(stateDir, "runs", runId);
}

export const CANCEL_FILE = "cancel";
export const STATE_FILE = "state.json";
export const REAPED_FILE = "reaped";
/** The run's own inputs (output schema, copies of the checked images), removed when the run's end is recorded. */
export const INPUTS_DIR = "inputs";

export function snapshotOf(run: CodexRun, extra: { model: string | null; eventCount: number; supervisor: ProcessId; workspace: CheckedDirectory }): RunSnapshot {
  return {
    run_id: run.options.runId,
    session_id: run.sessionId,
    status: run.status,
    exit_code: run.outcome?.exitCode ?? null,
    signal: run.outcome?.signal ?? null,
    final_message: run.finalMessage,
    duration_ms: run.durationMs,
    usage: run.usage,
    error: run.outcome?.error ?? null,
    errors: run.errors.slice(-5).map((error) => error.slice(0, 1000)),
    stderr_tail: run.stderrTail.slice(-2000),
    mode: run.options.mode,
    cwd: run.options.cwd,
    model: extra.model,
    started_at: run.startedAt.toISOString(),
    ended_at: run.endedAt?.toISOString() ?? null,
    recent_events: [...run.recentEvents],
    event_count: extra.eventCount,
    files_changed: [...run.filesChanged],
    supervisor: extra.supervisor,
    workspace: extra.workspace,
  };
}

export async function readSnapshot(stateDir: string, runId: string): Promise<RunSnapshot | undefined> {
  // only ids this server makes name a directory of ours (a forged ledger record could name `../..`)
  if (!RUN_ID.test(runId)) return undefined;
  try {
    const value = JSON.parse(await readFile(join(runDir(stateDir, runId), STATE_FILE), "utf8")) as Partial<RunSnapshot>;
    return value.run_id === runId && typeof value.started_at === "string" ? (value as RunSnapshot) : undefined;
  } catch {
    return undefined;
  }
}
