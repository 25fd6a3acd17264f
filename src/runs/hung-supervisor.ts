// A supervisor alive (its marker proves it) but past the deadline its lease names (hung_after: its hard timeout,
// the kill grace periods, the wait for leftovers and a margin, all behind it) is hung: SIGSTOPped, its event
// loop blocked. It would hold its slot, and a worktree run's turn, forever, and its Codex would run on with no
// timeout. Whoever counts the slots or looks at the run stops it (SIGKILL, then every process carrying the
// run's marker); the run is then settled like one whose supervisor died, its end naming the hang.
// The deadline is wall-clock and the supervisor's own timers are monotonic: a machine that slept wakes with the
// deadline behind a healthy run whose hard timeout has not come. So past it, only a supervisor that has stopped
// beating (touching its lease, SUPERVISOR_BEAT_MS) is hung; a stale beat is given a few beats' time first, since
// one that just woke beats again within one.
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  endingSchema,
  leasesDir,
  leaseSchema,
  readStateFile,
  RunLedger,
  RUN_ID,
  runDir,
  runsDir,
  STATE_FILES,
  SUPERVISOR_BEAT_MS,
  type EndingRecord,
  type LeaseRecord,
  type ProcessId,
} from "../contract/index.js";
import { isProvenSupervisor, killMarked, stillRunning } from "../codex/liveness.js";
import { readLeases } from "./leases.js";

/** How long a SIGKILLed supervisor gets to be gone before the run is settled anyway (its marker's processes are). */
const GONE_MS = 2000;

/** A beat older than this is stale; a stale one is watched this long for the next before the supervisor is hung. */
const BEAT_STALE_MS = 3 * SUPERVISOR_BEAT_MS;

/** The run's lease, when it names a supervisor past its deadline that no longer beats (whether it is there or not). */
export async function hungLease(stateDir: string, runId: string): Promise<LeaseRecord | undefined> {
  if (!RUN_ID.test(runId)) return undefined;
  const path = join(leasesDir(stateDir), `${runId}.json`);
  const lease = await readStateFile(path, leaseSchema, STATE_FILES.lease.maxBytes);
  return lease?.run_id === runId && (await isHung(lease, path)) ? lease : undefined;
}

async function isHung(lease: LeaseRecord, path: string): Promise<boolean> {
  return isPast(lease) && !(await beating(path));
}

/**
 * Whether the supervisor of the run still beats (its event loop runs: it acts, if slowly). True without a lease:
 * the run has ended, or is being settled, and nothing is held.
 */
export async function stillBeats(stateDir: string, runId: string): Promise<boolean> {
  return !RUN_ID.test(runId) || beating(join(leasesDir(stateDir), `${runId}.json`));
}

async function beating(path: string): Promise<boolean> {
  const beat = async () => (await lstat(path).catch(() => undefined))?.mtimeMs;
  const last = await beat();
  if (last === undefined || Date.now() - last < BEAT_STALE_MS) return true;
  const until = Date.now() + BEAT_STALE_MS;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if ((await beat()) !== last) return true;
  }
  return false;
}

/**
 * The ending record of a run whose supervisor (`supervisor`, the start record's) freed its slot, its Codex gone,
 * and has not recorded the end by the record's deadline, no longer beating: hung there (whether it is there or
 * not). A record naming another process, or one beside a lease (whose own deadline counts), proves nothing.
 */
export async function hungEnding(
  stateDir: string,
  runId: string,
  supervisor: ProcessId | undefined,
): Promise<EndingRecord | undefined> {
  const past = await endingPast(stateDir, runId, supervisor);
  return past && !(await beating(past.path)) ? past.ending : undefined;
}

/** The run's ending record, when it names `supervisor`, has no lease beside it, and is past its deadline. */
async function endingPast(
  stateDir: string,
  runId: string,
  supervisor: ProcessId | undefined,
): Promise<{ ending: EndingRecord; path: string } | undefined> {
  if (!RUN_ID.test(runId) || supervisor === undefined) return undefined;
  if ((await lstat(join(leasesDir(stateDir), `${runId}.json`)).catch(() => undefined)) !== undefined) return undefined;
  const dir = runDir(stateDir, runId);
  const path = join(dir, STATE_FILES.ending.name);
  const ending = await readStateFile(path, endingSchema, STATE_FILES.ending.maxBytes, [runsDir(stateDir), dir]);
  if (
    ending?.run_id !== runId ||
    ending.holder.pid !== supervisor.pid ||
    ending.holder.started !== supervisor.started ||
    !(Date.now() > Date.parse(ending.hung_after))
  )
    return undefined;
  return { ending, path };
}

