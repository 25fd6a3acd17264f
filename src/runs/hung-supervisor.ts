// A supervisor alive (its marker proves it) but past the deadline its lease names (hung_after: its hard timeout,
// the kill grace periods, the wait for leftovers and a margin, all behind it) is hung: SIGSTOPped, its event
// loop blocked. It would hold its slot, and a worktree run's turn, forever, and its Codex would run on with no
// timeout. Whoever counts the slots or looks at the run stops it (SIGKILL, then every process carrying the
// run's marker); the run is then settled like one whose supervisor died, its end naming the hang.
import { join } from "node:path";
import {
  leasesDir,
  leaseSchema,
  readStateFile,
  RUN_ID,
  STATE_FILES,
  type LeaseRecord,
  type ProcessId,
} from "../contract/index.js";
import { isProvenSupervisor, killMarked, stillRunning } from "../codex/liveness.js";

/** How long a SIGKILLed supervisor gets to be gone before the run is settled anyway (its marker's processes are). */
const GONE_MS = 2000;

/** The run's lease, when it names a supervisor past its deadline (whether it is still there or not). */
export async function pastDeadline(stateDir: string, runId: string): Promise<LeaseRecord | undefined> {
  if (!RUN_ID.test(runId)) return undefined;
  const path = join(leasesDir(stateDir), `${runId}.json`);
  const lease = await readStateFile(path, leaseSchema, STATE_FILES.lease.maxBytes);
  return lease?.run_id === runId && isPast(lease) ? lease : undefined;
}

function isPast(lease: LeaseRecord): boolean {
  if (!lease.supervised || lease.hung_after === undefined) return false;
  const deadline = Date.parse(lease.hung_after);
  return Number.isFinite(deadline) && Date.now() > deadline;
}

/**
 * Stops the lease's supervisor if it is past its deadline: SIGKILL to it (proven by its marker first: a record
 * naming any other process is never signalled), then to every process of the run. False for a lease that is
 * not past its deadline.
 */
export async function stopIfHung(lease: LeaseRecord): Promise<boolean> {
  if (!isPast(lease) || !RUN_ID.test(lease.run_id)) return false;
  if (await isProvenSupervisor(lease.run_id, lease.holder)) await killProven(lease.holder);
  await killMarked(lease.run_id);
  return true;
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
