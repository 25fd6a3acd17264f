// The watchdog a supervisor starts for its run (src/supervisor/watchdog.ts), found by its command line.
import { readdir, readFile } from "node:fs/promises";

/** The pids of the watchdog(s) of `runId`. */
export async function watchdogPids(runId: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir("/proc"))
    if (/^\d+$/.test(name)) {
      const cmdline = await readFile(`/proc/${name}/cmdline`, "latin1").catch(() => "");
      if (cmdline.includes(`\0--watchdog\0${runId}`)) pids.push(Number(name));
    }
  return pids;
}

/** How many processes are the watchdog of `runId`. */
export async function watchdogsOf(runId: string): Promise<number> {
  return (await watchdogPids(runId)).length;
}
