// `--instructions`: a process's instructions, counted once under valgrind's callgrind (every thread, and the
// processes it starts: ccusage's Node launcher starts its binary). Wall times on this shared 2-core machine
// move by a third through a day; the count is the same run after run (within 1 %), so it says how much work a
// command does whatever else the machine is doing. JIT-compiled code is counted too (--smc-check=all).
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The instructions of every process in valgrind's report (one `I refs:` line each), added up. */
export function instructionsIn(valgrindOutput: string): number | undefined {
  const counts = [...valgrindOutput.matchAll(/^==\d+== I\s+refs:\s+([\d,]+)$/gm)].map((match) =>
    Number((match[1] ?? "").replaceAll(",", "")),
  );
  return counts.length > 0 ? counts.reduce((sum, count) => sum + count, 0) : undefined;
}

/** Whether valgrind runs here (Debian's `valgrind` package). */
export async function hasValgrind(): Promise<boolean> {
  return run("valgrind", ["--version"], { timeout: 30_000 }).then(
    () => true,
    () => false,
  );
}

/** `argv`'s instructions, and its children's, in `scratch` (callgrind's files are deleted after). */
export async function countInstructions(argv: string[], env: NodeJS.ProcessEnv, scratch: string): Promise<number> {
  const dir = await mkdtemp(join(scratch, "callgrind-"));
  try {
    const { stderr } = await run(
      "valgrind",
      [
        "--tool=callgrind",
        "--smc-check=all",
        "--trace-children=yes",
        `--callgrind-out-file=${join(dir, "out.%p")}`,
        ...argv,
      ],
      { env, maxBuffer: 256 * 1024 * 1024, timeout: 900_000 },
    );
    const count = instructionsIn(stderr);
    if (count === undefined) throw new Error(`valgrind printed no instruction count for ${argv.join(" ")}`);
    return count;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
