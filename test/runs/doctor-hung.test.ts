// `doctor` said nothing of a hung supervisor (alive, past its lease's deadline, no longer beating): it is stopped
// only when something looks at its run, and until then its Codex runs on with no timeout and holds a slot. Now
// doctor names the run, the supervisor, the deadline and the last beat, and what stops it. A real (built)
// supervisor, SIGSTOPped, holding a lease past its deadline.
import { lstat, mkdtemp, readFile, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  leasesDir,
  leaseSchema,
  readStateFile,
  runDir,
  STATE_FILES,
  type EndingRecord,
} from "../../src/contract/index.js";
import { processId, stillRunning } from "../../src/codex/liveness.js";
import { killRunLeftovers } from "../../src/codex/processes.js";
import { doctor } from "../../src/doctor/doctor.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { Lease, Scheduler } from "../../src/runs/scheduler.js";
import { testConfig } from "../support/mcp.js";
import { startHungAfterSlot } from "../support/hung-after-slot.js";
import { stubCodex } from "../support/stub-codex.js";
import { startSupervisor } from "../supervisor/supervise.js";

const RUN = "run_doctorhung01";

describe("doctor and a hung supervisor", () => {
  it("names the run, its supervisor, its deadline and last beat, and what stops it (one that never recorded its start)", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-doctor-hung-"));
    const config = testConfig({ codexHome, codexBin: await stubCodex("exit 0") });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-doctor-hung-cwd-"));
    const { child, exited } = startSupervisor(cwd, RUN);
    try {
      const lease = (await new Scheduler(config.runner.stateDir, 4, 0).acquire({
        runId: RUN,
        cwd,
        writer: false,
        shareDirectory: false,
      })) as Lease;
      expect(lease).toBeInstanceOf(Lease);
      process.kill(child.pid!, "SIGSTOP");
      const deadline = new Date(Date.now() - 60_000).toISOString();
      const supervisor = await processId(child.pid!);
      await lease.handOver(supervisor, deadline);
      // whole seconds: a time with milliseconds comes back from the file's mtime a float's rounding off (…790 for …791)
      const lastBeat = new Date(Math.floor((Date.now() - 30_000) / 1000) * 1000);
      await utimes(lease.path, lastBeat, lastBeat);
      const manager = new RunManager({ ...config.runner, stopRunsOnExit: false });
      const report = await doctor(config, manager, { probe: false });
      // before: no such check
      expect(report.checks.filter((check) => check.name === "hung run")).toEqual([
        {
          name: "hung run",
          level: "warn",
          found: `run ${RUN}: its supervisor (pid ${child.pid}) is past its deadline ${deadline} with no end recorded, its last beat at ${lastBeat.toISOString()}: hung (stopped, or its event loop blocked); its Codex runs on with no timeout and it holds a slot`,
          // before: "Call cancel_run with run_id …", which answers that no such run is in the ledger
          fix: `Run ${RUN} never recorded its start, so cancel_run and run_status do not know it: the next start_run with this state dir stops its supervisor and every process of the run first (a start stops hung supervisors before it counts the slots), and frees the slot.`,
        },
      ]);
      expect(await manager.registry.cancel(RUN, "stop it")).toBeUndefined();
      expect(await stillRunning(supervisor)).toBe(true);
      // what the fix says does stop it
      const next = await new Scheduler(config.runner.stateDir, 1, 0).acquire({
        runId: "run_doctorhung02",
        cwd,
        writer: false,
        shareDirectory: false,
      });
      expect(next).toBeInstanceOf(Lease);
      expect(await stillRunning(supervisor)).toBe(false);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  }, 30_000);

  it("a run whose start is recorded: cancel_run for it is what stops it", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-doctor-hung-started-"));
    const config = testConfig({ codexHome, codexBin: await stubCodex("exec sleep 600"), killGraceMs: 100 });
    const manager = new RunManager({ ...config.runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-doctor-hung-started-cwd-"));
    const runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
    const supervisor = (await manager.registry.ledger.find(runId))!.start.supervisor!;
    try {
      process.kill(supervisor.pid, "SIGSTOP");
      const path = join(leasesDir(config.runner.stateDir), `${runId}.json`);
      const lease = (await readStateFile(path, leaseSchema, STATE_FILES.lease.maxBytes))!;
      const deadline = new Date(Date.now() - 60_000).toISOString();
      await writeFile(path, JSON.stringify({ ...lease, hung_after: deadline }));
      const lastBeat = new Date(Date.now() - 30_000);
      await utimes(path, lastBeat, lastBeat);
      const report = await doctor(config, manager, { probe: false });
      expect(report.checks.filter((check) => check.name === "hung run").map((check) => check.fix)).toEqual([
        `Call cancel_run with run_id ${runId} (or run_status for it): that stops the supervisor and every process of the run, and records the run's end.`,
      ]);
      const view = await manager.registry.cancel(runId, "stop it");
      expect(view?.status).toBe("failed");
      expect(await stillRunning(supervisor)).toBe(false);
    } finally {
      if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
      await killRunLeftovers(runId, null);
    }
  }, 30_000);

  it("a supervisor hung after freeing its slot (its ending record past its deadline): named, and cancel_run stops it", async () => {
    const { config, manager, runId, supervisor } = await startHungAfterSlot("ccm-doctor-hung-ending");
    try {
      const path = join(runDir(config.runner.stateDir, runId), STATE_FILES.ending.name);
      for (const until = Date.now() + 20_000; Date.now() < until;) {
        if ((await lstat(path).catch(() => undefined)) !== undefined) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const ending = JSON.parse(await readFile(path, "utf8")) as EndingRecord;
      const deadline = new Date(Date.now() - 60_000).toISOString();
      await writeFile(path, JSON.stringify({ ...ending, hung_after: deadline }));
      const lastBeat = new Date(Math.floor((Date.now() - 30_000) / 1000) * 1000);
      await utimes(path, lastBeat, lastBeat);
      const report = await doctor(config, manager, { probe: false });
      // before: no "hung run" check (the leases only were looked at, and this run has none)
      expect(report.checks.filter((check) => check.name === "hung run")).toEqual([
        {
          name: "hung run",
          level: "warn",
          found: `run ${runId}: its supervisor (pid ${supervisor.pid}) freed its slot at ${ending.at}, its Codex gone, and is past its deadline ${deadline} with no end recorded, its last beat at ${lastBeat.toISOString()}: hung (stopped, or its event loop blocked); the run stays running until it is stopped`,
          fix: `Call cancel_run with run_id ${runId} (or run_status for it): that stops the supervisor and every process of the run, and records the run's end.`,
        },
      ]);
      // what the fix says does stop it
      const view = await manager.registry.cancel(runId, "stop it");
      expect(view?.status).toBe("failed");
      expect(await stillRunning(supervisor)).toBe(false);
    } finally {
      if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
    }
  }, 60_000);
});
