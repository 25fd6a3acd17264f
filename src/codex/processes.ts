// Finding and stopping every process of a run. A run is spawned as its own process group; the npm `codex`
// launcher is a Node wrapper around the native binary, and the commands Codex runs are its children, so
// the group is signalled, never just the wrapper. As a last sweep, any process that still carries the
// run's environment marker (Linux /proc) is killed too.
import { readdir, readFile } from "node:fs/promises";

export const RUN_MARKER = "CODEX_CONTROL_MCP_RUN";
export const DEPTH_MARKER = "CODEX_CONTROL_MCP_DEPTH";

export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function groupAlive(pgid: number): boolean {
  return signalGroup(pgid, 0 as unknown as NodeJS.Signals);
}

/** Pids whose environment holds `RUN_MARKER=runId` (empty where /proc is not readable). */
export async function processesOfRun(runId: string): Promise<number[]> {
  const needle = `\0${RUN_MARKER}=${runId}\0`;
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return [];
  }
  const found: number[] = [];
  await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
      .map(async (name) => {
        try {
          const environ = await readFile(`/proc/${name}/environ`, "latin1");
          if (`\0${environ}`.includes(needle)) found.push(Number(name));
        } catch {
          // gone, or not ours to read
        }
      }),
  );
  return found.sort((a, b) => a - b);
}

export async function killRunLeftovers(runId: string): Promise<number> {
  const pids = await processesOfRun(runId);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return pids.length;
}

/**
 * How deep in a chain of delegations this process is: the depth marker in its own environment or in any
 * ancestor's. Codex starts MCP servers with a cleaned environment, so the marker this server gave a Codex
 * run is found on that Codex process, an ancestor, not inherited.
 */
export async function delegationDepth(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let depth = Number(env[DEPTH_MARKER] ?? 0) || 0;
  let pid = process.ppid;
  for (let hops = 0; hops < 32 && pid > 1; hops++) {
    try {
      const environ = await readFile(`/proc/${pid}/environ`, "latin1");
      const value = /(?:^|\0)CODEX_CONTROL_MCP_DEPTH=(\d+)/.exec(environ)?.[1];
      if (value !== undefined) depth = Math.max(depth, Number(value));
      const stat = await readFile(`/proc/${pid}/stat`, "latin1");
      // pid (comm) state ppid …; comm may contain spaces and parentheses
      pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      break;
    }
  }
  return depth;
}
