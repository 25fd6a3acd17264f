// Stopping a run's process group: SIGINT (Codex records an aborted turn), then SIGTERM, then SIGKILL, each
// signal given the grace period to work.
import { signalGroup } from "../codex/processes.js";

export async function signalUntilGone(
  pgid: number,
  exitsWithin: (ms: number) => Promise<boolean>,
  graceMs: number,
): Promise<void> {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    if (!signalGroup(pgid, signal)) return;
    if (await exitsWithin(graceMs)) return;
  }
  signalGroup(pgid, "SIGKILL");
}
