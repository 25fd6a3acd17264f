// The supervisor of one run: a small detached process (dist/supervisor.js, its own session) that owns the
// Codex process group, enforces the hard timeout, publishes the run's state, records the run in the
// ledger, honours a cancel request from any process, and exits when Codex has ended. The server that
// started it may close, be killed or restart meanwhile: the run does not depend on it. What it reads and
// writes in the state dir is the contract's (src/contract).
import { join } from "node:path";
import {
  INPUTS_DIR,
  lastMessageFile,
  leasesDir,
  provenDirectory,
  readBounded,
  readCancelRequest,
  readStateFile,
  removeFile,
  removeTree,
  runDir,
  RunLedger,
  RUN_ID,
  runsDir,
  runStateSchema,
  STATE_FILES,
  SUPERVISOR_BEAT_MS,
  supervisorSpanMs,
  writeAtomically,
  ENDING_MS,
  type EndingRecord,
  type EndRecord,
  type Job,
  type ProcessId,
  type RunState,
  type StartRecord,
} from "../contract/index.js";
import { processId } from "../codex/liveness.js";
import { loadExeca } from "../codex/execa.js";
import type { RunOutcome } from "./outcome.js";
import { CodexRun } from "./codex-process.js";
import { AppServerSupervisedRun } from "./app-server-run.js";
import { awaitApproval } from "./app-server-requests.js";
import type { SupervisedRun } from "./supervised-run.js";
import { newSessionFinder } from "./legacy-session.js";
import { Publisher } from "./publisher.js";
import { stopIfWorkspaceSwapped } from "./workspace-watch.js";
import { startWatchdog } from "./watchdog.js";
import { lutimes, readdir } from "node:fs/promises";

const CANCEL_POLL_MS = 250;
/** The start of a run's error when its directory is not one of ours to write in (the problem follows). */
const RUN_DIR_REFUSED = "the run's directory was not written: ";

export class Supervisor {
  private run: SupervisedRun | undefined;
  /** Codex is being (or has been) started: from then on a cancel stops the run, before it, the start. */
  private starting = false;
  /**
   * A cancel that came before Codex was started. A signal (the server gave up waiting for the start) is not
   * recorded; a request in the cancel file (the call that asked for the run is gone) is, as cancelled.
   */
  private pendingCancel: { reason: string; record: boolean } | undefined;
  /** A look at the run's requests is under way (the poll and a nudge may overlap). */
  private serving = false;
  private readonly dir: string;
  /** Why the run's directory is no longer one to write in (a link put in its place, another's, gone): once found, kept. */
  private runDirProblem: string | undefined;
  /** What the beat touches: the lease, then, once the slot is freed, the ending record (freeSlot). */
  private beatPath = "";

  constructor(private readonly job: Job) {
    this.dir = runDir(job.stateDir, job.runId);
  }

  /** A cancel request: from the cancel file (any process), or a signal to this process. */
  cancel(reason: string, { record = false }: { record?: boolean } = {}): void {
    if (this.run && this.starting) void this.run.stop("cancelled", reason);
    else this.pendingCancel ??= { reason, record };
  }

  /** Looks at what servers left in the run's directory: a cancel, and what the run's engine serves (steers). */
  async checkRequests(): Promise<void> {
    await this.checkCancelFile();
    if (this.run && !this.serving && (await this.runDirSafe())) {
      this.serving = true;
      await this.run.serveRequests().finally(() => (this.serving = false));
    }
  }

  /** Looks for `cancel` beside the state file (never through a link); its text, parsed, is the reason. */
  async checkCancelFile(): Promise<void> {
    const reason = await readCancelRequest(this.job.stateDir, this.job.runId).catch(() => undefined);
    if (reason !== undefined) this.cancel(reason, { record: true });
  }

