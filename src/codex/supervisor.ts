// The supervisor of one run: a small detached process (dist/supervisor.js, its own session) that owns the
// Codex process group, enforces the hard timeout, publishes progress (snapshot.ts), records the run in the
// ledger, honours a cancel request from any process, and exits when Codex has ended. The server that
// started it may close, be killed or restart meanwhile: the run does not depend on it.
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { RunMode } from "./argv.js";
import { RunLedger } from "./run-ledger.js";
import { newSessionFinder } from "./legacy-session.js";
import { processId } from "./liveness.js";
import { CodexRun } from "./codex-process.js";
import { writeAtomically } from "./scheduler.js";
import { CANCEL_FILE, readSnapshot, runDir, snapshotOf, STATE_FILE } from "./snapshot.js";
import { stopIfWorkspaceSwapped, type CheckedDirectory } from "./workspace.js";

/** Everything the supervisor needs, handed over on its stdin (so secrets in the environment never touch disk). */
export interface Job {
  runId: string;
  stateDir: string;
  codexHome: string;
  codexBin: string;
  argv: string[];
  cwd: string;
  /** The workspace as the server checked it: a session recording another one is stopped. */
  workspace: CheckedDirectory;
  /** The run's own inputs (schema, image copies), removed once the end is recorded. */
  inputsDir: string;
  env: Record<string, string>;
  prompt: string;
  mode: RunMode;
  model: string | null;
  timeoutMs: number;
  killGraceMs: number;
  codexVersion: string;
  /** `--json` ends turns with turn.completed/turn.failed (0.43+). */
  terminalEvents: boolean;
  /** ≤0.41 starting a new session: find its id from the rollout that appears. */
  discoverSession: boolean;
  resumeOf: string | null;
  lastMessageFile: string;
  leasePath: string;
  serverPid: number;
}

/** Sent to a supervisor after its cancel file is written, so it need not wait for its next look. */
export const CANCEL_SIGNAL = "SIGUSR2";

const PUBLISH_EVERY_MS = 100;
const CANCEL_POLL_MS = 250;

export class Supervisor {
  private run: CodexRun | undefined;
  private pendingCancel: string | undefined;
  private readonly dir: string;

  constructor(private readonly job: Job) {
    this.dir = runDir(job.stateDir, job.runId);
  }

  /** A cancel request: from the cancel file (any process), or a signal to this process. */
  cancel(reason: string): void {
    if (this.run) void this.run.stop("cancelled", reason);
    else this.pendingCancel ??= reason;
  }

  /** Looks for `cancel` beside the state file; its text is the reason. */
  async checkCancelFile(): Promise<void> {
    const text = await readFile(join(this.dir, CANCEL_FILE), "utf8").catch(() => undefined);
    if (text !== undefined) this.cancel(text.trim().slice(0, 300) || "cancel_run was called");
  }

