// The built supervisor run on a job of the test's making, to its exit (as the server spawns it, without the server).
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { jobSchema, type Job } from "../../src/contract/index.js";
import { SUPERVISOR_MARKER } from "../../src/codex/processes.js";
import { supervisorEntry } from "../../src/runs/run-manager.js";

/** A job as a server hands it to a supervisor: `bin` run read-only in `dir`, the state dir `stateDir`. */
export function supervisorJob(
  dir: string,
  stateDir: string,
  runId: string,
  bin: string,
  env: Record<string, string> = {},
): Job {
  return jobSchema.parse({
    runId,
    stateDir,
    codexHome: dir,
    codexBin: bin,
    argv: ["exec", "--json", "-"],
    engine: "exec",
    thread: null,
    workspace: { path: dir, dev: 0, ino: 0 },
    env: { PATH: process.env.PATH ?? "", ...env },
    prompt: "x",
    mode: "read-only",
    model: null,
    timeoutMs: 60_000,
    killGraceMs: 300,
    codexVersion: "0.171.0",
    terminalEvents: true,
    discoverSession: false,
    resumeOf: null,
    skipGitRepoCheck: false,
    recordPrompt: false,
    serverPid: process.pid,
  });
}

/** Runs the built supervisor on a job for `bin` in `dir` to its exit: its exit code and stderr. */
export async function supervise(
  dir: string,
  stateDir: string,
  runId: string,
  bin: string,
  env: Record<string, string> = {},
): Promise<[number | null, string]> {
  const { child, exited, stderr } = startSupervisor(dir, runId);
  child.stdin.end(JSON.stringify(supervisorJob(dir, stateDir, runId, bin, env)));
  return [await exited, stderr()];
}

/**
 * The built supervisor started for `runId` in `dir` (marked as the server marks it), waiting for its job on
 * stdin: its process, its exit code once it exits, and what it has written to stderr so far.
 */
export function startSupervisor(
  dir: string,
  runId: string,
): { child: ChildProcessByStdio<Writable, null, Readable>; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [supervisorEntry()], {
    stdio: ["pipe", "ignore", "pipe"],
    env: { ...process.env, [SUPERVISOR_MARKER]: runId },
    cwd: dir,
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

export async function ledgerRecords(stateDir: string): Promise<Array<Record<string, unknown>>> {
  return (await readFile(join(stateDir, "runs.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
