// What the tools show of a run: as its supervisor published it, or (runs of earlier versions) from the ledger.
import { z } from "zod";
import {
  approvalEntrySchema,
  RUN_TASKS,
  runStateSchema,
  skippedGitCheck,
  type CheckedDirectory,
  type LedgerRun,
  type RunState,
} from "../contract/index.js";
import { AUTO_REVIEW_CONFIG, SANDBOX_OF_MODE, type RunMode } from "../codex/run-modes.js";
import { tomlValue } from "../codex/toml.js";
import { workspaceDifference } from "../codex/workspace-identity.js";
import { isCodexWorktreePath } from "../codex/worktree.js";
import {
  invocationOfRun,
  contextAt,
  openSession,
  resolveSession,
  resumeCommandLine,
  SessionLookupError,
  type SessionStore,
} from "../sessions/index.js";
import { nameProblem, policyDifferences, type OperatorPolicy } from "./run-policy.js";
import { reviewSchema, type Review } from "./review-output.js";

export type { OperatorPolicy } from "./run-policy.js";

export const effectiveSchema = z
  .object({
    model: z.string().nullable(),
    sandbox: z.string().nullable(),
    approval_policy: z.string().nullable(),
    approvals_reviewer: z
      .string()
      .nullable()
      .describe(
        'Who decided approvals: "user" (nobody, in `codex exec`) or "auto_review" (Codex\'s own reviewer, mode "auto-review"); null where the log does not say (before 0.137).',
      ),
    cwd: z.string().nullable(),
    mismatch: z.boolean().describe("The session's newest turn_context differs from what was asked."),
    differences: z.array(z.string()),
  })
  .describe("The settings Codex really used, from the session's newest turn_context.");
export type Effective = z.infer<typeof effectiveSchema>;

/** What the tools answer of a run: what its supervisor publishes, less its own bookkeeping, plus what is derived. */
export const runViewSchema = runStateSchema
  .omit({ model: true, event_count: true, supervisor: true, workspace: true })
  .extend({
    rollout_path: z.string().nullable(),
    resume_command: z.string().nullable().describe("The shell command that resumes the run's session, ready to paste."),
    effective: effectiveSchema.nullable(),
    task: z
      .enum(RUN_TASKS)
      .describe('"exec": a task (run_codex, resume_session); "review": a code review (review_changes).'),
    worktree: z
      .object({
        path: z.string(),
        branch: z.string().nullable().describe("null: detached, as Codex makes its worktrees."),
      })
      .nullable()
      .describe(
        "A run with worktree: true: the git worktree Codex made for it and worked in (resume_session continues there); null otherwise or until Codex has recorded it.",
      ),
    pending_approvals: z
      .array(approvalEntrySchema)
      .describe(
        'engine app-server, mode "ask": the approvals waiting for an answer (the host\'s user through elicitation, `codex-control-mcp approve`, or respond_approval where the operator allows callers; the text says which work here); empty otherwise.',
      ),
    review: reviewSchema
      .nullable()
      .describe(
        "A review run, once ended: what the reviewer found. null for tasks and for reviews still running or that recorded none.",
      ),
  });
export type RunView = z.infer<typeof runViewSchema>;

export const unreadableRunSchema = z
  .object({ run_id: z.string(), error: z.string() })
  .describe("A run in the ledger that could not be looked at, and why; the other runs are listed as usual.");

/** The recent runs, and those of them that could not be looked at. */
export interface RecentRuns {
  runs: RunView[];
  unreadable: Array<z.infer<typeof unreadableRunSchema>>;
}

/** Looks at each run; one whose look throws is named with why, and does not hide the others. */
export async function lookAtEach(
  runIds: string[],
  look: (runId: string) => Promise<RunView | undefined>,
): Promise<RecentRuns> {
  const recent: RecentRuns = { runs: [], unreadable: [] };
  const looks = runIds.map((runId) =>
    look(runId).then(
      (view) => ({ runId, view, error: undefined }),
      (error: unknown) => ({ runId, view: undefined, error: error instanceof Error ? error.message : String(error) }),
    ),
  );
  for (const { runId, view, error } of await Promise.all(looks)) {
    if (error !== undefined) recent.unreadable.push({ run_id: runId, error: error.slice(0, 1000) });
    else if (view) recent.runs.push(view);
  }
  return recent;
}