/** A run whose supervisor looks hung now: alive, past its deadline, its last beat (the record's mtime) stale. */
export interface HungRun {
  runId: string;
  holder: ProcessId;
  hungAfter: string;
  lastBeat: Date;
  /** Its start is in the ledger: run_status and cancel_run know the run (and stop the supervisor). */
  started: boolean;
  /** Hung after freeing its slot (its ending record, hungEnding): when it freed it, its Codex gone. */
  slotFreedAt: string | null;
}

/** Doctor names this many hung runs at most; the search stops there. */
export const MAX_HUNG_NAMED = 5;

/**
 * Every run whose supervisor looks hung, as it stands (no watch for a next beat, nothing stopped): what `doctor`
 * names. Only a supervisor proven by its marker: a dead one is no longer hung, and its run is settled by a look.
 * Both deadlines count: a lease's (the run going on) and an ending record's (its slot freed, its end not recorded).
 */
export async function hungRuns(stateDir: string): Promise<HungRun[]> {
  const found: HungRun[] = [];
  const ledger = new RunLedger(stateDir);
  // a lease's run_id is a run id by its schema
  for (const { path, record: lease } of await readLeases(leasesDir(stateDir))) {
    if (found.length >= MAX_HUNG_NAMED) return found;
    if (!isPast(lease)) continue;
    const beat = (await lstat(path).catch(() => undefined))?.mtimeMs;
    if (beat === undefined || Date.now() - beat < BEAT_STALE_MS) continue;
    if (!(await isProvenSupervisor(lease.run_id, lease.holder))) continue;
    // hung before its start record (its server gone since): only a count of the slots reaches it
    const started = (await ledger.find(lease.run_id)) !== undefined;
    found.push({
      runId: lease.run_id,
      holder: lease.holder,
      hungAfter: lease.hung_after ?? "",
      lastBeat: new Date(beat),
      started,
      slotFreedAt: null,
    });
  }
  for (const runId of await readdir(runsDir(stateDir)).catch(() => [] as string[])) {
    if (found.length >= MAX_HUNG_NAMED) break;
    const hung = RUN_ID.test(runId) ? await endingAsItStands(stateDir, runId, ledger) : undefined;
    if (hung) found.push(hung);
  }
  return found;
}

/** hungEnding's test without the watch for a next beat, its supervisor (the start record's, no end recorded) proven. */
async function endingAsItStands(stateDir: string, runId: string, ledger: RunLedger): Promise<HungRun | undefined> {
  const beat = (await lstat(join(runDir(stateDir, runId), STATE_FILES.ending.name)).catch(() => undefined))?.mtimeMs;
  if (beat === undefined || Date.now() - beat < BEAT_STALE_MS) return undefined;
  const entry = await ledger.find(runId);
  if (!entry || entry.end !== null) return undefined;
  const ending = (await endingPast(stateDir, runId, entry.start.supervisor))?.ending;
  if (!ending || !(await isProvenSupervisor(runId, ending.holder))) return undefined;
  return {
    runId,
    holder: ending.holder,
    hungAfter: ending.hung_after,
    lastBeat: new Date(beat),
    started: true,
    slotFreedAt: ending.at,
  };
}

function isPast(lease: LeaseRecord): boolean {
  if (!lease.supervised || lease.hung_after === undefined) return false;
  const deadline = Date.parse(lease.hung_after);
  return Number.isFinite(deadline) && Date.now() > deadline;
}

/**
 * Stops the supervisor of the lease read from `path` if it is hung (past its deadline, no longer beating). False
 * for a lease whose supervisor is not hung.
 */
export async function stopIfHung(lease: LeaseRecord, path: string): Promise<boolean> {
  if (!RUN_ID.test(lease.run_id) || !(await isHung(lease, path))) return false;
  await stopHung(lease);
  return true;
}

/**
 * Stops a hung lease's supervisor: SIGKILL to it (proven by its marker first: a record naming any other process
 * is never signalled), then to every process of the run.
 */
export async function stopHung(lease: LeaseRecord): Promise<void> {
  if (!RUN_ID.test(lease.run_id)) return;
  if (await isProvenSupervisor(lease.run_id, lease.holder)) await killProven(lease.holder);
  await killMarked(lease.run_id);
}

/** SIGKILLs a supervisor the caller has just proven (isProvenSupervisor) and waits, a little, until it is gone. */
export async function killProven(holder: ProcessId): Promise<void> {
  try {
    process.kill(holder.pid, "SIGKILL");
  } catch {
    // gone meanwhile
  }
  const until = Date.now() + GONE_MS;
  while ((await stillRunning(holder)) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
}
