// Is a recorded process still the one that was recorded? A pid alone can be reused by an unrelated
// process after a crash, so a holder is named by its pid and its start time (Linux /proc field 22).
import { readFile } from "node:fs/promises";
import { killRunLeftovers, LEFTOVERS_GONE_MS, SUPERVISOR_MARKER } from "./processes.js";

export interface ProcessId {
  pid: number;
  /** Clock ticks after boot at which it started; null where /proc is not readable. */
  started: string | null;
}

export async function startTimeOf(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "latin1");
    // pid (comm) state ppid … starttime is field 22; comm may contain spaces and parentheses
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" ? null : (fields[19] ?? null);
  } catch {
    return null;
  }
}

export async function processId(pid: number): Promise<ProcessId> {
  return { pid, started: await startTimeOf(pid) };
}

/** The recorded process is running (not a zombie) and is the same process, not a reused pid. */
export async function stillRunning(holder: ProcessId): Promise<boolean> {
  if (!(holder.pid > 0)) return false;
  const started = await startTimeOf(holder.pid);
  if (started !== null) return holder.started === null || holder.started === started;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  // alive but /proc said nothing: a zombie, or no /proc at all
  return holder.started === null && !(await isZombie(holder.pid));
}

async function isZombie(pid: number): Promise<boolean> {
  return readFile(`/proc/${pid}/stat`, "latin1").then(
    (stat) => stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z"),
    () => false,
  );
}

/**
 * The recorded process is the supervisor of this run, proven: running, started when the record says, and
 * carrying the run's supervisor marker. A record without a start time, naming another process (pid 1, a
 * stranger's) or a reused pid proves nothing, and nothing is signalled or waited for on its word.
 */
export async function isProvenSupervisor(runId: string, holder: ProcessId): Promise<boolean> {
  if (holder.started === null || !(holder.pid > 1)) return false;
  if ((await startTimeOf(holder.pid)) !== holder.started) return false;
  const environ = await readFile(`/proc/${holder.pid}/environ`, "latin1").catch(() => "");
  return `\0${environ}`.includes(`\0${SUPERVISOR_MARKER}=${runId}\0`);
}

/**
 * SIGKILL every process that carries the run's marker, and nothing else: once the supervisor is gone, the marker
 * is the only proof that a process belongs to the run (a recorded pgid may have been reused). The supervisor's own
 * path (killRunLeftovers): scanned again until none is left, up to LEFTOVERS_GONE_MS, so an end recorded after it
 * is not recorded while processes of the run still run (or names those still there). The caller passes a
 * validated run id.
 */
export async function killMarked(runId: string): Promise<{ killed: number; left: number[] }> {
  const signalled = new Set<number>();
  const left = await killRunLeftovers(runId, null, LEFTOVERS_GONE_MS, signalled);
  return { killed: signalled.size, left };
}
