// A lease whose supervisor died before recording its run's start counts for no slot, and is swept (its lease and
// directory removed) only once untouched for SWEEP_AFTER_MS: its server may be about to read why and free it. But
// a Codex that supervisor spawned just before it died carries the run's marker and runs on: before, it ran those
// 10 s beside the run given the freed slot (two Codex processes with the operator's max at 1), since the sweep's
// kill came only with the removal. Now what carries the marker of a lease whose holder is proven gone is stopped
// at the first count; the lease and directory still wait. A real (built) supervisor, SIGKILLed.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hungAfter, leaseSchema, readStateFile, STATE_FILES } from "../../src/contract/index.js";
import { processId } from "../../src/codex/liveness.js";
import { killRunLeftovers, processesOfRun, RUN_MARKER } from "../../src/codex/processes.js";
import { sweepUnstarted } from "../../src/runs/lease-sweep.js";
import { Lease, Scheduler } from "../../src/runs/scheduler.js";
import { startSupervisor } from "../supervisor/supervise.js";

const DIED = "run_sweeporphan01";
const HANDED = "run_sweeporphan03";

describe("a lease whose supervisor died before the start, with a Codex of it still running", () => {
  it("has that Codex stopped before its freed slot is given to another run", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-sweep-orphan-"));
    const cwd = await mkdtemp(join(tmpdir(), "ccm-sweep-orphan-cwd-"));
    const { child, exited } = startSupervisor(cwd, DIED);
    // what the supervisor spawned (its Codex) just before it died: it carries the run's marker
    const codex = spawn("sleep", ["600"], { stdio: "ignore", env: { ...process.env, [RUN_MARKER]: DIED } });
    try {
      const want = (runId: string) => ({ runId, cwd, writer: false, shareDirectory: false });
      const lease = (await new Scheduler(stateDir, 1, 0).acquire(want(DIED))) as Lease;
      expect(lease).toBeInstanceOf(Lease);
      await lease.handOver(
        await processId(child.pid!),
        hungAfter(new Date(), { startMs: 30_000, timeoutMs: 60_000, killGraceMs: 100 }),
      );
      child.kill("SIGKILL");
      await exited;
      expect(await processesOfRun(DIED)).toEqual([codex.pid]);
      const next = await new Scheduler(stateDir, 1, 0).acquire(want("run_sweeporphan02"));
      expect(next).toBeInstanceOf(Lease);
      // before: [its pid], running beside the run that was just given the only slot
      expect(await processesOfRun(DIED)).toEqual([]);
      // the lease itself is left for its server (SWEEP_AFTER_MS)
      expect(existsSync(lease.path)).toBe(true);
    } finally {
      child.kill("SIGKILL");
      codex.kill("SIGKILL");
      await killRunLeftovers(DIED, null);
    }
  }, 30_000);

  it("stops nothing on a lease read before its server handed it to a live supervisor (the record read is stale)", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-sweep-stale-"));
    const cwd = await mkdtemp(join(tmpdir(), "ccm-sweep-stale-cwd-"));
    const { child, exited } = startSupervisor(cwd, HANDED);
    const codex = spawn("sleep", ["600"], { stdio: "ignore", env: { ...process.env, [RUN_MARKER]: HANDED } });
    const server = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      const lease = (await new Scheduler(stateDir, 1, 0).acquire({
        runId: HANDED,
        cwd,
        writer: false,
        shareDirectory: false,
      })) as Lease;
      // as a count read it: held by its starting server, which then handed it over and died
      const read = { ...(await readStateFile(lease.path, leaseSchema, STATE_FILES.lease.maxBytes))! };
      read.holder = await processId(server.pid!);
      server.kill("SIGKILL");
      await new Promise((resolve) => server.once("exit", resolve));
      await lease.handOver(
        await processId(child.pid!),
        hungAfter(new Date(), { startMs: 30_000, timeoutMs: 60_000, killGraceMs: 100 }),
      );
      expect(await sweepUnstarted(stateDir, read)).toBe(false);
      // the live supervisor's Codex is its own
      expect(await processesOfRun(HANDED)).toEqual([codex.pid]);
    } finally {
      child.kill("SIGKILL");
      await exited;
      codex.kill("SIGKILL");
      await killRunLeftovers(HANDED, null);
    }
  }, 30_000);
});
