// Finding and stopping every process of a run. A run is spawned as its own process group; the npm `codex`
// launcher is a Node wrapper around the native binary, and the commands Codex runs are its children, so
// the group is signalled, never just the wrapper. As a last sweep, any process that still carries the
// run's environment marker (Linux /proc) is killed too. Runs whose supervisor is gone are stopped by their
// marker alone (liveness.ts, killMarked).
import { readdir, readFile } from "node:fs/promises";

export const RUN_MARKER = "CODEX_CONTROL_MCP_RUN";
export const DEPTH_MARKER = "CODEX_CONTROL_MCP_DEPTH";
/** Carried by a run's supervisor (its value the run id): what proves a recorded pid is that supervisor before it is signalled. */
export const SUPERVISOR_MARKER = "CODEX_CONTROL_MCP_SUPERVISOR";

export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Live (non-zombie) processes of a process group. A zombie is already dead: an orphan that init has not
 * reaped yet (seen: a `git` probe of Codex's) still counts for `kill(-pgid, 0)`, but not here.
 */
export async function groupMembers(pgid: number): Promise<number[]> {
  const members: number[] = [];
  const scanned = await scanProc(async (pid) => {
    const stat = await readFile(`/proc/${pid}/stat`, "latin1");
    // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses
    const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(group) === pgid && state !== "Z") members.push(pid);
  });
  if (!scanned) return signalGroup(pgid, 0 as unknown as NodeJS.Signals) ? [pgid] : [];
  return members.sort((a, b) => a - b);
}

/** Calls `visit` for every process in /proc (errors of single processes ignored); false without /proc. */
async function scanProc(visit: (pid: number) => Promise<void>): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return false;
  }
  await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
      .map((name) => visit(Number(name)).catch(() => undefined)),
  );
  return true;
}

/** Pids whose environment holds `RUN_MARKER=runId` (empty where /proc is not readable). */
export async function processesOfRun(runId: string): Promise<number[]> {
  const needle = `\0${RUN_MARKER}=${runId}\0`;
  const found: number[] = [];
  await scanProc(async (pid) => {
    const environ = await readFile(`/proc/${pid}/environ`, "latin1");
    if (`\0${environ}`.includes(needle)) found.push(pid);
  });
  return found.sort((a, b) => a - b);
}

/** SIGKILL whatever is left of a run: members of its group and anything carrying its marker. */
export async function killRunLeftovers(runId: string, pgid: number | null): Promise<number> {
  const pids = [...new Set([...(pgid !== null ? await groupMembers(pgid) : []), ...(await processesOfRun(runId))])];
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
      const value = new RegExp(`(?:^|\\0)${DEPTH_MARKER}=(\\d+)`).exec(environ)?.[1];
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
