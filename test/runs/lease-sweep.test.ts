// A run's lease and directory nobody would ever remove: its supervisor gone before recording a start (a server
// that gave up on it and exited before it did; here: SIGKILLed while it waits for its job) leaves them for good
// (before: the lease file stayed, uncounted, and runs/<run_id>/ with it). Counting the slots, or a server's start,
// sweeps them: only this user's regular files and directories, never through a link (a planted link is left, and
// its target untouched). A lease whose run recorded a start is the registry's to settle, and stays. The built
// supervisor, the real scheduler's lease.
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hungAfter, INPUTS_DIR, leasesDir, runDir, RunLedger, SUPERVISOR_LOG } from "../../src/contract/index.js";
import { processId } from "../../src/codex/liveness.js";
import { Lease, Scheduler } from "../../src/runs/scheduler.js";
import { sweepLeases, SWEEP_AFTER_MS } from "../../src/runs/lease-sweep.js";
import { startSupervisor } from "../supervisor/supervise.js";

/** A run's lease handed to a real supervisor that is then SIGKILLed before it got its job; its directory as the server makes it. */
async function leaseOfDeadSupervisor(stateDir: string, runId: string, cwd: string): Promise<Lease> {
  const lease = (await new Scheduler(stateDir, 4, 0).acquire({
    runId,
    cwd,
    writer: true,
    shareDirectory: false,
  })) as Lease;
  expect(lease).toBeInstanceOf(Lease);
  const dir = runDir(stateDir, runId);
  await mkdir(join(dir, INPUTS_DIR), { recursive: true, mode: 0o700 });
  await writeFile(join(dir, SUPERVISOR_LOG), "");
  await writeFile(join(dir, INPUTS_DIR, "schema.json"), "{}");
  const { child, exited } = startSupervisor(dir, runId);
  await lease.handOver(
    await processId(child.pid!),
    hungAfter(new Date(), { startMs: 30_000, timeoutMs: 60_000, killGraceMs: 100 }),
  );
  child.kill("SIGKILL");
  await exited;
  // untouched since for longer than a server takes to free it itself
  const old = new Date(Date.now() - SWEEP_AFTER_MS - 1000);
  await utimes(lease.path, old, old);
  return lease;
}

describe("the lease of a run that never started, its holder gone", () => {
  it("is swept with the run's directory when slots are counted, a planted link left as it is", async () => {
    const root = await mkdtemp(join(tmpdir(), "ccm-sweep-"));
    const stateDir = join(root, "state");
    const runId = "run_sweepunstarted1";
    await leaseOfDeadSupervisor(stateDir, runId, root);
    const outside = join(root, "project-file");
    await writeFile(outside, "keep me");
    await symlink(outside, join(runDir(stateDir, runId), INPUTS_DIR, "planted"));
    expect(await new Scheduler(stateDir, 4, 0).live()).toEqual([]);
    // before: both still there
    expect(existsSync(join(leasesDir(stateDir), `${runId}.json`))).toBe(false);
    expect([existsSync(join(runDir(stateDir, runId), SUPERVISOR_LOG)), readFileSync(outside, "utf8")]).toEqual([
      false,
      "keep me",
    ]);
    // what is not ours to remove stays, with the directories above it
    expect(existsSync(join(runDir(stateDir, runId), INPUTS_DIR, "planted"))).toBe(true);
    expect(existsSync(join(runDir(stateDir, runId), INPUTS_DIR, "schema.json"))).toBe(false);
  });

  it("is swept when a server starts; one whose run recorded a start is left to the registry", async () => {
    const root = await mkdtemp(join(tmpdir(), "ccm-sweep-"));
    const stateDir = join(root, "state");
    await leaseOfDeadSupervisor(stateDir, "run_sweepstarted3", join(root, "other"));
    await new RunLedger(stateDir).append({
      type: "start",
      run_id: "run_sweepstarted3",
      at: new Date().toISOString(),
      argv: ["codex"],
      cwd: join(root, "other"),
      mode: "read-only",
      pgid: null,
      server_pid: process.pid,
      codex_version: "0.171.0",
      resume_of: null,
      skip_git_repo_check: false,
    });
    // (made after the start record: the count of slots it takes sweeps what it may)
    await leaseOfDeadSupervisor(stateDir, "run_sweepunstarted2", root);
    expect(await sweepLeases(stateDir)).toBe(1);
    expect(existsSync(join(leasesDir(stateDir), "run_sweepunstarted2.json"))).toBe(false);
    expect(existsSync(runDir(stateDir, "run_sweepunstarted2"))).toBe(false);
    expect(existsSync(join(leasesDir(stateDir), "run_sweepstarted3.json"))).toBe(true);
    expect(existsSync(join(runDir(stateDir, "run_sweepstarted3"), SUPERVISOR_LOG))).toBe(true);
  });
});
