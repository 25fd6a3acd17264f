// Leases nobody will ever free: a run whose holder (its supervisor, or the server before the hand-over) is gone,
// proven, and which never recorded a start. A server that gave up on a starting supervisor frees its slot once
// that supervisor has exited; a server that exits first, or a supervisor killed before its start record, left
// the lease and the run's directory for good (the registry settles only runs the ledger knows). Swept when
// slots are counted and when a server starts: what carries the run's marker is stopped (a Codex spawned just
// before its supervisor died), then the lease and the run's directory go, only what we made in them.
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import {
  leasesDir,
  leaseSchema,
  readStateFile,
  STATE_FILES,
  removeFile,
  removeOwnTree,
  reportIgnored,
  RunLedger,
  runDir,
  RUN_ID,
  type LeaseRecord,
} from "../contract/index.js";
import { killMarked, stillRunning } from "../codex/liveness.js";
import { readLeases } from "./leases.js";

/**
 * How long a lease is left untouched (no write, no beat) before it is swept. A supervisor gone before its start a
 * moment ago has a server about to see that, read why in its log, and free the lease and inputs itself: a sweep
 * then took the log (its error said no why) and raced its removals. A lease nobody frees is swept a little later;
 * it counts for no slot meanwhile (scheduler.ts), and what carries its run's marker is stopped at once.
 */
export const SWEEP_AFTER_MS = 10_000;

/** Orphans (run, gone holder) whose marked processes this process has stopped; bounded, a forged lease or two aside. */
const stoppedOrphans = new Set<string>();
const STOPPED_KEPT = 1000;

/**
 * Sweeps the lease of `record` (read from `leases/<run_id>.json`) if its holder is proven gone, the lease untouched
 * for SWEEP_AFTER_MS, and its run has no start record. Returns whether it did.
 */
export async function sweepUnstarted(stateDir: string, record: LeaseRecord): Promise<boolean> {
  const runId = record.run_id;
  if (!RUN_ID.test(runId)) return false;
  // a holder without a start time proves nothing either way: its lease is left (it does not count anyway)
  if (record.holder.started === null || (await stillRunning(record.holder))) return false;
  // one that recorded a start is the registry's to settle (its end says why)
  if ((await new RunLedger(stateDir).find(runId)) !== undefined) return false;
  // the record may be older than the file: a server that handed the lease over to its supervisor, then died,
  // leaves a live holder there. Only a lease that still names the gone holder is acted on
  const path = join(leasesDir(stateDir), `${runId}.json`);
  const now = await readStateFile(path, leaseSchema, STATE_FILES.lease.maxBytes);
  if (now?.holder.pid !== record.holder.pid || now.holder.started !== record.holder.started) return false;
  // its holder gone, what carries the run's marker (a Codex its supervisor spawned just before it died) is
  // nobody's: stopped at once, since its lease counts for no slot (left running while the lease waits, it ran
  // beside the run given that slot). Only the lease and the directory wait, for the server that may free them
  // once per orphan (its run and gone holder), not at every count until the sweep: each kill scans every
  // process and may wait the leftovers' wait, and nothing new carries the marker once its holder is gone
  const orphan = `${runId} ${record.holder.pid} ${record.holder.started}`;
  if (!stoppedOrphans.has(orphan)) {
    await killMarked(runId);
    if (stoppedOrphans.size >= STOPPED_KEPT) stoppedOrphans.clear();
    stoppedOrphans.add(orphan);
  }
  const touched = (await lstat(path).catch(() => undefined))?.mtimeMs;
  if (touched === undefined || Date.now() - touched < SWEEP_AFTER_MS) return false;
  stoppedOrphans.delete(orphan);
  await removeFile(path);
  const left = await removeOwnTree(runDir(stateDir, runId));
  for (const path of left)
    reportIgnored(path, "left in the directory of a run that never started (not ours to remove)");
  return true;
}

/** Sweeps every lease of the state dir that sweepUnstarted takes (a server's start); returns how many. */
export async function sweepLeases(stateDir: string): Promise<number> {
  let swept = 0;
  for (const { record } of await readLeases(leasesDir(stateDir)))
    if (await sweepUnstarted(stateDir, record)) swept += 1;
  return swept;
}
