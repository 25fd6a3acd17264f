// Slots and writer locks shared by every process of one state dir (servers, CLIs): each live run holds a
// lease file in `<state dir>/leases/`, naming its holder (first the server that starts it, then, from the
// hand-over, its supervisor). A lease counts only while its holder is proven: a supervisor by its pid,
// start time and marker, a server starting a run by its pid and start time for a short while. So a crash
// never keeps a slot, and neither does a forged lease naming pid 1. Leases are counted and taken under one
// short lock, whose wait honours the queue wait too.
import type { Stats } from "node:fs";
import { lstat, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  createExclusive,
  leasesDir,
  lockSchema,
  ownDirectory,
  readStateFile,
  removeFile,
  removeTree,
  STATE_FILES,
  writeAtomically,
  type LeaseRecord,
  type LockRecord,
  type ProcessId,
} from "../contract/index.js";
import { isProvenSupervisor, processId, stillRunning } from "../codex/liveness.js";
import { stopIfHung } from "./hung-supervisor.js";
import { sweepUnstarted } from "./lease-sweep.js";
import { readLeases } from "./leases.js";

export interface Want {
  runId: string;
  cwd: string;
  writer: boolean;
  /** Writes even where another run writes (allow_concurrent). */
  shareDirectory: boolean;
}

export type Refusal =
  | { kind: "busy_directory"; writer: string }
  | { kind: "no_slot" }
  | { kind: "abandoned" }
  | { kind: "lock_held"; path: string; holder: string };

export class Lease {
  constructor(
    readonly path: string,
    private record: LeaseRecord,
  ) {}

  /** The supervisor holds the slot from now on; the server that started the run may go. */
  async handOver(holder: ProcessId, hungAfter: string): Promise<void> {
    this.record = { ...this.record, holder, supervised: true, at: new Date().toISOString(), hung_after: hungAfter };
    await writeAtomically(this.path, JSON.stringify(this.record));
  }

  release(): Promise<void> {
    return removeFile(this.path);
  }
}

/** A lock older than this was left by a crash (it is held for milliseconds). */
const LOCK_STALE_MS = 10_000;
const LOCK_UNREADABLE_MS = 1000;
/** A server hands its lease to the run's supervisor within this; an unsupervised lease older than it is free. */
export const SERVER_HOLD_MS = 60_000;
const POLL_MS = 100;
const LOCK_MIN_WAIT_MS = 2000;

export class Scheduler {
  readonly dir: string;

  constructor(
    private readonly stateDir: string,
    private readonly maxConcurrent: number,
    private readonly queueWaitMs: number,
  ) {
    this.dir = leasesDir(stateDir);
  }

  /**
   * Takes a slot for the run, waiting up to queueWaitMs for one to free. A busy directory is refused at
   * once (waiting would only hide it); no slot, or a lock nobody lets go of, is refused at the deadline.
   */
  async acquire(want: Want, signal?: AbortSignal): Promise<Lease | Refusal> {
    const deadline = Date.now() + this.queueWaitMs;
    for (;;) {
      // whoever asked is gone (the client cancelled, a host's tool timeout): a run started now would be nobody's
      if (signal?.aborted) return { kind: "abandoned" };
      const outcome = await this.tryAcquire(want, deadline);
      if (outcome instanceof Lease && signal?.aborted) {
        await outcome.release();
        return { kind: "abandoned" };
      }
      if (outcome instanceof Lease || outcome.kind !== "no_slot" || Date.now() >= deadline) return outcome;
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
    }
  }

  /** Leases whose holder is proven to be running them (hung supervisors stopped, leases nobody frees swept, first). */
  async live(): Promise<LeaseRecord[]> {
    await this.tidy();
    return this.counted();
  }

