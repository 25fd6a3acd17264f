// What the tools show of a run: from the live process, or from the ledger of an earlier server process.
import type { TokenTotals } from "../sessions/events.js";
import { openSession, resolveSession, SessionLookupError, type SessionStore } from "../sessions/index.js";
import { resumeCommandLine } from "../sessions/resume-command.js";
import { SANDBOX_OF_MODE, type RunMode } from "./argv.js";
import type { LedgerRun, RunStatus } from "./ledger.js";
import type { CodexRun } from "./run.js";
import { policyDifferences } from "./run-policy.js";
import { workspaceDifference, type CheckedDirectory } from "./workspace.js";

export interface Effective {
  model: string | null;
  sandbox: string | null;
  approval_policy: string | null;
  cwd: string | null;
  /** The session's newest turn_context differs from what was asked. */
  mismatch: boolean;
  differences: string[];
}

export interface RunView {
  run_id: string;
  session_id: string | null;
  status: RunStatus;
  exit_code: number | null;
  signal: string | null;
  final_message: string | null;
  duration_ms: number;
  usage: TokenTotals | null;
  rollout_path: string | null;
  error: string | null;
  errors: string[];
  stderr_tail: string;
  resume_command: string | null;
  effective: Effective | null;
  mode: RunMode;
  cwd: string;
  started_at: string;
  ended_at: string | null;
  recent_events: Array<{ at: string; message: string }>;
  /** Files Codex reported changing in its `--json` stream (0.43+ `file_change` items, legacy patch events). */
  files_changed: string[];
}

function viewOfRunBase(run: CodexRun): Omit<RunView, "rollout_path" | "effective"> {
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
    errors: run.errors.slice(-5),
    stderr_tail: run.stderrTail.slice(-2000),
    resume_command: run.sessionId ? resumeCommandLine({ sessionId: run.sessionId, cwd: run.options.cwd, sandbox: SANDBOX_OF_MODE[run.options.mode] }) : null,
    mode: run.options.mode,
    cwd: run.options.cwd,
    started_at: run.startedAt.toISOString(),
    ended_at: run.endedAt?.toISOString() ?? null,
    recent_events: run.recentEvents.slice(-10),
    files_changed: [...run.filesChanged],
  };
}

export async function viewOfRun(sessions: SessionStore, run: CodexRun, effective: Effective | null): Promise<RunView> {
  const rolloutPath = run.sessionId ? await rolloutPathOf(sessions, run.sessionId) : null;
  return { ...viewOfRunBase(run), rollout_path: rolloutPath, effective };
}

export async function viewOfLedgerRun(sessions: SessionStore, entry: LedgerRun): Promise<RunView> {
  const { start, end } = entry;
  const sessionId = entry.session_id;
  return {
    run_id: start.run_id,
    session_id: sessionId,
    status: end?.status ?? "failed",
    exit_code: end?.exit_code ?? null,
    signal: end?.signal ?? null,
    final_message: end?.final_message ?? null,
    duration_ms: end?.duration_ms ?? 0,
    usage: end?.usage ?? null,
    rollout_path: sessionId ? await rolloutPathOf(sessions, sessionId) : null,
    error: end
      ? end.error
      : "the ledger has no end for this run: the server that started it stopped before it finished (see session_summary for what the session log says)",
    errors: end?.errors ?? [],
    stderr_tail: end?.stderr_tail ?? "",
    resume_command: sessionId ? resumeCommandLine({ sessionId, cwd: start.cwd, sandbox: SANDBOX_OF_MODE[start.mode] }) : null,
    effective: null,
    mode: start.mode,
    cwd: start.cwd,
    started_at: start.at,
    ended_at: end?.at ?? null,
    recent_events: [],
    files_changed: [],
  };
}

/** What the session's newest turn_context recorded, against what the run asked for. */
export async function effectiveSettings(
  sessions: SessionStore,
  asked: { run: CodexRun; mode: RunMode; cwd: string; workspace?: CheckedDirectory; request: { model?: string | undefined } },
): Promise<Effective | null> {
  const { run } = asked;
  if (!run.sessionId) return null;
  try {
    const context = (await openSession(sessions, run.sessionId)).model.lastContext;
    if (!context) return null;
    const differences = policyDifferences(asked.mode, asked.cwd, context);
    if (context.cwd !== undefined && context.cwd !== asked.cwd) differences.push(`cwd is ${context.cwd}, asked for ${asked.cwd}`);
    else if (context.cwd !== undefined && asked.workspace) {
      const swapped = await workspaceDifference(context.cwd, asked.workspace);
      if (swapped !== undefined) differences.push(swapped);
    }
    const model = asked.request.model;
    if (model !== undefined && context.model !== undefined && context.model !== model) differences.push(`model is ${context.model}, asked for ${model}`);
    return {
      model: context.model ?? null,
      sandbox: context.sandbox ?? null,
      approval_policy: context.approval ?? null,
      cwd: context.cwd ?? null,
      mismatch: differences.length > 0,
      differences,
    };
  } catch {
    return null;
  }
}

async function rolloutPathOf(sessions: SessionStore, sessionId: string): Promise<string | null> {
  try {
    return (await resolveSession(sessions, sessionId)).path;
  } catch (error) {
    if (error instanceof SessionLookupError) return null;
    throw error;
  }
}

