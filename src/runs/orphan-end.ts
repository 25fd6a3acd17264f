// The end recorded for a run whose supervisor is gone or was stopped as hung: what its last published state
// says, else why it ended without one (a pure decision; the registry writes it).
import type { EndRecord, LedgerRun, RunState } from "../contract/index.js";
import { withLeftovers } from "../codex/processes.js";

/** The end of a run nobody follows any more: `killed` processes of it stopped, a pending cancel, a hang. */
export function endOfOrphan(
  entry: LedgerRun,
  snapshot: RunState | undefined,
  killed: number,
  cancelled: string | undefined,
  /** Why its supervisor, alive, was taken for hung and stopped. */
  hung: string | undefined,
  /** Processes of the run still there after the SIGKILL's wait: named, so nobody takes the run for quiet. */
  left: number[] = [],
): EndRecord {
  return withLeftovers(endOf(entry, snapshot, killed, cancelled, hung), left);
}

function endOf(
  entry: LedgerRun,
  snapshot: RunState | undefined,
  killed: number,
  cancelled: string | undefined,
  hung: string | undefined,
): EndRecord {
  const { start } = entry;
  const holder = start.supervisor ?? { pid: start.server_pid };
  const base = {
    type: "end",
    run_id: start.run_id,
    at: new Date().toISOString(),
    session_id: snapshot?.session_id ?? entry.session_id,
    duration_ms: Date.now() - Date.parse(start.at),
    errors: snapshot?.errors ?? [],
    stderr_tail: snapshot?.stderr_tail ?? "",
    final_message: snapshot?.final_message?.slice(0, 4000) ?? null,
    usage: snapshot?.usage ?? null,
  } as const;
  // it ended and published that, but went before writing the ledger
  if (snapshot && snapshot.status !== "running") {
    return {
      ...base,
      status: snapshot.status,
      exit_code: snapshot.exit_code,
      signal: snapshot.signal,
      error: snapshot.error,
      duration_ms: snapshot.duration_ms,
    };
  }
  const who = start.supervisor
    ? `the run's supervisor (pid ${holder.pid})`
    : `the server that started it (pid ${holder.pid})`;
  if (hung !== undefined) {
    const stoppedHung = `${who} was hung: ${hung}, so it and every process carrying the run's marker were stopped with SIGKILL`;
    return cancelled !== undefined
      ? {
          ...base,
          status: "cancelled",
          exit_code: null,
          signal: "SIGKILL",
          error: `cancelled: ${cancelled.trim()}; ${stoppedHung}`,
        }
      : {
          ...base,
          status: "failed",
          exit_code: null,
          signal: "SIGKILL",
          error: `${stoppedHung}. See session_summary for what the session log says.`,
        };
  }
  // its watchdog (supervisor/watchdog.ts) stops what carries the marker once the supervisor is gone: then nothing is left here
  const stopped =
    killed > 0
      ? `${killed} process(es) still carrying the run's marker were stopped by the next process that looked at it (pid ${process.pid})`
      : "no process carrying the run's marker was left (its watchdog stops them once the supervisor is gone)";
  if (cancelled !== undefined) {
    return {
      ...base,
      status: "cancelled",
      exit_code: null,
      signal: killed > 0 ? "SIGKILL" : null,
      error: `cancelled: ${cancelled.trim()}; ${who} had already stopped, ${stopped}`,
    };
  }
  return {
    ...base,
    status: "failed",
    exit_code: null,
    signal: killed > 0 ? "SIGKILL" : null,
    error: `${who} stopped before the run ended; ${stopped}. See session_summary for what the session log says.`,
  };
}