  /**
   * Stops every supervisor past its lease's deadline that no longer beats (hung-supervisor.ts), and sweeps the
   * leases nobody will free (lease-sweep.ts). Seeing a hang takes a few beats' watch, and each kill a wait for
   * what it stops to be gone: done before the leases' lock, never under it, where every other run's start would
   * wait as long (past its lock wait: refused, slots free).
   */
  private async tidy(): Promise<void> {
    await Promise.all(
      (await readLeases(this.dir)).map(async ({ path, record }) => {
        if (record.supervised && (await stopIfHung(record, path))) return;
        // nobody will free it: its holder is gone and its run never started (lease-sweep.ts, which checks
        // both); what carries the run's marker is stopped first, which may take the leftovers' wait: never
        // under the lock either
        await sweepUnstarted(this.stateDir, record);
      }),
    );
  }

  /** Leases whose holder is proven to be running them, as they stand now: quick, held under the lock. */
  private async counted(): Promise<LeaseRecord[]> {
    const leases = await readLeases(this.dir);
    const held = await Promise.all(
      leases.map(async ({ path, record }) => ((await holds(record, path)) ? record : undefined)),
    );
    return held.filter((record): record is LeaseRecord => record !== undefined);
  }

  private async tryAcquire(want: Want, deadline: number): Promise<Lease | Refusal> {
    await ownDirectory(this.dir);
    await this.tidy();
    // the lock is held for milliseconds by whoever counts: even a zero queue wait waits that long for it, counted
    // from here: the tidying above can take seconds (a hang's watch, a kill's wait), which left no wait at all
    const lockDeadline = Math.max(deadline, Date.now() + LOCK_MIN_WAIT_MS);
    return this.locked(lockDeadline, async () => {
      const live = await this.counted();
      if (want.writer && !want.shareDirectory) {
        const writer = live.find((lease) => lease.writer && lease.cwd === want.cwd);
        if (writer) return { kind: "busy_directory", writer: writer.run_id } as const;
      }
      if (live.length >= this.maxConcurrent) return { kind: "no_slot" } as const;
      const record: LeaseRecord = {
        run_id: want.runId,
        cwd: want.cwd,
        writer: want.writer,
        holder: await processId(process.pid),
        supervised: false,
        at: new Date().toISOString(),
      };
      const path = join(this.dir, `${want.runId}.json`);
      await writeAtomically(path, JSON.stringify(record));
      return new Lease(path, record);
    });
  }

  /**
   * Runs `work` holding `leases/.lock` (created exclusively, never through a link, naming its holder). A lock
   * that is not a file of ours, whose holder is gone, or older than LOCK_STALE_MS, was left by a crash or
   * planted, and is removed; a lock still held at the deadline refuses the run, naming the file.
   */
  private async locked<T>(deadline: number, work: () => Promise<T>): Promise<T | Refusal> {
    const path = join(this.dir, STATE_FILES.lock.name);
    const taken = await takeLock(path, await processId(process.pid), { staleMs: LOCK_STALE_MS, deadline, pollMs: 10 });
    if ("heldBy" in taken) return { kind: "lock_held", path, holder: taken.heldBy };
    try {
      return await work();
    } finally {
      await removeFile(path);
    }
  }
}

/**
 * Creates the lock file `path` naming `holder`, waiting while a live holder has it (a stale lock is removed):
 * the record written, or, past the deadline (or once `needless` says the lock is no longer needed: looked at
 * each time it is found held), who still holds it. The leases' lock, a worktree's turn, a run's settle claim.
 */
export async function takeLock(
  path: string,
  holder: ProcessId,
  wait: {
    staleMs: number;
    startless?: "gone" | "by pid";
    deadline: number;
    pollMs: number;
    signal?: AbortSignal;
    needless?: () => Promise<boolean>;
  },
): Promise<LockRecord | { heldBy: string }> {
  for (;;) {
    // whoever waits is gone: the lock is not taken for nobody
    if (wait.signal?.aborted) return { heldBy: "nobody (the wait was cancelled)" };
    const record = { holder, at: new Date().toISOString() };
    if (await createExclusive(path, JSON.stringify(record))) return record;
    if (await wait.needless?.()) return { heldBy: "another process (the lock is no longer needed)" };
    const heldBy = await staleOrHolder(path, wait.staleMs, wait.startless);
    if (heldBy === undefined) continue;
    if (Date.now() >= wait.deadline) return { heldBy };
    await new Promise((resolve) => setTimeout(resolve, wait.pollMs));
  }
}

