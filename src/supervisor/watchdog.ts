// A run's Codex must not outlive its supervisor. A supervisor SIGKILLed (or crashed) left Codex running until some
// process looked at the run and settled it, which may be never (no server left). So each supervisor starts a tiny
// watchdog (this bundle again, `--watchdog <run_id>`) holding the read end of a pipe only the supervisor writes to:
// when the supervisor is gone, however it went, the kernel closes its end, the watchdog reads EOF, and it SIGKILLs
// every process carrying the run's marker (never anything else: the marker is the proof), then exits. A supervisor
// that ends normally stops its watchdog first.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RUN_ID } from "../contract/index.js";
import { killRunLeftovers, SUPERVISOR_MARKER } from "../codex/processes.js";

export const WATCHDOG_FLAG = "--watchdog";

/** dist/supervisor.js: the bundle this code runs from, or (tests run the sources) the built one. */
function entry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join("src", "supervisor"))
    ? join(here, "..", "..", "dist", "supervisor.js")
    : join(here, "supervisor.js");
}

/** Starts the run's watchdog; the answer stops it (the run ended here, with nothing of it left to stop). */
export function startWatchdog(runId: string): () => void {
  // not the supervisor: a record naming the watchdog's pid never proves a supervisor
  const env = { ...process.env };
  delete env[SUPERVISOR_MARKER];
  try {
    const child = spawn(process.execPath, [entry(), WATCHDOG_FLAG, runId], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
      env,
    });
    child.on("error", () => undefined);
    child.stdin.on("error", () => undefined);
    child.unref();
    // our own child, not yet reaped while it runs: the pid is still its
    return () => void (child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"));
  } catch {
    // a run without a watchdog is still a run: its Codex is stopped by the next look, as before
    return () => undefined;
  }
}

/** The watchdog's side: waits for EOF on stdin (its supervisor gone), then stops what carries the run's marker. */
export async function watch(runId: string): Promise<void> {
  if (!RUN_ID.test(runId)) throw new Error(`${JSON.stringify(runId.slice(0, 80))} is not a run id`);
  process.stdin.resume();
  await new Promise<void>((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    process.stdin.once("error", () => resolve());
  });
  await killRunLeftovers(runId, null);
}