  /**
   * The run's directory (and runs/ above it) proven a directory of ours, not a link, before each write into it:
   * the server made it, but anyone who can write the state dir could have put a link to a project or a private
   * folder in its place since, and every write and removal here would go through it.
   */
  private async runDirSafe(): Promise<boolean> {
    if (this.runDirProblem !== undefined) return false;
    try {
      await provenDirectory(runsDir(this.job.stateDir));
      await provenDirectory(this.dir);
      return true;
    } catch (error) {
      this.runDirProblem = `${RUN_DIR_REFUSED}${error instanceof Error ? error.message : String(error)}`;
      // found while Codex runs (a publish, the poll for requests): it is stopped, and the run recorded as
      // failed in the ledger, which is outside the directory
      if (this.starting && this.run && !this.run.outcome) void this.run.stop("unsafe_run_dir", this.runDirProblem);
      return false;
    }
  }

  private async execRun(cwd: string): Promise<CodexRun> {
    const { job } = this;
    const discoverSessionId = job.discoverSession ? await newSessionFinder(job.codexHome, cwd) : undefined;
    return new CodexRun({
      runId: job.runId,
      codexBin: job.codexBin,
      argv: job.argv,
      cwd,
      env: job.env,
      prompt: job.prompt,
      mode: job.mode,
      timeoutMs: job.timeoutMs,
      killGraceMs: job.killGraceMs,
      terminalEvents: job.terminalEvents,
      ...(job.resumeOf !== null && { expectedSessionId: job.resumeOf }),
      ...(discoverSessionId && { discoverSessionId }),
    });
  }

  /** An app-server run: its approvals wait for an answer file (or the timeout); its live numbers are published. */
  private appServerRun(publish: Publisher): AppServerSupervisedRun {
    const run: AppServerSupervisedRun = new AppServerSupervisedRun(
      this.job,
      (entry) =>
        awaitApproval(
          this.job,
          entry,
          () => run.outcome !== null,
          (message) => run.note(message),
        ),
      () => publish.soon(),
    );
    return run;
  }

  /** Runs Codex to its end and records it; resolves when everything is written. */
  async supervise(): Promise<void> {
    // the beat on the lease tells a server that finds its deadline behind it (a machine that slept: the deadline
    // is wall-clock) that this supervisor is not hung (src/runs/hung-supervisor.ts); lutimes: never through a link
    this.beatPath = join(leasesDir(this.job.stateDir), `${this.job.runId}.json`);
    // past every bound it keeps, on its monotonic clock, the run has not ended: its own timeout failed (a process
    // outside the run's group and marker holding Codex's output open, say). It stops beating, so the first look
    // past the lease's deadline stops it as hung and records the run failed; beating on, it ran on for good
    const span = supervisorSpanMs(this.job);
    const began = performance.now();
    const beat = setInterval(() => {
      if (performance.now() - began > span) clearInterval(beat);
      else void lutimes(this.beatPath, new Date(), new Date()).catch(() => undefined);
    }, SUPERVISOR_BEAT_MS).unref();
    // its Codex is stopped if this process goes without ending the run (watchdog.ts)
    const stopWatchdog = startWatchdog(this.job.runId);
    try {
      await this.runToEnd();
    } finally {
      clearInterval(beat);
      stopWatchdog();
    }
  }