/** A run as its supervisor published it, with the ledger's end (when there is one) as the last word. */
export async function viewOfSnapshot(
  sessions: SessionStore,
  snapshot: RunState,
  entry: LedgerRun,
  effective: Effective | null,
  codexBin: string,
  review: Review | null = null,
  policy: OperatorPolicy = {},
): Promise<RunView> {
  const { end } = entry;
  const sessionId = end?.session_id ?? snapshot.session_id ?? entry.session_id;
  const ended = end !== null || snapshot.status !== "running";
  // every field the supervisor publishes is shown as published (a new field of the contract shows up by itself),
  // less its own bookkeeping; the ledger's end, where there is one, is the last word on how it ended
  const {
    model: _model,
    event_count: _events,
    supervisor: _supervisor,
    workspace: _workspace,
    ...published
  } = snapshot;
  return {
    ...published,
    session_id: sessionId,
    status: end?.status ?? snapshot.status,
    exit_code: end ? end.exit_code : snapshot.exit_code,
    signal: end ? end.signal : snapshot.signal,
    final_message: end ? (snapshot.final_message ?? end.final_message) : snapshot.final_message,
    duration_ms: end?.duration_ms ?? (ended ? snapshot.duration_ms : Date.now() - Date.parse(snapshot.started_at)),
    usage: end?.usage ?? snapshot.usage,
    rollout_path: sessionId ? await rolloutPathOf(sessions, sessionId) : null,
    error: end ? end.error : snapshot.error,
    errors: end && end.errors.length > 0 ? end.errors : snapshot.errors,
    stderr_tail: end?.stderr_tail || snapshot.stderr_tail,
    resume_command: resumeCommandOf(sessions, entry, codexBin, policy, sessionId, {
      mode: snapshot.mode,
      model: snapshot.model,
      // a worktree run's session goes on in the worktree Codex made for it, where it ran, as resume_session does
      cwd:
        snapshot.worktree === true && effective?.cwd && isCodexWorktreePath(effective.cwd, sessions.home)
          ? effective.cwd
          : snapshot.cwd,
    }),
    effective,
    task: snapshot.task ?? entry.start.task ?? "exec",
    worktree: null,
    review,
    pending_approvals: ended ? [] : (snapshot.approvals ?? []).filter((entry) => entry.status === "pending"),
    ended_at: end?.at ?? snapshot.ended_at,
    recent_events: snapshot.recent_events.slice(-10),
  };
}

export async function viewOfLedgerRun(
  sessions: SessionStore,
  entry: LedgerRun,
  codexBin: string,
  policy: OperatorPolicy = {},
): Promise<RunView> {
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
      : "the ledger has no end for this run: the process that followed it stopped before it finished (see session_summary for what the session log says)",
    errors: end?.errors ?? [],
    stderr_tail: end?.stderr_tail ?? "",
    resume_command: resumeCommandOf(sessions, entry, codexBin, policy, sessionId, start),
    effective: null,
    task: start.task ?? "exec",
    worktree: null,
    review: null,
    pending_approvals: [],
    mode: start.mode,
    cwd: start.cwd,
    started_at: start.at,
    ended_at: end?.at ?? null,
    recent_events: [],
    files_changed: [],
  };
}

/** The sandbox switches that keep a sandboxed run out of /tmp and $TMPDIR (state-reach.ts). */
const TMP_EXCLUSIONS = ["exclude_slash_tmp", "exclude_tmpdir_env_var"] as const;

/**
 * The pasteable command that resumes the run's session in its cwd, sandbox, approvals (Codex's reviewer for
 * mode "auto-review") and the model it asked for: with this process's binary (never one a record names) and the run's recorded git check.
 * A sandboxed resume is kept out of /tmp and $TMPDIR as resume_session keeps it, where this server's state is
 * there: pasted without them, it could write what the server later believes (and could do what resume_session refuses).
 */
