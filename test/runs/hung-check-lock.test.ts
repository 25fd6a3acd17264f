// Whether a supervisor past its lease's deadline is hung is seen by watching its beat stay old for a few beats
// (hung-supervisor.ts), then it is SIGKILLed and waited for. Before, all of that ran while holding the leases' lock:
// a run started meanwhile waited for the lock longer than its 2 s minimum and was refused (`lock_held`), though
// slots were free. Now hung supervisors are looked for, and stopped, before the lock is taken; under it the leases
// are only counted. A real (built) supervisor, SIGSTOPped, holding a lease past its deadline.
import { spawn } from "node:child_process";
import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { leasesDir, STATE_FILES } from "../../src/contract/index.js";
import { processId, stillRunning } from "../../src/codex/liveness.js";
import { killRunLeftovers, processesOfRun, RUN_MARKER } from "../../src/codex/processes.js";
import { Lease, Scheduler } from "../../src/runs/scheduler.js";
import { startSupervisor } from "../supervisor/supervise.js";

const HUNG_RUN = "run_hunglock01";
const SWEPT_RUN = "run_sweeplock01";
const WAITED_RUN = "run_hunglockwait01";

describe("the hung check and the leases' lock", () => {
  it("a run started while a hung supervisor is being found is given its slot, not refused for the lock", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-hung-lock-"));
    const cwd = await mkdtemp(join(tmpdir(), "ccm-hung-lock-cwd-"));
    const { child, exited } = startSupervisor(cwd, HUNG_RUN);
    try {
      const lease = (await new Scheduler(stateDir, 4, 0).acquire({
        runId: HUNG_RUN,
        cwd,
        writer: false,
        shareDirectory: false,
      })) as Lease;
      expect(lease).toBeInstanceOf(Lease);
      // handed to the supervisor, which then stopped beating (SIGSTOP) and is past its deadline
      process.kill(child.pid!, "SIGSTOP");
      const supervisor = await processId(child.pid!);
      await lease.handOver(supervisor, new Date(Date.now() - 60_000).toISOString());
      const old = new Date(Date.now() - 60_000);
      await utimes(lease.path, old, old);
      const want = (runId: string) => ({ runId, cwd, writer: false, shareDirectory: false });
      const first = new Scheduler(stateDir, 4, 0).acquire(want("run_hunglock02"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = new Scheduler(stateDir, 4, 0).acquire(want("run_hunglock03"));
      // before: the second was refused { kind: "lock_held", … } while the first watched the beat under the lock
      const outcomes = await Promise.all([first, second]);
      expect(outcomes.map((outcome) => (outcome instanceof Lease ? "lease" : outcome.kind))).toEqual([
        "lease",
        "lease",
      ]);
      expect(await stillRunning(supervisor)).toBe(false);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  }, 30_000);

  it("a run started while another server sweeps a lease whose run's processes take seconds to stop is not refused", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-sweep-lock-"));
    const cwd = await mkdtemp(join(tmpdir(), "ccm-sweep-lock-cwd-"));
    const { child, exited } = startSupervisor(cwd, SWEPT_RUN);
    // outside the run's marker, a loop that starts a marked `sleep` every 20 ms for 4 s: the sweep's kill waits
    const loop = spawn(
      "sh",
      [
        "-c",
        `end=$(($(date +%s) + 4)); while [ $(date +%s) -lt $end ]; do ${RUN_MARKER}=${SWEPT_RUN} sleep 600 & sleep 0.02; done`,
      ],
      { stdio: "ignore" },
    );
    const looped = new Promise((resolve) => loop.once("exit", resolve));
    try {
      // handed to a supervisor that died before its start, and left alone since: swept by the next count
      const lease = (await new Scheduler(stateDir, 4, 0).acquire({
        runId: SWEPT_RUN,
        cwd,
        writer: false,
        shareDirectory: false,
      })) as Lease;
      await lease.handOver(await processId(child.pid!), new Date(Date.now() + 60_000).toISOString());
      child.kill("SIGKILL");
      await exited;
      const old = new Date(Date.now() - 60_000);
      await utimes(lease.path, old, old);
      while ((await processesOfRun(SWEPT_RUN)).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const want = (runId: string) => ({ runId, cwd, writer: false, shareDirectory: false });
      const first = new Scheduler(stateDir, 4, 0).acquire(want("run_sweeplock02"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = new Scheduler(stateDir, 4, 0).acquire(want("run_sweeplock03"));
      // before: the second was refused { kind: "lock_held", … } while the first swept under the lock
      const outcomes = await Promise.all([first, second]);
      expect(outcomes.map((outcome) => (outcome instanceof Lease ? "lease" : outcome.kind))).toEqual([
        "lease",
        "lease",
      ]);
    } finally {
      child.kill("SIGKILL");
      await looped;
      await killRunLeftovers(SWEPT_RUN, null);
    }
  }, 30_000);

  it("a start whose hung check took longer than its lock wait still waits for a lock held a moment", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-hung-lockwait-"));
    const cwd = await mkdtemp(join(tmpdir(), "ccm-hung-lockwait-cwd-"));
    const { child, exited } = startSupervisor(cwd, WAITED_RUN);
    try {
      const lease = (await new Scheduler(stateDir, 4, 0).acquire({
        runId: WAITED_RUN,
        cwd,
        writer: false,
        shareDirectory: false,
      })) as Lease;
      process.kill(child.pid!, "SIGSTOP");
      const supervisor = await processId(child.pid!);
      await lease.handOver(supervisor, new Date(Date.now() - 60_000).toISOString());
      const old = new Date(Date.now() - 60_000);
      await utimes(lease.path, old, old);
      // another server counting, holding the lock (for milliseconds, as it does) when this start's hung check ends
      const lock = join(leasesDir(stateDir), STATE_FILES.lock.name);
      await writeFile(lock, JSON.stringify({ holder: await processId(process.pid), at: new Date().toISOString() }));
      const start = new Scheduler(stateDir, 4, 0).acquire({
        runId: "run_hunglockwait02",
        cwd,
        writer: false,
        shareDirectory: false,
      });
      // the check's 3 s watch, then the kill: past the start's 2 s lock wait, counted from before the check
      while (await stillRunning(supervisor)) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await rm(lock);
      const outcome = await start;
      // before: { kind: "lock_held", … } at once, its lock wait spent on the hung check
      expect(outcome instanceof Lease ? "lease" : outcome.kind).toBe("lease");
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  }, 30_000);
});
