// A supervisor alive (its marker proves it) but hung (SIGSTOPped) kept its run's slot forever: its lease counted,
// its Codex ran on with no timeout, and the run stayed `running`. Now the lease names a deadline (hung_after: the
// supervisor's start, the run's hard timeout, both kill grace periods, the wait for leftovers and a margin). Before
// it, the hung supervisor still holds the slot (the control: on the code before, that is all there ever was);
// past it, a server counting slots stops it (SIGKILL, and every process of the run), the slot is free, and the run
// is recorded `failed`, the reason naming the hang. A real (built) supervisor, a stub `codex` that sleeps.
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { hungAfter, leasesDir, leaseSchema, readStateFile, STATE_FILES } from "../../src/contract/index.js";
import { processesOfRun, SUPERVISOR_MARKER } from "../../src/codex/processes.js";
import { stillRunning } from "../../src/codex/liveness.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { Scheduler } from "../../src/runs/scheduler.js";
import { SupervisorStopping } from "../../src/runs/supervisor-spawn.js";
import { testConfig } from "../support/mcp.js";
import { stubCodex } from "../support/stub-codex.js";

describe("a hung supervisor", () => {
  it("is past its deadline after its start, the hard timeout, both kill grace periods, the leftovers' wait and a margin", () => {
    // 1000 + 1000 + 2 × 100 + 5000 + 10000 ms
    expect(hungAfter(new Date(0), { startMs: 1000, timeoutMs: 1000, killGraceMs: 100 })).toBe(
      new Date(17_200).toISOString(),
    );
  });

  it("holds its slot until its lease's deadline, then is stopped and its run recorded failed", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-hung-"));
    const bin = await stubCodex(`exec sleep 600`);
    const { runner } = testConfig({
      codexHome,
      codexBin: bin,
      maxConcurrent: 1,
      queueWaitMs: 0,
      killGraceMs: 100,
      // a start wait a loaded machine meets (1 s was missed under a load of 16)
      supervisorStartMs: 8000,
    });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-hung-cwd-"));
    const runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true, timeoutMs: 1000 });
    const supervisor = (await manager.registry.ledger.find(runId))!.start.supervisor!;
    const leasePath = join(leasesDir(runner.stateDir), `${runId}.json`);
    const lease = await readStateFile(leasePath, leaseSchema, STATE_FILES.lease.maxBytes);
    process.kill(supervisor.pid, "SIGSTOP");
    try {
      // handed to the supervisor, with a deadline made just before the hand-over's time: the start wait (8 s),
      // the hard timeout (1 s), two kill grace periods (0.2 s), the wait for leftovers (5 s) and the margin (10 s)
      expect([
        lease?.supervised,
        lease?.holder.pid,
        Date.parse(lease?.hung_after ?? "") <= Date.parse(lease?.at ?? "") + 24_200,
      ]).toEqual([true, supervisor.pid, true]);
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

  it("that never recorded its start is killed at its deadline by the server that gave up on it: slot and turn freed", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-hung-start-"));
    // every supervisor this test spawns stops itself as it boots (SIGSTOP), before it reads its job
    const preload = join(codexHome, "stop-supervisor.mjs");
    await writeFile(preload, `if (process.env.${SUPERVISOR_MARKER}) process.kill(process.pid, "SIGSTOP");\n`);
    const { runner } = testConfig({
      codexHome,
      codexBin: await stubCodex(`exec sleep 600`),
      maxConcurrent: 1,
      queueWaitMs: 0,
      killGraceMs: 100,
      supervisorStartMs: 500,
    });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-hung-start-cwd-"));
    const options = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `--import ${pathToFileURL(preload).href}`;
    const refused = await manager
      .start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true, timeoutMs: 1000 })
      .catch((error: unknown) => error);
    if (options === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = options;
    expect(refused).toBeInstanceOf(SupervisorStopping);
    const [held] = await new Scheduler(runner.stateDir, 1, 0).live();
    try {
      // the control: told to stop (SIGTERM), the stopped supervisor holds the slot; the turn waits for `gone`
      expect(held?.supervised).toBe(true);
      expect(await stillRunning(held!.holder)).toBe(true);
      // before: never
      await (refused as SupervisorStopping).gone;
      const lease = join(leasesDir(runner.stateDir), `${held!.run_id}.json`);
      while (existsSync(lease)) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await new Scheduler(runner.stateDir, 1, 0).live()).toEqual([]);
      expect(await processesOfRun(held!.run_id)).toEqual([]);
    } finally {
      if (held && (await stillRunning(held.holder))) process.kill(held.holder.pid, "SIGKILL");
    }
  }, 60_000);

  it("that does not act on a cancel is stopped by cancel_run, which records the run cancelled", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-hung-cancel-"));
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex(`exec sleep 600`), killGraceMs: 100 });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-hung-cancel-cwd-"));
    const runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
    const supervisor = (await manager.registry.ledger.find(runId))!.start.supervisor!;
    process.kill(supervisor.pid, "SIGSTOP");
    try {
      const view = await manager.registry.cancel(runId, "stop it");
      // before: still `running` (with its slot) after the cancel's wait, 300 + 5000 + 10000 ms
      expect([view?.status, view?.signal, view?.error]).toEqual([
        "cancelled",
        "SIGKILL",
        `cancelled: stop it; the run's supervisor (pid ${supervisor.pid}) was hung: alive but it did not act on the cancel within 15300 ms, so it and every process carrying the run's marker were stopped with SIGKILL`,
      ]);
      expect(await stillRunning(supervisor)).toBe(false);
      expect(await processesOfRun(runId)).toEqual([]);
      expect(await new Scheduler(runner.stateDir, 1, 0).live()).toEqual([]);
    } finally {
      if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
    }
  }, 60_000);
});
