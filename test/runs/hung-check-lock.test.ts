// Whether a supervisor past its lease's deadline is hung is seen by watching its beat stay old for a few beats
// (hung-supervisor.ts), then it is SIGKILLed and waited for. Before, all of that ran while holding the leases' lock:
// a run started meanwhile waited for the lock longer than its 2 s minimum and was refused (`lock_held`), though
// slots were free. Now hung supervisors are looked for, and stopped, before the lock is taken; under it the leases
// are only counted. A real (built) supervisor, SIGSTOPped, holding a lease past its deadline.
import { mkdtemp, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processId, stillRunning } from "../../src/codex/liveness.js";
import { Lease, Scheduler } from "../../src/runs/scheduler.js";
import { startSupervisor } from "../supervisor/supervise.js";

const HUNG_RUN = "run_hunglock01";

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
});
