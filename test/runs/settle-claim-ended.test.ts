// A settler's claim (`reaped`) whose holder is gone is taken over (settle-claim-crash.test.ts). But a settler that
// is gone may have finished: it records the run's end, then exits (a CLI's run_status). A look that read the ledger
// before that end, and found the holder gone just after, took the claim over and settled the run again: a second
// end in the ledger, after the run's processes had been killed and its files removed a second time. Now a claim
// taken is kept only while the run still has no end. The race made certain: the end is appended just as the
// claim's holder is looked at (a wrapper around stillRunning). A real (built) supervisor, SIGKILLed.
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { RunLedger, runDir, STATE_FILES, type LedgerRun, type ProcessId } from "../../src/contract/index.js";
import { killRunLeftovers } from "../../src/codex/processes.js";
import { endOfOrphan } from "../../src/runs/orphan-end.js";
import { ledgerRecords } from "../supervisor/supervise.js";

// what the gone settler did just before the look at its claim: recorded the run's end. The look at the claim's
// holder (whether it still runs) is where the end is appended: the claim is taken with the leases' takeLock, whose
// look at a held lock (staleOrHolder) asks stillRunning of its holder.
const finished: { stateDir?: string; entry?: LedgerRun; holder?: ProcessId } = {};
vi.mock("../../src/codex/liveness.js", async (original) => {
  const real = await original<typeof import("../../src/codex/liveness.js")>();
  return {
    ...real,
    stillRunning: async (process: ProcessId) => {
      if (finished.entry && finished.stateDir && finished.holder?.pid === process.pid) {
        const { entry, stateDir } = finished;
        finished.entry = undefined;
        await new RunLedger(stateDir).append(endOfOrphan(entry, undefined, 1, undefined, undefined));
      }
      return real.stillRunning(process);
    },
  };
});

const { processId, stillRunning } = await import("../../src/codex/liveness.js");
const { RunManager } = await import("../../src/runs/run-manager.js");
const { testConfig } = await import("../support/mcp.js");
const { stubCodex } = await import("../support/stub-codex.js");

describe("a claim whose holder settled the run and exited", () => {
  it("is not taken over to record a second end", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-claim-ended-"));
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex(`exec sleep 600`), killGraceMs: 100 });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-claim-ended-cwd-"));
    const runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
    const entry = (await manager.registry.ledger.find(runId))!;
    const supervisor = entry.start.supervisor!;
    // the settler: claimed the run, (below) recorded its end, exited
    const settler = spawn("sleep", ["60"], { stdio: "ignore" });
    const holder = await processId(settler.pid!);
    settler.kill("SIGKILL");
    await new Promise((resolve) => settler.once("exit", resolve));
    try {
      process.kill(supervisor.pid, "SIGKILL");
      while (await stillRunning(supervisor)) await new Promise((resolve) => setTimeout(resolve, 20));
      await writeFile(
        join(runDir(runner.stateDir, runId), STATE_FILES.reaped.name),
        JSON.stringify({ holder, at: new Date().toISOString() }),
      );
      Object.assign(finished, { stateDir: runner.stateDir, entry, holder });
      await manager.registry.get(runId);
      const ends = (await ledgerRecords(runner.stateDir)).filter(
        (record) => record.type === "end" && record.run_id === runId,
      );
      // before: 2, the second recorded by the look that took the finished settler's claim over
      expect(ends.length).toBe(1);
    } finally {
      if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
      await killRunLeftovers(runId, null);
    }
  }, 30_000);
});