  private async runToEnd(): Promise<void> {
    const { job } = this;
    const cwd = job.workspace.path;
    const self = await processId(process.pid);
    const ledger = new RunLedger(job.stateDir);
    let events = 0;
    let recorded = false;
    const publish = new Publisher(() => {
      const state = stateOf(run, job, { eventCount: events, supervisor: self });
      // the end is published once the final message is read, never by a progress update before that
      if (!recorded)
        Object.assign(state, { status: "running", exit_code: null, signal: null, error: null, ended_at: null });
      return this.runDirSafe().then((safe) =>
        safe ? writeAtomically(join(this.dir, STATE_FILES.state.name), JSON.stringify(state)) : undefined,
      );
    });
    const run = job.engine === "app-server" ? this.appServerRun(publish) : await this.execRun(cwd);
    this.run = run;
    run.onProgress(() => {
      events += 1;
      publish.soon();
    });
    if (!(await this.runDirSafe())) {
      // nothing is written there and nothing started; the ledger (beside runs/) says why
      await removeFile(join(leasesDir(job.stateDir), `${job.runId}.json`));
      const why = this.runDirProblem ?? RUN_DIR_REFUSED;
      await this.recordUnstarted(run, ledger, publish, "failed", why, () => (recorded = true));
      return;
    }
    // execa is loaded before the last look for a cancel: from that look to Codex's spawn nothing else runs here
    if (job.engine === "exec") await loadExeca();
    await this.checkCancelFile();
    const pending = this.pendingCancel;
    if (pending !== undefined) {
      // stopped before Codex started: nothing runs. A cancel request is recorded (whoever follows the run
      // finds it cancelled); the server that gave up waiting for the start (SIGTERM) answered an error already
      await removeFile(join(leasesDir(job.stateDir), `${job.runId}.json`));
      if (await this.runDirSafe()) await removeTree(join(this.dir, INPUTS_DIR));
      if (pending.record)
        await this.recordUnstarted(
          run,
          ledger,
          publish,
          "cancelled",
          `cancelled: ${pending.reason} (before Codex was started)`,
          () => (recorded = true),
        );
      return;
    }
    // no await from the look above to here: a cancel that comes later stops a started run
    this.starting = true;
    const poll = setInterval(() => void this.checkRequests(), CANCEL_POLL_MS);
    await run.start();
    // the legacy stream never names the session; a resume continues the one asked for
    if (!job.terminalEvents && job.resumeOf !== null && run.sessionId === null) run.sessionId = job.resumeOf;
    // published before the ledger names the run: whoever finds the run there finds its state too
    await publish.now();
    await ledger.append(startRecord(job, run, self));
    const workspaceWatch = run.sessionKnown
      .then(() => stopIfWorkspaceSwapped(job.codexHome, run, job.workspace, job.worktree))
      .catch(() => undefined);
    const session = run.sessionKnown.then(async () => {
      if (run.sessionId && !run.outcome)
        await ledger.append({
          type: "session",
          run_id: job.runId,
          at: new Date().toISOString(),
          session_id: run.sessionId,
        });
    });
    await run.done;
    clearInterval(poll);
    // the slot is Codex's: free once it and its leftovers are gone, before the end is recorded, so whoever
    // sees the end (a waiting call) can start the next writer in this directory at once
    await this.freeSlot(self);
    await session;
    await workspaceWatch;
    if (await this.runDirSafe()) {
      const messageFile = lastMessageFile(job.stateDir, job.runId);
      const lastMessage =
        (await readBounded(messageFile, STATE_FILES.lastMessage.maxBytes, [this.dir]).catch(() => undefined)) ?? "";
      if (lastMessage.trim() !== "") run.events.finalMessage = lastMessage.trim();
      await removeFile(messageFile);
      await removeTree(join(this.dir, INPUTS_DIR));
    } else {
      // what Codex did is not believed whole: its state could not be published, nor its inputs removed
      run.outcome = {
        status: "failed",
        exitCode: run.outcome?.exitCode ?? null,
        signal: run.outcome?.signal ?? null,
        error: this.runDirProblem ?? RUN_DIR_REFUSED,
      };
    }
    // the published end comes first: whoever sees the ledger's end finds the whole story beside it
    recorded = true;
    await publish.now();
    const outcome = run.outcome;
    if (outcome) await ledger.append(endRecord(job, run, outcome));
    // never through a link put in the directory's place (it would remove the file of that name where it points)
    if (await this.runDirSafe()) await removeFile(join(this.dir, STATE_FILES.ending.name));
    await pruneRunDirs(job.stateDir).catch(() => undefined);
  }

  /**
   * Frees the run's slot. The lease carried the deadline past which this supervisor, alive, is hung: the ending
   * record carries the next one (the recording of the end), or one that hung here stayed `running` for good.
   */
  private async freeSlot(self: ProcessId): Promise<void> {
    const at = new Date();
    const ending: EndingRecord = {
      run_id: this.job.runId,
      holder: self,
      at: at.toISOString(),
      hung_after: new Date(at.getTime() + ENDING_MS).toISOString(),
    };
    const path = join(this.dir, STATE_FILES.ending.name);
    if (await this.runDirSafe()) await writeAtomically(path, JSON.stringify(ending)).catch(() => undefined);
    this.beatPath = path;
    await removeFile(join(leasesDir(this.job.stateDir), `${this.job.runId}.json`));
  }

