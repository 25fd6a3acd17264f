// What is run X, or the run of session Y, whoever started it: every process sharing a state dir answers
// alike from the ledger (runs.jsonl) and the state each supervisor publishes. Looking at a run whose
// supervisor is gone without recording an end settles it: whatever still carries the run's marker is
// stopped and the end is recorded with the reason.
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import {
  leaveRequest,
  INPUTS_DIR,
  lastMessageFile,
  leasesDir,
  ownDirectory,
  readCancelRequest,
  readStateFile,
  removeFile,
  removeTree,
  reportIgnored,
  RUN_ID,
  runDir,
  RunLedger,
  runsDir,
  runStateSchema,
  skippedGitCheck,
  STATE_FILES,
  REQUEST_SIGNAL,
  type EndingRecord,
  type LedgerRun,
  type ProcessId,
  type RunState,
} from "../contract/index.js";
import { isProvenSupervisor, killMarked, processId } from "../codex/liveness.js";
import { takeLock } from "./scheduler.js";
import type { SessionStore } from "../sessions/index.js";
import { readReviewOutput, type Review } from "./review-output.js";
import { hungEnding, hungLease, killProven, stillBeats, stopHung } from "./hung-supervisor.js";
import { endOfOrphan } from "./orphan-end.js";
import { LEFTOVERS_GONE_MS } from "../codex/processes.js";
import { readWorktree } from "../codex/worktree.js";
import {
  effectiveSettings,
  lookAtEach,
  viewOfLedgerRun,
  viewOfSnapshot,
  type Effective,
  type OperatorPolicy,
  type RecentRuns,
  type RunView,
} from "./run-view.js";

interface Loaded {
  entry: LedgerRun;
  snapshot: RunState | undefined;
}

/** What a run directory's files are read through: only ids of ours, never a link, each file bounded and parsed. */
export async function readRunState(stateDir: string, runId: string): Promise<RunState | undefined> {
  if (!RUN_ID.test(runId)) return undefined;
  const dir = runDir(stateDir, runId);
  const state = await readStateFile(join(dir, STATE_FILES.state.name), runStateSchema, STATE_FILES.state.maxBytes, [
    runsDir(stateDir),
    dir,
  ]);
  return state?.run_id === runId ? state : undefined;
}

export interface WaitOptions {
  /** Stop waiting once the session id is known (a background run's first answer), not only at the end. */
  untilSession?: boolean;
  /** Called with each progress line the run publishes after `fromEvent`. */
  onEvent?: (message: string) => void;
  fromEvent?: number;
  signal?: AbortSignal;
}

const POLL_MS = 100;
/** What a settler takes beyond its kill's wait (reading and writing a few small files). */
const CLAIM_WAIT_MS = 5000;
/** A claim older than this is stale even with its holder alive (settling takes seconds, not minutes). */
const CLAIM_STALE_MS = 60_000;
/** Runs looked at together when every unended run is (runningSessions). */
const LOOKS_AT_ONCE = 16;

export class RunRegistry {
  readonly ledger: RunLedger;
  /** What an ended run really ran with no longer changes. */
  private readonly effective = new Map<string, Effective | null>();
  /** An ended review's findings no longer change either. */
  private readonly reviews = new Map<string, Review | null>();

  constructor(
    readonly stateDir: string,
    /** The session reader of the process asking (views name the rollout and compare what the session recorded). */
    private readonly sessions: SessionStore,
    private readonly killGraceMs: number,
    /** The Codex binary this process runs: the only one a printed command names (never one read from a record). */
    private readonly codexBin: string,
    /** What the operator's configuration sets, to report a run whose session loosened it. */
    private readonly operatorPolicy: () => Promise<OperatorPolicy>,
  ) {
    this.ledger = new RunLedger(stateDir);
  }

  async get(runId: string): Promise<RunView | undefined> {
    const loaded = await this.load(runId);
    return loaded && this.present(loaded);
  }

  /** The newest run of a session, by any process of this state dir. */
  async findBySession(sessionId: string): Promise<RunView | undefined> {
    const entry = await this.ledger.findBySession(sessionId);
    return entry && this.get(entry.start.run_id);
  }

