// The watchdog a supervisor starts for its run (src/supervisor/watchdog.ts), found by its command line.
import { readdir, readFile } from "node:fs/promises";

/** How many processes are the watchdog of `runId`. */
export async function watchdogsOf(runId: string): Promise<number> {
  let found = 0;
  for (const name of await readdir("/proc"))
    if (/^\d+$/.test(name)) {
      const cmdline = await readFile(`/proc/${name}/cmdline`, "latin1").catch(() => "");
      if (cmdline.includes(`\0--watchdog\0${runId}`)) found += 1;
    }
  return found;
}
