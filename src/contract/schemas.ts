// The contract between a server (or a CLI) and a run's supervisor: every file they exchange through the
// state dir, and the job a server hands to a supervisor, as one zod schema each. Both processes import
// these and nothing else of each other. Everything here may have been written by someone else (another
// local user, a sandboxed run that reached the state dir): it is parsed, bounded and never believed as is.
import { z } from "zod";
import { RUN_STATUSES, tokenTotalsSchema } from "../sessions/index.js";
import { APPROVAL_TIMEOUT_MS, ENGINES, MAX_TIMER_MS, RUN_MODES } from "../codex/run-modes.js";
import { approvalEntrySchema, liveNumbersSchema, threadSchema, typedErrorSchema } from "./app-server-schemas.js";
import { SESSION_UUID } from "../shared/ids.js";

/** The shape of the run ids a server makes (`run_` + base-36 time + 6 hex digits): only these name a directory. */
export const RUN_ID = /^run_[0-9a-z]{6,40}$/;
export const runIdSchema = z.string().regex(RUN_ID);

export { SESSION_UUID };
/** A Codex session id as Codex makes them: the only form that ever reaches an argv or a printed command. */
export const sessionUuidSchema = z.string().regex(SESSION_UUID);

const text = (max: number) => z.string().max(max);
const path = text(4096);
const isoTime = text(40);

/** What a run does: a task (`codex exec`) or a code review (`codex exec review`). */
export const RUN_TASKS = ["exec", "review"] as const;
export type RunTask = (typeof RUN_TASKS)[number];

/** A process named by its pid and its start time (Linux /proc field 22), so a reused pid is not taken for it. */
export const processIdSchema = z.object({
  pid: z
    .number()
    .int()
    .min(1)
    .max(2 ** 22),
  /** Clock ticks after boot at which it started; null where /proc is not readable (then nothing proves it). */
  started: z
    .string()
    .regex(/^\d{1,20}$/)
    .nullable(),
});
export type ProcessId = z.infer<typeof processIdSchema>;

/** A directory as it was checked: its resolved path and its identity. */
export const checkedDirectorySchema = z.object({ path, dev: z.number(), ino: z.number() });
export type CheckedDirectory = z.infer<typeof checkedDirectorySchema>;

/** Everything a supervisor needs, handed over on its stdin (so secrets in the environment never touch disk). */
export const jobSchema = z.object({
  runId: runIdSchema,
  stateDir: path,
  codexHome: path,
  codexBin: path,
  argv: z.array(z.string()).max(4096),
  /** `codex exec` (argv) or `codex app-server` (thread, images, outputSchema); absent in jobs of earlier versions. */
  engine: z.enum(ENGINES).default("exec"),
  thread: threadSchema.nullable().default(null),
  images: z.array(path).max(20).default([]),
  outputSchema: z.record(z.string(), z.unknown()).nullable().default(null),
  /** engine app-server: an approval nobody answers is declined after this long. */
  approvalTimeoutMs: z.number().int().positive().max(MAX_TIMER_MS).default(APPROVAL_TIMEOUT_MS),
  /** The workspace as the server checked it: a session recording another one is stopped. */
  workspace: checkedDirectorySchema,
  env: z.record(z.string(), z.string()),
  prompt: z.string(),
  task: z.enum(RUN_TASKS).default("exec"),
  /** Codex makes a git worktree for the run (`--worktree`) and works there, not in `workspace`. */
  worktree: z.boolean().default(false),
  mode: z.enum(RUN_MODES),
  model: text(200).nullable(),
  timeoutMs: z.number().int().positive().max(MAX_TIMER_MS),
  killGraceMs: z.number().int().nonnegative().max(MAX_TIMER_MS),
  codexVersion: text(100),
  /** `--json` ends turns with turn.completed/turn.failed (0.43+). */
  terminalEvents: z.boolean(),
  /** ≤0.41 starting a new session: find its id from the rollout that appears. */
  discoverSession: z.boolean(),
  resumeOf: sessionUuidSchema.nullable(),
  /** The run was started with `--skip-git-repo-check` (a resume of its session needs it too). */
  skipGitRepoCheck: z.boolean(),
  /** The operator's --ledger-prompts: the ledger keeps the first 200 characters of the prompt. */
  recordPrompt: z.boolean(),
  serverPid: z.number().int().positive(),
});
export type Job = z.infer<typeof jobSchema>;

