// Finding and stopping every process of a run. A run is spawned as its own process group; the npm `codex`
// launcher is a Node wrapper around the native binary, and the commands Codex runs are its children, so
// the group is signalled, never just the wrapper. As a last sweep, any process that still carries the
// run's environment marker (Linux /proc) is killed too. Runs whose supervisor is gone are stopped by their
// marker alone (liveness.ts, killMarked), through the same wait.
import { readdir, readFile, readlink } from "node:fs/promises";

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
 * Live processes of a process group. A zombie is already dead: an orphan that init has not reaped yet (seen: a
 * `git` probe of Codex's) still counts for `kill(-pgid, 0)`, but not here. Unless other threads of it still run:
 * a process whose main thread exited shows its leader as a zombie while it goes on working (and writing).
 */
export async function groupMembers(pgid: number): Promise<number[]> {
  const members: number[] = [];
  const scanned = await scanProc(async (pid) => {
    const stat = parseStat(await readFile(`/proc/${pid}/stat`, "latin1"));
    if (stat.group === pgid && stat.alive) members.push(pid);
  });
  if (!scanned) return signalGroup(pgid, 0 as unknown as NodeJS.Signals) ? [pgid] : [];
  return members.sort((a, b) => a - b);
}

/** The fields of `/proc/<pid>/stat` we read: pid (comm) state ppid pgrp … num_threads (20th). */
function parseStat(stat: string): { group: number; alive: boolean } {
  // comm may contain spaces and parentheses
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const threads = Number(fields[17]);
  return { group: Number(fields[2]), alive: (state !== "Z" && state !== "X") || threads > 1 };
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
    if (`\0${await environOf(pid)}`.includes(needle)) found.push(pid);
  });
  return found.sort((a, b) => a - b);
}

/**
 * A process's environment. A process whose main thread has exited (its leader a zombie) has none to read at
 * its own pid, but its other threads, still running, share it: read through them.
 */
async function environOf(pid: number): Promise<string> {
  const environ = await readFile(`/proc/${pid}/environ`, "latin1").catch(() => "");
  if (environ !== "") return environ;
  const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  for (const tid of tids.filter((name) => /^\d+$/.test(name) && Number(name) !== pid)) {
    const shared = await readFile(`/proc/${pid}/task/${tid}/environ`, "latin1").catch(() => "");
    if (shared !== "") return shared;
  }
  return "";
}

/** What `fd` of process `pid` has open, as /proc names it ("pipe:[123]"); undefined where it cannot be read. */
export async function openFileOf(pid: number, fd: number): Promise<string | undefined> {
  return readlink(`/proc/${pid}/fd/${fd}`).catch(() => undefined);
}

/** The processes (other than this one) that have `name` (an openFileOf answer) open; empty without /proc. */
export async function holdersOf(name: string): Promise<number[]> {
  const found: number[] = [];
  await scanProc(async (pid) => {
    for (const fd of await readdir(`/proc/${pid}/fd`))
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "")) === name) {
        found.push(pid);
        return;
      }
  });
  return found.sort((a, b) => a - b);
}

/** How long what is left of a run gets to be gone after its SIGKILL before the run ends without it. */
export const LEFTOVERS_GONE_MS = 5_000;

/**
 * A run's end (its `error`) that names the processes of it a SIGKILL did not end in time (a process stuck in
 * the kernel), so nobody takes the run for quiet; as it is when there are none.
 */
export function withLeftovers<End extends { error: string | null }>(end: End, pids: number[]): End {
  if (pids.length === 0) return end;
  const note = `${pids.length} process${pids.length === 1 ? "" : "es"} of the run still there ${LEFTOVERS_GONE_MS} ms after SIGKILL (pid ${pids.slice(0, 20).join(", ")}): the end is recorded without them`;
  return { ...end, error: end.error === null ? note : `${end.error}; ${note}` };
}

/**
 * SIGKILLs whatever is left of a run (the live members of its group and anything carrying its marker) and waits
 * until none is left: a killed process runs on until the kernel gets to its exit (under load, a while), and one
 * forked while the last scan ran shows up only in the next. Resolves with the pids still there after `withinMs`
 * (empty once all are gone), which the run's end names.
 */
export async function killRunLeftovers(
  runId: string,
  pgid: number | null,
  withinMs: number = LEFTOVERS_GONE_MS,
  /** Collects every pid signalled (how many a settled run's end says were stopped). */
  signalled?: Set<number>,
): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  // none is left only when two scans in a row find none: a process started from outside the marker (it dropped
  // it) carries it only from its exec, and one between its fork and its exec is missed by a single scan
  let emptyBefore = false;
  for (;;) {
    const pids = [...new Set([...(pgid !== null ? await groupMembers(pgid) : []), ...(await processesOfRun(runId))])];
    if ((pids.length === 0 && emptyBefore) || Date.now() >= deadline) return pids.sort((a, b) => a - b);
    emptyBefore = pids.length === 0;
    for (const pid of pids) {
      signalled?.add(pid);
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