  /**
   * The sessions a run still runs, by any process of this state dir: the ledger read once, and only runs
   * with no end record looked at (a report asks this once, not once per unfinished session).
   */
  async runningSessions(): Promise<Set<string>> {
    // a run's session may be known from its published state before the ledger records it
    const open = (await this.ledger.runs()).filter((entry) => entry.end === null);
    const running = new Set<string>();
    // a few at a time: a ledger of thousands of unended runs must not open thousands of files at once
    for (let from = 0; from < open.length; from += LOOKS_AT_ONCE) {
      // one run that cannot be looked at (its folder a link, say) does not hide the others
      const views = await Promise.all(
        open.slice(from, from + LOOKS_AT_ONCE).map((entry) => this.get(entry.start.run_id).catch(() => undefined)),
      );
      for (const view of views)
        if (view?.status === "running" && view.session_id !== null) running.add(view.session_id);
    }
    return running;
  }

  /** The newest run of a session was started with `--skip-git-repo-check` (a resume needs it too); undefined: no run. */
  async skippedGitCheck(sessionId: string): Promise<boolean | undefined> {
    const entry = await this.ledger.findBySession(sessionId);
    return entry && skippedGitCheck(entry.start);
  }

  /**
   * Newest first. A run that cannot be looked at (its settle failed: a full disk, a folder planted by a
   * sandboxed run) is named in `unreadable` with why, and does not hide the others.
   */
  async recent(limit: number): Promise<RecentRuns> {
    const entries = (await this.ledger.runs()).slice(-limit).reverse();
    return lookAtEach(
      entries.map((entry) => entry.start.run_id),
      (runId) => this.get(runId),
    );
  }

