// `doctor` said nothing of a hung supervisor (alive, past its lease's deadline, no longer beating): it is stopped
// only when something looks at its run, and until then its Codex runs on with no timeout and holds a slot. Now
// doctor names the run, the supervisor, the deadline and the last beat, and what stops it. A real (built)
// supervisor, SIGSTOPped, holding a lease past its deadline.
import { mkdtemp, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processId } from "../../src/codex/liveness.js";
import { doctor } from "../../src/doctor/doctor.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { Lease, Scheduler } from "../../src/runs/scheduler.js";
import { testConfig } from "../support/mcp.js";
import { stubCodex } from "../support/stub-codex.js";
import { startSupervisor } from "../supervisor/supervise.js";

const RUN = "run_doctorhung01";

describe("doctor and a hung supervisor", () => {
  it("names the run, its supervisor, its deadline and last beat, and what stops it", async () => {
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
      await lease.handOver(await processId(child.pid!), deadline);
      // a whole second: an mtime set from a Date with milliseconds can read back a millisecond off
      const lastBeat = new Date(Math.floor((Date.now() - 30_000) / 1000) * 1000);
      await utimes(lease.path, lastBeat, lastBeat);
      const report = await doctor(config, new RunManager({ ...config.runner, stopRunsOnExit: false }), {
        probe: false,
      });
      // before: no such check
      expect(report.checks.filter((check) => check.name === "hung run")).toEqual([
        {
          name: "hung run",
          level: "warn",
          found: `run ${RUN}: its supervisor (pid ${child.pid}) is past its deadline ${deadline} with no end recorded, its last beat at ${lastBeat.toISOString()}: hung (stopped, or its event loop blocked); its Codex runs on with no timeout and it holds a slot`,
          fix: `Call cancel_run with run_id ${RUN} (or run_status for it): that stops the supervisor and every process of the run, and records the run's end.`,
        },
      ]);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  }, 30_000);
});