function resumeCommandOf(
  sessions: SessionStore,
  entry: LedgerRun,
  codexBin: string,
  policy: OperatorPolicy,
  sessionId: string | null,
  run: { cwd: string; mode: RunMode; model?: string | null },
): string | null {
  if (!sessionId) return null;
  const config: Record<string, unknown> = run.mode === "auto-review" ? { ...AUTO_REVIEW_CONFIG } : {};
  if (SANDBOX_OF_MODE[run.mode] === "workspace-write")
    for (const key of TMP_EXCLUSIONS)
      if (policy.sandboxWorkspaceWrite?.[key] === true) config[`sandbox_workspace_write.${key}`] = true;
  return resumeCommandLine({
    ...invocationOfRun(sessions.home, [codexBin]),
    skipGitRepoCheck: skippedGitCheck(entry.start),
    sessionId,
    cwd: run.cwd,
    sandbox: SANDBOX_OF_MODE[run.mode],
    // the model the run asked for (resume_session: the session's own, resume-settings.ts): pasted without it, 0.171
    // resumes on the home's default model; a name read from the state file only when a caller could pass it
    ...(run.model && nameProblem(run.model) === undefined && { model: run.model }),
    options: Object.entries(config).flatMap(([key, value]) => ["-c", `${key}=${tomlValue(value)}`]),
  });
}

/** Timestamps are the same machine's clock, written by two processes: a second of slack either way. */
const CLOCK_SLACK_MS = 1000;

/**
 * What the run's turn_context recorded (the session's newest, or the last before the run ended where a later
 * turn followed it), against what the run asked for and what the operator's configuration sets.
 */
export async function effectiveSettings(
  sessions: SessionStore,
  asked: {
    sessionId: string | null;
    mode: RunMode;
    cwd: string;
    model: string | null;
    workspace?: CheckedDirectory | null;
    worktree?: boolean;
    /** When the run started and ended (its ledger records): a turn outside that span is another run's. */
    startedAt?: string;
    endedAt?: string | null;
  },
  operator: OperatorPolicy = {},
): Promise<Effective | null> {
  if (!asked.sessionId) return null;
  try {
    const session = (await openSession(sessions, asked.sessionId)).model;
    const newest = session.turns.at(-1)?.startedAt;
    // a later turn (another run, a resume by hand) is not this run's: its settings would be compared instead
    const later = asked.endedAt && newest !== undefined && Date.parse(newest) > Date.parse(asked.endedAt);
    const context = later ? await contextAt(sessions, asked.sessionId, asked.endedAt ?? "") : session.lastContext;
    // one from before the run began: the run recorded no turn of its own (it failed first)
    const before =
      asked.startedAt !== undefined &&
      context?.timestamp !== undefined &&
      Date.parse(context.timestamp) < Date.parse(asked.startedAt) - CLOCK_SLACK_MS;
    if (!context || before) return null;
    const differences = policyDifferences(asked.mode, asked.cwd, context, operator);
    if (asked.worktree && context.cwd !== undefined) {
      if (!isCodexWorktreePath(context.cwd, sessions.home))
        differences.push(
          `cwd is ${context.cwd}, asked for a worktree of ${asked.cwd} under ${sessions.home}/worktrees`,
        );
    } else if (context.cwd !== undefined && context.cwd !== asked.cwd)
      differences.push(`cwd is ${context.cwd}, asked for ${asked.cwd}`);
    else if (context.cwd !== undefined && asked.workspace) {
      const swapped = await workspaceDifference(context.cwd, asked.workspace);
      if (swapped !== undefined) differences.push(swapped);
    }
    const model = asked.model;
    if (model !== null && context.model !== undefined && context.model !== model)
      differences.push(`model is ${context.model}, asked for ${model}`);
    return {
      model: context.model ?? null,
      sandbox: context.sandbox ?? null,
      approval_policy: context.approval ?? null,
      approvals_reviewer: context.approvalsReviewer ?? null,
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