  /** Waits until the run ends (or names its session, if asked), `ms` pass, or `signal` aborts. */
  async wait(runId: string, ms: number, options: WaitOptions = {}): Promise<RunView | undefined> {
    const began = Date.now();
    const deadline = began + ms;
    // without fromEvent, only what happens from now on is news
    let seen = options.fromEvent;
    for (;;) {
      const loaded = await this.load(runId);
      if (!loaded) return undefined;
      const { snapshot, entry } = loaded;
      if (snapshot) {
        if (seen !== undefined && options.onEvent && snapshot.event_count > seen) {
          for (const event of snapshot.recent_events.slice(
            -Math.min(snapshot.event_count - seen, snapshot.recent_events.length),
          ))
            options.onEvent(event.message);
        }
        seen = snapshot.event_count;
      }
      // over once the end is in the ledger (the supervisor writes it last), so whoever was waiting finds
      // every record of the run; no snapshot: a run of an earlier version, which only the ledger knows
      const over = entry.end !== null || !snapshot;
      const named = options.untilSession === true && (snapshot?.session_id ?? entry.session_id) !== null;
      if (over || named || Date.now() >= deadline || options.signal?.aborted) return this.present(loaded);
      // short runs and cancels end within a second: look often at first, then settle to POLL_MS
      const pause = Date.now() - began < 1000 ? POLL_MS / 4 : POLL_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(1, deadline - Date.now()))));
    }
  }

  /**
   * Asks the run's supervisor to stop it (a cancel file it watches, and a signal to look at once), then
   * waits for the end to be recorded. A run whose supervisor is gone is settled here instead.
   */
  async cancel(runId: string, reason: string): Promise<RunView | undefined> {
    const loaded = await this.load(runId);
    if (!loaded) return undefined;
    if (ended(loaded)) return this.present(loaded);
    const dir = runDir(this.stateDir, runId);
    await ownDirectory(runsDir(this.stateDir));
    await replaceForeign(dir);
    await ownDirectory(dir);
    // the first reason stays: a second cancel does not rewrite why the run was stopped
    await leaveRequest(
      runsDir(this.stateDir),
      dir,
      STATE_FILES.cancel.name,
      reason.slice(0, 1000),
      STATE_FILES.cancel.maxBytes,
    ).catch(() => undefined);
    await nudgeSupervisor(runId, loaded.entry.start.supervisor);
    // SIGINT, SIGTERM, then SIGKILL, each given killGraceMs, the wait for what is left, and the recording after that
    const waitMs = this.killGraceMs * 3 + LEFTOVERS_GONE_MS + 10_000;
    let view = await this.wait(runId, waitMs);
    let waited = waitMs;
    const supervisor = loaded.entry.start.supervisor;
    const stopping = async () =>
      view?.status === "running" && supervisor !== undefined && (await isProvenSupervisor(runId, supervisor));
    if (!(await stopping())) return view;
    // one that still beats is acting on it, slowly (a loaded machine): its own end is the honest one (its final
    // message, its usage), so it gets one more wait
    if (await stillBeats(this.stateDir, runId)) {
      view = await this.wait(runId, waitMs);
      waited += waitMs;
      if (!(await stopping())) return view;
    }
    // alive, but it did not act on the cancel: hung (SIGSTOPped, its event loop blocked, or stuck). The caller
    // asked for the run to stop, and it would otherwise hold its slot until its deadline: it is stopped here
    await killProven(supervisor!);
    const current = await this.ledger.find(runId);
    if (!current) return view;
    await this.settle(
      { entry: current, snapshot: await readRunState(this.stateDir, runId) },
      `alive but it did not act on the cancel within ${waited} ms`,
    );
    return this.get(runId);
  }

  /** Settles every run whose supervisor is gone; returns how many processes that stopped. */
  async settleAll(): Promise<number> {
    let stopped = 0;
    const failures: unknown[] = [];
    for (const entry of await this.ledger.runs()) {
      if (entry.end) continue;
      // one run that cannot be settled (its claim not made: a full disk) does not leave every later one running
      const settled = this.settle({ entry, snapshot: await readRunState(this.stateDir, entry.start.run_id) });
      stopped += (await settled.catch((error: unknown) => void failures.push(error))) ?? 0;
    }
    if (failures.length > 0) throw failures[0];
    return stopped;
  }

  private async load(runId: string): Promise<Loaded | undefined> {
    const entry = await this.ledger.find(runId);
    if (!entry) return undefined;
    const loaded = { entry, snapshot: await readRunState(this.stateDir, runId) };
    if (entry.end) return loaded;
    if ((await this.settle(loaded)) === undefined && (await followed(entry))) return loaded;
    // it ended meanwhile, or was settled here
    return {
      entry: (await this.ledger.find(runId)) ?? entry,
      snapshot: (await readRunState(this.stateDir, runId)) ?? loaded.snapshot,
    };
  }

  /**
   * A run with no recorded end whose supervisor is not running: stop what carries its marker and record
   * the end. Returns the processes stopped, or undefined when the run is still followed (or just ended).
   */
  private async settle({ entry, snapshot }: Loaded, unresponsive?: string): Promise<number | undefined> {
    if (entry.end) return undefined;
    const runId = entry.start.run_id;
    // a supervisor past its lease's deadline that no longer beats is hung, not following: it is stopped first
    // (hung-supervisor.ts)
    const lease = unresponsive === undefined ? await hungLease(this.stateDir, runId) : undefined;
    let ending: EndingRecord | undefined;
    if (lease) await stopHung(lease);
    else if (await followed(entry)) {
      // its slot freed (the lease and its deadline gone), the end not recorded in time: hung in between
      ending = unresponsive === undefined ? await hungEnding(this.stateDir, runId, entry.start.supervisor) : undefined;
      if (ending === undefined) return undefined;
      await killProven(ending.holder);
    }
    const hung =
      unresponsive ??
      (lease &&
        `alive but with no end recorded by ${lease.hung_after} (its start, the run's hard timeout, both kill grace periods and a margin)`) ??
      (ending &&
        `alive but with no end recorded by ${ending.hung_after} (its Codex gone and its slot freed at ${ending.at})`);
    // a supervisor records the end before it exits: it may have done so since the ledger was read
    if ((await this.ledger.find(runId))?.end) return undefined;
    snapshot = (await readRunState(this.stateDir, runId)) ?? snapshot;
    const dir = runDir(this.stateDir, runId);
    await ownDirectory(runsDir(this.stateDir));
    await replaceForeign(dir);
    await ownDirectory(dir);
    if (!(await this.claim(runId))) return 0;
    const { killed, left } = await killMarked(runId);
    const cancelled = await readCancelRequest(this.stateDir, runId);
    await removeFile(join(leasesDir(this.stateDir), `${runId}.json`));
    // what the supervisor would have removed at the end: the run's inputs and its last-message file
    await removeTree(join(dir, INPUTS_DIR));
    await removeFile(lastMessageFile(this.stateDir, runId));
    await this.ledger.append(endOfOrphan(entry, snapshot, killed, cancelled, hung, left));
    return killed;
  }

  /**
   * Claims the settling of a run (`reaped`, naming this process): two processes never record two ends. While
   * another live process holds the claim, waits for its end record (its kill waits up to LEFTOVERS_GONE_MS) and
   * returns false. A claim whose holder is gone (it crashed mid-settle) is taken over: left, it kept the run
   * `running` for every later look, and its processes running.
   */
  private async claim(runId: string): Promise<boolean> {
    const path = join(runDir(this.stateDir, runId), STATE_FILES.reaped.name);
    const ended = async () => Boolean((await this.ledger.find(runId))?.end);
    // a holder that is gone (or a claim of an earlier version, a bare pid) is removed and claimed again
    const taken = await takeLock(path, await processId(process.pid), {
      staleMs: CLAIM_STALE_MS,
      deadline: Date.now() + LEFTOVERS_GONE_MS + CLAIM_WAIT_MS,
      pollMs: POLL_MS,
      needless: ended,
    });
    // a claim taken over from a holder that is gone: it may have recorded the end just before it went (after
    // the look at the ledger), and a second settle would record a second end
    return !("heldBy" in taken) && !(await ended());
  }

  private async present({ entry, snapshot }: Loaded): Promise<RunView> {
    const policy = await this.operatorPolicy();
    if (!snapshot) return viewOfLedgerRun(this.sessions, entry, this.codexBin, policy);
    const runId = entry.start.run_id;
    let effective = this.effective.get(runId);
    if (effective === undefined) {
      const sessionId = entry.end?.session_id ?? snapshot.session_id ?? entry.session_id;
      effective = await effectiveSettings(
        this.sessions,
        {
          sessionId,
          mode: snapshot.mode,
          cwd: snapshot.cwd,
          model: snapshot.model,
          workspace: snapshot.workspace ?? null,
          worktree: snapshot.worktree === true,
          startedAt: entry.start.at,
          endedAt: entry.end?.at ?? null,
        },
        policy,
      );
      if (entry.end) this.effective.set(runId, effective);
    }
    const view = await viewOfSnapshot(this.sessions, snapshot, entry, effective, this.codexBin, null, policy);
    if (effective?.cwd) view.worktree = (await readWorktree(effective.cwd, this.sessions.home)) ?? null;
    if (view.task === "review" && view.status !== "running") {
      let review = this.reviews.get(runId);
      if (review === undefined) {
        review = view.rollout_path ? await readReviewOutput(view.rollout_path) : null;
        if (entry.end) this.reviews.set(runId, review);
      }
      view.review = review;
    }
    return view;
  }
}

