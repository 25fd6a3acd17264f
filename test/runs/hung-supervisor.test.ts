// A supervisor alive (its marker proves it) but hung (SIGSTOPped) kept its run's slot forever: its lease counted,
// its Codex ran on with no timeout, and the run stayed `running`. Now the lease names a deadline (hung_after: the
// supervisor's start, the run's hard timeout, both kill grace periods, the wait for leftovers and a margin). Before
// it, the hung supervisor still holds the slot (the control: on the code before, that is all there ever was);
// past it, a server counting slots stops it (SIGKILL, and every process of the run), the slot is free, and the run
// is recorded `failed`, the reason naming the hang. A real (built) supervisor, a stub `codex` that sleeps.
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { leasesDir, leaseSchema, readStateFile, STATE_FILES } from "../../src/contract/index.js";
import { processesOfRun } from "../../src/codex/processes.js";
import { stillRunning } from "../../src/codex/liveness.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { Scheduler } from "../../src/runs/scheduler.js";
import { testConfig } from "../support/mcp.js";
import { stubCodex } from "../support/stub-codex.js";

describe("a hung supervisor", () => {
  it("holds its slot until its lease's deadline, then is stopped and its run recorded failed", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-hung-"));
    const bin = await stubCodex(`exec sleep 600`);
    const { runner } = testConfig({
      codexHome,
      codexBin: bin,
      maxConcurrent: 1,
      queueWaitMs: 0,
      killGraceMs: 100,
      supervisorStartMs: 1000,
    });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-hung-cwd-"));
    const runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true, timeoutMs: 1000 });
    const supervisor = (await manager.registry.ledger.find(runId))!.start.supervisor!;
    const leasePath = join(leasesDir(runner.stateDir), `${runId}.json`);
    const lease = await readStateFile(leasePath, leaseSchema, STATE_FILES.lease.maxBytes);
    process.kill(supervisor.pid, "SIGSTOP");
    try {
      // 1000 + 1000 + 2 × 100 + 5000 + 10000 ms after the hand-over
      expect(Date.parse(lease!.hung_after!) - Date.parse(lease!.at)).toBe(17_200);
      // the control: past the run's hard timeout, the hung supervisor still holds the slot, and Codex runs
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect((await new Scheduler(runner.stateDir, 1, 0).live()).map((held) => held.run_id)).toEqual([runId]);
      expect((await manager.registry.get(runId))?.status).toBe("running");
      expect((await processesOfRun(runId)).length).toBeGreaterThan(0);
      // past the deadline: counting the slots stops it
      while (Date.now() <= Date.parse(lease!.hung_after!)) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await new Scheduler(runner.stateDir, 1, 0).live()).toEqual([]);
      expect(await stillRunning(supervisor)).toBe(false);
      expect(await processesOfRun(runId)).toEqual([]);
    } finally {
      if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
    }
    const ended = await manager.registry.get(runId);
    expect([ended?.status, ended?.signal, ended?.error]).toEqual([
      "failed",
      "SIGKILL",
      `the run's supervisor (pid ${supervisor.pid}) was hung: alive but with no end recorded by ${lease!.hung_after} (its start, the run's hard timeout, both kill grace periods and a margin), so it and every process carrying the run's marker were stopped with SIGKILL. See session_summary for what the session log says.`,
    ]);
    expect(existsSync(leasePath)).toBe(false);
  }, 60_000);
});
