// A lock file whose holder has exited: what a crashed process leaves behind.
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { processId } from "../../src/codex/liveness.js";

/** Writes at `path` a lock naming a process that has exited. */
export async function staleLock(path: string): Promise<void> {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  const holder = await processId(child.pid!);
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));
  await writeFile(path, JSON.stringify({ holder, at: new Date().toISOString() }));
}