/**
 * Tells a run's supervisor to look at its requests now (it also looks every 250 ms). A signal goes only to a
 * process proven to be this run's supervisor.
 */
export async function nudgeSupervisor(runId: string, supervisor: ProcessId | undefined): Promise<void> {
  if (!supervisor || !(await isProvenSupervisor(runId, supervisor))) return;
  try {
    process.kill(supervisor.pid, REQUEST_SIGNAL);
  } catch {
    // gone meanwhile: the next look settles it
  }
}

function ended({ entry, snapshot }: Loaded): boolean {
  return entry.end !== null || (snapshot !== undefined && snapshot.status !== "running");
}

/** A run directory that is a link (or not a directory) was planted: it goes as what it is (the link, never its target). */
async function replaceForeign(dir: string): Promise<void> {
  const info = await lstat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) {
    reportIgnored(dir, info.isSymbolicLink() ? "it is a symbolic link (removed)" : "it is not a directory (removed)");
    await removeFile(dir);
  }
}

/**
 * The run is followed by its supervisor, proven by pid, start time and marker. Records of earlier versions
 * (no supervisor: their server followed the run) and records naming any other process prove nothing.
 */
function followed(entry: LedgerRun): Promise<boolean> {
  const supervisor = entry.start.supervisor;
  return supervisor ? isProvenSupervisor(entry.start.run_id, supervisor) : Promise.resolve(false);
}