  /** Runs Codex to its end and records it; resolves when everything is written. */
  async supervise(): Promise<void> {
    const { job } = this;
    const self = await processId(process.pid);
    const ledger = new RunLedger(job.stateDir);
    const discoverSessionId = job.discoverSession ? await newSessionFinder(job.codexHome, job.cwd) : undefined;
    const run = new CodexRun({
      runId: job.runId,
      codexBin: job.codexBin,
      argv: job.argv,
      cwd: job.cwd,
      env: job.env,
      prompt: job.prompt,
      mode: job.mode,
      timeoutMs: job.timeoutMs,
      killGraceMs: job.killGraceMs,
      terminalEvents: job.terminalEvents,
      ...(job.resumeOf !== null && { expectedSessionId: job.resumeOf }),
      ...(discoverSessionId && { discoverSessionId }),
    });
    this.run = run;
    let events = 0;
    let recorded = false;
    const publish = new Publisher(() => {
      const snapshot = snapshotOf(run, { model: job.model, eventCount: events, supervisor: self, workspace: job.workspace });
      // the end is published once the final message is read, never by a progress update before that
      if (!recorded) Object.assign(snapshot, { status: "running", exit_code: null, signal: null, error: null, ended_at: null });
      return writeAtomically(join(this.dir, STATE_FILE), JSON.stringify(snapshot));
    });
    run.onProgress(() => {
      events += 1;
      publish.soon();
    });
    const poll = setInterval(() => void this.checkCancelFile(), CANCEL_POLL_MS);
    await run.start();
    if (this.pendingCancel !== undefined) void run.stop("cancelled", this.pendingCancel);
    // the legacy stream never names the session; a resume continues the one asked for
    if (!job.terminalEvents && job.resumeOf !== null && run.sessionId === null) run.sessionId = job.resumeOf;
    // published before the ledger names the run: whoever finds the run there finds its state too
    await publish.now();
    await ledger.append({
      type: "start",
      run_id: job.runId,
      at: run.startedAt.toISOString(),
      argv: [job.codexBin, ...job.argv],
      cwd: job.cwd,
      mode: job.mode,
      pgid: run.pgid,
      server_pid: job.serverPid,
      supervisor: self,
      codex_version: job.codexVersion,
      prompt_preview: job.prompt.slice(0, 200),
      resume_of: job.resumeOf,
    });
    // the workspace was checked by the server: a session that records another directory (swapped after the check) is stopped
    const workspaceWatch = run.sessionKnown.then(() => stopIfWorkspaceSwapped(job.codexHome, run, job.workspace)).catch(() => undefined);
    const session = run.sessionKnown.then(async () => {
      if (run.sessionId && !run.outcome) await ledger.append({ type: "session", run_id: job.runId, at: new Date().toISOString(), session_id: run.sessionId });
    });
    await run.done;
    clearInterval(poll);
    await session;
    await workspaceWatch;
    const lastMessage = await readFile(job.lastMessageFile, "utf8").catch(() => "");
    if (lastMessage.trim() !== "") run.finalMessage = lastMessage.trim();
    await rm(job.lastMessageFile, { force: true });
    await rm(job.inputsDir, { recursive: true, force: true });
    // the published end comes first: whoever sees the ledger's end finds the whole story beside it
    recorded = true;
    await publish.now();
    const outcome = run.outcome;
    if (outcome) {
      await ledger.append({
        type: "end",
        run_id: job.runId,
        at: (run.endedAt ?? new Date()).toISOString(),
        status: outcome.status,
        session_id: run.sessionId,
        exit_code: outcome.exitCode,
        signal: outcome.signal,
        duration_ms: run.durationMs,
        error: outcome.error,
        errors: run.errors.slice(-5).map((error) => error.slice(0, 1000)),
        stderr_tail: run.stderrTail.slice(-2000),
        final_message: run.finalMessage?.slice(0, 4000) ?? null,
        usage: run.usage,
      });
    }
    await rm(job.leasePath, { force: true });
    await pruneRunDirs(job.stateDir).catch(() => undefined);
  }
}

/** Run directories kept; older ended ones go (the ledger keeps their record, without recent events). */
const KEPT_RUN_DIRS = 500;

async function pruneRunDirs(stateDir: string): Promise<void> {
  const names = (await readdir(join(stateDir, "runs"))).filter((name) => name.startsWith("run_")).sort();
  // run ids start with the time in base 36, so the name order is the start order
  for (const runId of names.slice(0, Math.max(0, names.length - KEPT_RUN_DIRS))) {
    const snapshot = await readSnapshot(stateDir, runId);
    if (snapshot?.status !== "running") await rm(runDir(stateDir, runId), { recursive: true, force: true });
  }
}

/** Writes at most every PUBLISH_EVERY_MS, never two at once, and always the newest state last. */
class Publisher {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly write: () => Promise<void>) {}

  soon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.now();
    }, PUBLISH_EVERY_MS);
  }

  now(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(this.write).catch(() => undefined);
    return this.writing;
  }
}