/** One line of progress a supervisor publishes. */
const eventSchema = z.object({ at: isoTime, message: text(1000) });

/** `runs/<run_id>/state.json`: what a run's supervisor publishes while it runs and once more at its end. */
export const runStateSchema = z.object({
  run_id: runIdSchema,
  session_id: sessionUuidSchema.nullable(),
  status: z.enum(RUN_STATUSES),
  exit_code: z.number().int().nullable(),
  signal: text(40).nullable(),
  final_message: text(200_000).nullable(),
  duration_ms: z.number().nonnegative(),
  usage: tokenTotalsSchema.nullable(),
  error: text(64 * 1024).nullable(),
  errors: z.array(text(64 * 1024)).max(64),
  stderr_tail: text(64 * 1024),
  mode: z.enum(RUN_MODES),
  /** Absent in states of earlier versions (a task). */
  task: z.enum(RUN_TASKS).optional(),
  /** The run asked Codex for a worktree of its own; absent in states of earlier versions. */
  worktree: z.boolean().optional(),
  /** How the run drives Codex; absent in states of earlier versions (exec). */
  engine: z.enum(ENGINES).optional(),
  live: liveNumbersSchema.nullable().optional(),
  approvals: z
    .array(approvalEntrySchema)
    .max(200)
    .optional()
    .describe("engine app-server: every approval the run asked for, answered or not, oldest first."),
  error_info: typedErrorSchema
    .nullable()
    .optional()
    .describe("engine app-server: the failed turn's typed error (`codexErrorInfo`), when Codex gave one."),
  cwd: path,
  /** The model the caller asked for (null: Codex's default), to compare with what the session used. */
  model: text(200).nullable(),
  started_at: isoTime,
  ended_at: isoTime.nullable(),
  recent_events: z.array(eventSchema).max(50),
  /** How many progress events there have been, so a follower can tell which of recent_events are new. */
  event_count: z.number().int().nonnegative(),
  files_changed: z
    .array(path)
    .max(10_000)
    .describe("Files Codex reported changing in its `--json` stream (0.43+ `file_change` items, legacy patch events)."),
  supervisor: processIdSchema,
  /** The workspace as the server checked it (device and inode), to tell a swapped one; absent in older states. */
  workspace: checkedDirectorySchema.nullable().optional(),
});
export type RunState = z.infer<typeof runStateSchema>;

/** `leases/<run_id>.json`: a live run's slot, and whether it writes in its cwd. */
export const leaseSchema = z.object({
  run_id: runIdSchema,
  cwd: path,
  /** Writes in `cwd` (any mode but read-only): one such run per directory, unless allowed. */
  writer: z.boolean(),
  /** First the server that starts the run, then (from the hand-over) the run's supervisor. */
  holder: processIdSchema,
  /** The hand-over happened: the holder is the run's supervisor and carries its marker. */
  supervised: z.boolean(),
  at: isoTime,
  /**
   * From this time a holder still proven alive is a hung supervisor (SIGSTOPped, its event loop blocked): every
   * bound it keeps has passed (hungAfter). Whoever counts the slots or looks at the run stops it. Absent in
   * leases of earlier versions: such a holder is never taken for hung.
   */
  hung_after: isoTime.optional(),
});
export type LeaseRecord = z.infer<typeof leaseSchema>;

/**
 * `runs/<run_id>/ending.json`: the supervisor's Codex is gone and its slot freed (the lease with its deadline
 * removed); from `hung_after` a supervisor still alive with no end recorded, and no longer beating (touching
 * this file), is hung, as one past its lease's deadline is.
 */
export const endingSchema = z.object({
  run_id: runIdSchema,
  holder: processIdSchema,
  at: isoTime,
  hung_after: isoTime,
});
export type EndingRecord = z.infer<typeof endingSchema>;

/** `leases/.lock`: held for the few milliseconds it takes to count the leases and take one. */
export const lockSchema = z.object({ holder: processIdSchema, at: isoTime });
export type LockRecord = z.infer<typeof lockSchema>;