  /** A run ended before Codex was started (cancelled, or refused): published and recorded, with no process. */
  private async recordUnstarted(
    run: SupervisedRun,
    ledger: RunLedger,
    publish: Publisher,
    status: "cancelled" | "failed",
    error: string,
    ended: () => void,
  ): Promise<void> {
    const self = await processId(process.pid);
    run.endedAt = new Date();
    run.outcome = { status, exitCode: null, signal: null, error };
    ended();
    await publish.now();
    await ledger.append(startRecord(this.job, run, self));
    await ledger.append(endRecord(this.job, run, run.outcome));
  }
}

function startRecord(job: Job, run: SupervisedRun, supervisor: ProcessId): StartRecord {
  return {
    type: "start",
    run_id: job.runId,
    at: run.startedAt.toISOString(),
    argv: [job.codexBin, ...job.argv],
    cwd: job.workspace.path,
    mode: job.mode,
    task: job.task,
    pgid: run.pgid,
    server_pid: job.serverPid,
    supervisor,
    codex_version: job.codexVersion,
    // prompts can hold secrets: kept only where the operator asked for it
    ...(job.recordPrompt && { prompt_preview: job.prompt.slice(0, 200) }),
    resume_of: job.resumeOf,
    skip_git_repo_check: job.skipGitRepoCheck,
  };
}

function endRecord(job: Job, run: SupervisedRun, outcome: RunOutcome): EndRecord {
  return {
    type: "end",
    run_id: job.runId,
    at: (run.endedAt ?? new Date()).toISOString(),
    status: outcome.status,
    session_id: run.sessionId,
    exit_code: outcome.exitCode,
    signal: outcome.signal,
    duration_ms: run.durationMs,
    error: outcome.error,
    errors: run.events.errors.slice(-5).map((error) => error.slice(0, 1000)),
    stderr_tail: run.stderrTail.slice(-2000),
    final_message: run.events.finalMessage?.slice(0, 4000) ?? null,
    usage: run.usage,
  };
}

/** What the supervisor publishes of its run: the contract's run state. */
function stateOf(run: SupervisedRun, job: Job, extra: { eventCount: number; supervisor: ProcessId }): RunState {
  const { events } = run;
  return {
    run_id: job.runId,
    session_id: run.sessionId,
    status: run.status,
    exit_code: run.outcome?.exitCode ?? null,
    signal: run.outcome?.signal ?? null,
    final_message: events.finalMessage?.slice(0, 200_000) ?? null,
    duration_ms: run.durationMs,
    usage: run.usage,
    error: run.outcome?.error?.slice(0, 64 * 1024) ?? null,
    errors: events.errors.slice(-5).map((error) => error.slice(0, 1000)),
    stderr_tail: run.stderrTail.slice(-2000),
    mode: job.mode,
    task: job.task,
    worktree: job.worktree,
    cwd: job.workspace.path,
    model: job.model,
    started_at: run.startedAt.toISOString(),
    ended_at: run.endedAt?.toISOString() ?? null,
    recent_events: [...run.recentEvents],
    event_count: extra.eventCount,
    files_changed: events.filesChanged.slice(0, 10_000),
    supervisor: extra.supervisor,
    workspace: job.workspace,
    engine: job.engine,
    ...run.published(),
  };
}

/** Run directories kept; older ended ones go (the ledger keeps their record, without recent events). */
const KEPT_RUN_DIRS = 500;

async function pruneRunDirs(stateDir: string): Promise<void> {
  const names = (await readdir(runsDir(stateDir))).filter((name) => RUN_ID.test(name)).sort();
  // run ids start with the time in base 36, so the name order is the start order
  for (const runId of names.slice(0, Math.max(0, names.length - KEPT_RUN_DIRS))) {
    const dir = runDir(stateDir, runId);
    const state = await readStateFile(join(dir, STATE_FILES.state.name), runStateSchema, STATE_FILES.state.maxBytes, [
      runsDir(stateDir),
      dir,
    ]);
    if (state?.status !== "running") await removeTree(dir);
  }
}
