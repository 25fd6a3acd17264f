// Starting a run's supervisor (dist/supervisor.js) and waiting until it has recorded the run's start: from
// then on any process of the state dir finds the run. One that does not get there in time is told to stop,
// so no Codex runs that nobody waits for; its slot stays its own until it is gone. A call cancelled
// meanwhile leaves it a cancel request, which it reads before it would spawn Codex.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  hungAfter,
  INPUTS_DIR,
  leaveRequest,
  removeTree,
  runDir,
  runsDir,
  STATE_FILES,
  SUPERVISOR_LOG,
  type Job,
} from "../contract/index.js";
import { killMarked, processId } from "../codex/liveness.js";
import { SUPERVISOR_MARKER } from "../codex/processes.js";
import { MAX_TIMER_MS } from "../codex/run-modes.js";
import type { RunRegistry } from "./registry.js";
import type { Lease } from "./scheduler.js";

/** How long a supervisor may take to start Codex and record the start (the capability probe already ran). */
export const SUPERVISOR_START_MS = 30_000;

/**
 * The supervisor gets its own session (no signal to this process or its terminal reaches it) and no
 * stdio of ours beyond the job on its stdin; its stderr goes to `supervisor.log` beside its state.
 */
export async function spawnSupervisor(
  job: Job,
  lease: Lease,
  registry: RunRegistry,
  { startMs = SUPERVISOR_START_MS, signal }: { startMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const dir = runDir(job.stateDir, job.runId);
  const logFile = join(dir, SUPERVISOR_LOG);
  const log = await open(logFile, "wx", 0o600);
  let exited = false;
  let stop: () => void = () => undefined;
  let kill: () => void = () => undefined;
  // past this, a supervisor still there is hung (hung-supervisor.ts): the lease names it for every server
  const deadline = hungAfter(new Date(), { startMs, timeoutMs: job.timeoutMs, killGraceMs: job.killGraceMs });
  let onExit: (() => void) | undefined;
  let resolveGone!: () => void;
  const gone = new Promise<void>((resolve) => (resolveGone = resolve));
  let cancelAsked = false;
  // the call that asked for the run is gone while its supervisor starts: a supervisor that has not started
  // Codex yet finds this request first and starts nothing (it records the run as cancelled); one that has
  // stops Codex as on any cancel
  const askCancel = async () => {
    cancelAsked = true;
    // something planted where it goes is replaced: passed over by the supervisor, it would hide the request
    await leaveRequest(
      runsDir(job.stateDir),
      dir,
      STATE_FILES.cancel.name,
      CANCELLED_WHILE_STARTING,
      STATE_FILES.cancel.maxBytes,
    ).catch(() => undefined);
  };
  try {
    const child = spawn(process.execPath, [supervisorEntry()], {
      detached: true,
      stdio: ["pipe", "ignore", log.fd],
      // the marker proves, before any signal, that a recorded pid is this run's supervisor
      env: { ...process.env, [SUPERVISOR_MARKER]: job.runId },
      // not the server's working directory, which a host may remove once it is done
      cwd: dir,
    });
    const ended = () => {
      exited = true;
      onExit?.();
      resolveGone();
    };
    child.once("exit", ended);
    child.once("error", ended);
    if (child.pid === undefined)
      throw new Error(`could not start the run's supervisor (${process.execPath} ${supervisorEntry()})`);
    // our own child, not yet reaped while `exited` is false: the pid is still its
    stop = () => void (exited || child.kill("SIGTERM"));
    kill = () => void (exited || child.kill("SIGKILL"));
    await lease.handOver(await processId(child.pid), deadline);
    // given up on while the supervisor was spawned: the request is there before its job, so it starts nothing
    if (signal?.aborted) await askCancel();
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(JSON.stringify(job));
    child.unref();
  } finally {
    await log.close();
  }
  // the supervisor publishes its state, then records the start: from then on any process finds the run
  const started = async () => (await registry.ledger.find(job.runId)) !== undefined;
  const startDeadline = Date.now() + startMs;
  while (!(await started())) {
    if (exited) {
      // it may have recorded the start (and ended) since the last look
      if (await started()) return;
      // it may have spawned a Codex first (its start record failed; the OOM killer): in a group of its own, it
      // outlives the supervisor, and the slot this server frees now would leave it running, nobody's
      await killMarked(job.runId);
      const why = supervisorFailure(await readFile(logFile, "utf8").catch(() => ""));
      throw new Error(`the run's supervisor exited before starting Codex${why ? `: ${why.slice(0, 500)}` : ""}`);
    }
    if (Date.now() >= startDeadline) {
      // told to stop: before Codex it starts nothing; after, it records the run and cancels it (main.ts).
      // Either way it may run on for a while (stopping Codex takes up to the kill grace periods): the slot
      // stays its own until it is gone, and is freed here only if it never recorded the start.
      const release = async () => {
        if (await started()) return;
        // killed at its deadline, it may have spawned a Codex it never recorded
        await killMarked(job.runId);
        await lease.release();
        await removeTree(join(dir, INPUTS_DIR));
      };
      onExit = () => void release().catch(() => undefined);
      stop();
      // one that never gets there (stopped, its event loop blocked) is killed at its lease's deadline: the slot,
      // and a worktree run's turn (which waits for `gone`), are not held forever
      // (further away than a timer keeps, 2^31-1 ms, with the longest durations the flags allow: waited in steps)
      const killAtDeadline = () => {
        const left = Date.parse(deadline) - Date.now();
        if (left > 0) setTimeout(killAtDeadline, Math.min(left, MAX_TIMER_MS)).unref();
        else kill();
      };
      killAtDeadline();
      throw new SupervisorStopping(
        `the run's supervisor did not record the start of run ${job.runId} within ${startMs} ms, and was told to stop (see ${logFile})`,
        gone,
      );
    }
    if (signal?.aborted && !cancelAsked) await askCancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The reason a run cancelled during its supervisor's start is recorded with (the tool's own words for a cancel). */
export const CANCELLED_WHILE_STARTING = "the client cancelled the request";

/**
 * The server gave up waiting for the start and told the supervisor to stop: the run's slot (and inputs) are
 * the supervisor's to release, since it may still be stopping a Codex it started.
 */
export class SupervisorStopping extends Error {
  override readonly name = "SupervisorStopping";

  /** `gone`: resolves once the supervisor has exited (what else waits for it, a worktree turn, ends then). */
  constructor(
    message: string,
    readonly gone: Promise<void>,
  ) {
    super(message);
  }
}

/** dist/supervisor.js: beside the bundle this code runs from, or (tests run the sources) the built one. */
export function supervisorEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = here.endsWith(join("src", "runs"))
    ? join(here, "..", "..", "dist", "supervisor.js")
    : join(here, "supervisor.js");
  if (!existsSync(built)) throw new Error(`the run supervisor ${built} is missing: run \`npm run build\``);
  return built;
}

/** What a supervisor that died at once printed: its message lines, not the stack frames under them. */
export function supervisorFailure(log: string): string {
  const lines = log.split("\n").filter((line) => line.trim() !== "" && !/^\s+at /.test(line));
  return lines.slice(-3).join(" | ");
}