/** Control characters (newlines included), line and paragraph separators, bidirectional controls. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_IN_REASON = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `runs/<run_id>/cancel`: a request to stop the run; its text is the reason, as the first caller gave it
 * (cancel_run keeps 1000 characters of it). Anyone who can write the state dir can plant one, and the reason
 * goes into the run's recorded error: it is taken as one line, without control characters, and not empty.
 */
export const cancelRequestSchema = text(1000)
  .transform((reason) => reason.replace(UNSAFE_IN_REASON, " ").replace(/\s+/g, " ").trim())
  .pipe(z.string().min(1));

/** Ledger (`runs.jsonl`) records: a start, a session and an end per run; a line is at most 64 KB, which bounds each field. */
const recordText = text(64 * 1024);
const recordList = <T extends z.ZodType>(item: T) => z.array(item).max(4096);
export const startRecordSchema = z.object({
  type: z.literal("start"),
  run_id: runIdSchema,
  at: isoTime,
  argv: recordList(recordText),
  cwd: path,
  mode: z.enum(RUN_MODES),
  /** Absent in records of earlier versions (a task). */
  task: z.enum(RUN_TASKS).optional(),
  pgid: z.number().int().positive().nullable(),
  /** The server process that started the run. */
  server_pid: z.number().int().positive(),
  /** The run's supervisor, which follows it to its end (absent in records of earlier versions: the server followed it). */
  supervisor: processIdSchema.optional(),
  codex_version: text(100),
  /** The first 200 characters of the prompt: only with the operator's --ledger-prompts (earlier versions always kept them). */
  prompt_preview: recordText.optional(),
  resume_of: sessionUuidSchema.nullable(),
  /** Absent in records of earlier versions: read from their argv once, here. */
  skip_git_repo_check: z.boolean().optional(),
});
export type StartRecord = z.infer<typeof startRecordSchema>;

export const sessionRecordSchema = z.object({
  type: z.literal("session"),
  run_id: runIdSchema,
  at: isoTime,
  session_id: sessionUuidSchema,
});
export type SessionRecord = z.infer<typeof sessionRecordSchema>;

export const endRecordSchema = z.object({
  type: z.literal("end"),
  run_id: runIdSchema,
  at: isoTime,
  status: z.enum(RUN_STATUSES).exclude(["running"]),
  session_id: sessionUuidSchema.nullable(),
  exit_code: z.number().int().nullable(),
  signal: text(40).nullable(),
  duration_ms: z.number().nonnegative(),
  error: recordText.nullable(),
  /** Errors Codex printed in its `--json` stream, newest last. */
  errors: recordList(recordText),
  stderr_tail: recordText,
  final_message: recordText.nullable(),
  usage: tokenTotalsSchema.nullable(),
});
export type EndRecord = z.infer<typeof endRecordSchema>;

/** The statuses an end record may hold in this version. */
const ENDED_STATUSES: readonly string[] = RUN_STATUSES.filter((status) => status !== "running");
/** What an end status this version does not know (a later version's) is read as. */
export const UNKNOWN_END_STATUS_READ_AS = "failed" as const;

/**
 * An end record with a status a later version wrote, made readable: the run has ended whatever the word,
 * so it is read as `failed` (never re-settled, never `completed`), with the word named in its error, cut to
 * 40 characters of a safe alphabet. Only a string status other than `running` is taken so; any other value
 * stays unreadable.
 */
export function readableEndStatus(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  // `running` is no later version's end: such a record stays unread, so the run's supervisor decides
  if (
    record.type !== "end" ||
    typeof record.status !== "string" ||
    record.status === "running" ||
    ENDED_STATUSES.includes(record.status)
  )
    return value;
  const word = record.status.slice(0, 40).replace(/[^A-Za-z0-9_.-]/g, "?");
  const note = `ended with status "${word}", which this version does not know (read as ${UNKNOWN_END_STATUS_READ_AS})`;
  const error = typeof record.error === "string" ? `${note}: ${record.error.slice(0, 60_000)}` : note;
  return { ...record, status: UNKNOWN_END_STATUS_READ_AS, error };
}

export const ledgerRecordSchema = z.discriminatedUnion("type", [
  startRecordSchema,
  sessionRecordSchema,
  endRecordSchema,
]);
export type LedgerRecord = z.infer<typeof ledgerRecordSchema>;
