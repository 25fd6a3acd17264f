// The lease's deadline (hung_after) is wall-clock, the supervisor's own timers are monotonic: a machine that
// sleeps mid-run wakes with the deadline behind it while the run's hard timeout has not yet come. A look at the
// run then took the healthy supervisor for hung: SIGKILLed, with its Codex, and the run recorded failed. Now
// past the deadline only a supervisor that has stopped beating (it touches its lease every second) is hung.
// A real (built) supervisor, a stub `codex` that sleeps; the sleep is the lease's deadline and its last beat
// set back by a minute, as a resumed machine finds them.
import { readFile, mkdtemp, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { leasesDir } from "../../src/contract/index.js";
import { processesOfRun } from "../../src/codex/processes.js";
import { stillRunning } from "../../src/codex/liveness.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { Scheduler } from "../../src/runs/scheduler.js";
import { testConfig } from "../support/mcp.js";
import { stubCodex } from "../support/stub-codex.js";

/** The lease as a machine that slept for a minute past its deadline finds it: deadline and last beat behind. */
async function sleptPast(leasePath: string): Promise<string> {
  const lease = JSON.parse(await readFile(leasePath, "utf8")) as Record<string, unknown>;
  const deadline = new Date(Date.now() - 30_000).toISOString();
  await writeFile(leasePath, JSON.stringify({ ...lease, hung_after: deadline }));
  const lastBeat = new Date(Date.now() - 60_000);
  await utimes(leasePath, lastBeat, lastBeat);
  return deadline;
}

describe("a supervisor past its lease's deadline", () => {
  it("is not hung while it still beats (a machine that slept), and is once it stops (SIGSTOP)", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-hung-sleep-"));
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex(`exec sleep 600`), killGraceMs: 100 });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-hung-sleep-cwd-"));
    const runId = await manager.start({
      prompt: "x",
      cwd,
      mode: "read-only",
      skipGitRepoCheck: true,
      timeoutMs: 600_000,
    });
    const supervisor = (await manager.registry.ledger.find(runId))!.start.supervisor!;
    const leasePath = join(leasesDir(runner.stateDir), `${runId}.json`);
    try {
      await sleptPast(leasePath);
      // before: both stopped it (SIGKILL) and recorded the run failed, "was hung"
      expect((await new Scheduler(runner.stateDir, 1, 0).live()).map((held) => held.run_id)).toEqual([runId]);
      await sleptPast(leasePath);
      expect((await manager.registry.get(runId))?.status).toBe("running");
      expect(await stillRunning(supervisor)).toBe(true);
      expect((await processesOfRun(runId)).length).toBeGreaterThan(0);
      // stopped, it beats no more: hung
      process.kill(supervisor.pid, "SIGSTOP");
      const deadline = await sleptPast(leasePath);
      expect(await new Scheduler(runner.stateDir, 1, 0).live()).toEqual([]);
      expect(await stillRunning(supervisor)).toBe(false);
      expect(await processesOfRun(runId)).toEqual([]);
      const ended = await manager.registry.get(runId);
      expect([ended?.status, ended?.signal, ended?.error]).toEqual([
        "failed",
        "SIGKILL",
        `the run's supervisor (pid ${supervisor.pid}) was hung: alive but with no end recorded by ${deadline} (its start, the run's hard timeout, both kill grace periods and a margin), so it and every process carrying the run's marker were stopped with SIGKILL. See session_summary for what the session log says.`,
      ]);
    } finally {
      if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
      await manager.registry.cancel(runId, "test over").catch(() => undefined);
    }
  }, 60_000);
});
