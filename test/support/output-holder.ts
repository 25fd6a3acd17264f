// A process outside a run holding Codex's stdout open: a detached grandchild (its own session, without the run's
// marker) forked by a wrapper around the real CLI, for the subcommand a run starts (`exec`, `app-server`). The
// server's probes carry no marker, so only a run's Codex forks one. Its pid is written to $HOLDER_PID and waited
// for (a holder still on its way out of the group when Codex exits is stopped with the group).
import { readFileSync } from "node:fs";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RUN_MARKER } from "../../src/codex/processes.js";
import { PINNED_CODEX } from "./codex-versions.js";

export const FORK_HOLDER = `setsid env -u ${RUN_MARKER} bash -c 'echo $$ > "$HOLDER_PID.tmp"; mv "$HOLDER_PID.tmp" "$HOLDER_PID"; exec sleep 600' &
while [ ! -s "$HOLDER_PID" ]; do sleep 0.05; done`;

/** A `codex` in `dir` that is the pinned CLI, forking a holder when a run starts `subcommand`; set HOLDER_PID to `pidFile`. */
export async function holdingCodex(
  dir: string,
  subcommand: "exec" | "app-server",
): Promise<{ bin: string; pidFile: string }> {
  const bin = join(dir, "codex");
  await writeFile(
    bin,
    `#!/usr/bin/env bash\nif [ "$1" = "${subcommand}" ] && [ -n "$${RUN_MARKER}" ]; then\n${FORK_HOLDER}\nfi\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(PINNED_CODEX)} "$@"\n`,
  );
  await chmod(bin, 0o755);
  return { bin, pidFile: join(dir, "holder.pid") };
}

/** The holder's pid once written, remembered in `holders` for the test's cleanup. */
export async function holderOf(pidFile: string, holders: number[]): Promise<number> {
  for (;;) {
    try {
      const pid = Number(readFileSync(pidFile, "utf8").trim());
      holders.push(pid);
      return pid;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