/**
 * Removes a lock that cannot be a live one (not a file, its holder gone, older than `staleMs`) and returns
 * undefined; otherwise says who holds it. A holder named without a start time (where /proc is missing) is
 * gone at once, unless `startless` is "by pid": then it holds while its pid runs, within `staleMs`.
 * `beforeRemove` runs between the look and the removal (a test's stand-in for another process acting there).
 */
export async function staleOrHolder(
  path: string,
  staleMs: number,
  startless: "gone" | "by pid" = "gone",
  beforeRemove?: () => Promise<void>,
): Promise<string | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return undefined;
  if (info.isFile()) {
    const age = Date.now() - info.mtimeMs;
    const lock = await readStateFile(path, lockSchema, STATE_FILES.lock.maxBytes);
    // a lock is created, then written: unreadable for a moment is normal, for longer it is garbage
    const stale =
      lock === undefined
        ? age > LOCK_UNREADABLE_MS
        : (lock.holder.started === null && startless === "gone") || !(await stillRunning(lock.holder)) || age > staleMs;
    if (!stale) return lock ? `pid ${lock.holder.pid}` : "a process that has not written its name yet";
  }
  await beforeRemove?.();
  return (await removeIfSame(path, info)) ? undefined : "a process removing it as stale";
}

/**
 * Removes what is at `path` if it is still the file `seen` (the one judged stale); false when another process is
 * removing it. Removed by name, a lock its holder let go of and another process took meanwhile went in its place
 * (two holders at once); moved aside first, the name was free while a fresh lock was aside, and a third process
 * took it (two holders again). So one process at a time removes, holding `<path>.break` (created exclusively,
 * naming it), and looks again under it: only a removal can free the name of a lock whose holder is gone, and
 * removals take turns. Left open: a lock judged stale by its age whose live holder lets go of it at that moment,
 * and two removers once one died holding the breaker (both may take the dead one's place) or stalled past
 * LOCK_STALE_MS.
 */
async function removeIfSame(path: string, seen: Stats): Promise<boolean> {
  const breaker = `${path}.break`;
  if (!(await takeBreaker(breaker))) return false;
  try {
    const now = await lstat(path).catch(() => undefined);
    if (now && now.ino === seen.ino && now.dev === seen.dev && now.mtimeMs === seen.mtimeMs) await removeTree(path);
  } finally {
    await removeFile(breaker);
  }
  return true;
}

/**
 * Creates the breaker `path`; false while another live process holds it. One left by a process that died while
 * removing (or not a file, or held past LOCK_STALE_MS) is removed by name first.
 */
async function takeBreaker(path: string): Promise<boolean> {
  const record = JSON.stringify({ holder: await processId(process.pid), at: new Date().toISOString() });
  if (await createExclusive(path, record)) return true;
  const info = await lstat(path).catch(() => undefined);
  if (info?.isFile()) {
    // held for the milliseconds of a removal; unreadable only while being written (where links are not made). A
    // live holder that stalled is waited for as long as a lock is (LOCK_STALE_MS): it removes by name when it
    // goes on, so a second remover let in meanwhile makes two holders again
    const breaker = await readStateFile(path, lockSchema, STATE_FILES.lock.maxBytes);
    const age = Date.now() - info.mtimeMs;
    const held =
      breaker === undefined || breaker.holder.started === null
        ? age <= LOCK_UNREADABLE_MS
        : age <= LOCK_STALE_MS && (await stillRunning(breaker.holder));
    if (held) return false;
  }
  await removeTree(path);
  return createExclusive(path, record);
}

/**
 * The lease's holder is running it: a supervisor proven by its marker (a hung one counts until tidy, outside
 * the lock, has stopped it), or a server within its start.
 */
async function holds(record: LeaseRecord, path: string): Promise<boolean> {
  if (record.supervised) return isProvenSupervisor(record.run_id, record.holder);
  if (record.holder.started === null || !(await stillRunning(record.holder))) return false;
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs < SERVER_HOLD_MS;
}
