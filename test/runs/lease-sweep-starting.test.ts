// The sweep of leases of runs that never started (lease-sweep.ts), racing a server that is starting a run: its
// lease written, its directory made, the supervisor not yet spawned, then spawned but not yet started. Another
// server counting the slots or starting must leave both while their holder (the starting server, then its
// supervisor) is alive, and for a while after the supervisor is gone (its server is about to report why and free
// them itself); the last step, the lease left alone for SWEEP_AFTER_MS, is the control: then it is swept.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hungAfter, INPUTS_DIR, leasesDir, runDir, SUPERVISOR_LOG } from "../../src/contract/index.js";
import { processId } from "../../src/codex/liveness.js";
import { Lease, Scheduler } from "../../src/runs/scheduler.js";
import { sweepLeases, SWEEP_AFTER_MS } from "../../src/runs/lease-sweep.js";
import { startSupervisor } from "../supervisor/supervise.js";

describe("a run being started, its lease not yet recorded as a start", () => {
  it("is not swept by another server while the starting server or its supervisor is alive", async () => {
    const root = await mkdtemp(join(tmpdir(), "ccm-sweep-starting-"));
    const stateDir = join(root, "state");
    const runId = "run_sweepstarting1";
    const lease = (await new Scheduler(stateDir, 4, 0).acquire({
      runId,
      cwd: root,
      writer: true,
      shareDirectory: false,
    })) as Lease;
    expect(lease).toBeInstanceOf(Lease);
    const dir = runDir(stateDir, runId);
    await mkdir(join(dir, INPUTS_DIR), { recursive: true, mode: 0o700 });
    await writeFile(join(dir, SUPERVISOR_LOG), "");
    const leasePath = join(leasesDir(stateDir), `${runId}.json`);
    const intact = () => [
      existsSync(leasePath),
      existsSync(join(dir, SUPERVISOR_LOG)),
      existsSync(join(dir, INPUTS_DIR)),
    ];
    // the holder is this process, the starting server: another server's count and start leave it
    expect((await new Scheduler(stateDir, 4, 0).live()).map((held) => held.run_id)).toEqual([runId]);
    expect(await sweepLeases(stateDir)).toBe(0);
    expect(intact()).toEqual([true, true, true]);
    // handed over to a supervisor that has not got its job yet (no start recorded): still left
    const { child, exited } = startSupervisor(dir, runId);
    try {
      await lease.handOver(
        await processId(child.pid!),
        hungAfter(new Date(), { startMs: 30_000, timeoutMs: 60_000, killGraceMs: 100 }),
      );
      expect((await new Scheduler(stateDir, 4, 0).live()).map((held) => held.run_id)).toEqual([runId]);
      expect(await sweepLeases(stateDir)).toBe(0);
      expect(intact()).toEqual([true, true, true]);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    // gone a moment ago: its server is about to see that (its `exited`), read why in supervisor.log and free the
    // lease itself. Before: swept at once, the log with it, and the server's error said no why
    expect(await sweepLeases(stateDir)).toBe(0);
    expect(intact()).toEqual([true, true, true]);
    // the control: its holder gone, no start recorded, and nothing written to the lease for SWEEP_AFTER_MS (no
    // server is acting on it): the same lease and directory are swept
    await ageLease(leasePath);
    expect(await sweepLeases(stateDir)).toBe(1);
    expect(intact()).toEqual([false, false, false]);
  });
});

/** The lease as it is once SWEEP_AFTER_MS has passed since its last write (or beat). */
async function ageLease(path: string): Promise<void> {
  const old = new Date(Date.now() - SWEEP_AFTER_MS - 1000);
  await utimes(path, old, old);
}
