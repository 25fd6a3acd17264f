// A run whose supervisor is gone is settled by the first process that looks at it, which first claims it (a
// `reaped` file in the run's directory) so that two never record two ends; the others wait for its end record.
// A settler that crashed after its claim (SIGKILL, a machine's power) left the claim for good: every later
// run_status and cancel_run waited 5 s and answered `running`, for a run nothing ran any more, and its marked
// processes ran on. Now the claim names its holder (pid and start time): one whose holder is gone is taken over.
// A real (built) supervisor, SIGKILLed; a stub `codex` that sleeps.
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDir, STATE_FILES } from "../../src/contract/index.js";
import { killRunLeftovers, processesOfRun } from "../../src/codex/processes.js";
import { processId, stillRunning } from "../../src/codex/liveness.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "../support/mcp.js";
import { stubCodex } from "../support/stub-codex.js";
import { watchdogPids } from "../support/watchdogs.js";

describe("a settler that crashed after claiming a run", () => {
  it("does not keep the run `running`: the next look takes the claim over and records the end", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-claim-crash-"));
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex(`exec sleep 600`), killGraceMs: 100 });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-claim-crash-cwd-"));
    const runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
    const supervisor = (await manager.registry.ledger.find(runId))!.start.supervisor!;
    // the settler: a process that claimed the run and then died
    const settler = spawn("sleep", ["60"], { stdio: "ignore" });
    const crashed = await processId(settler.pid!);
    settler.kill("SIGKILL");
    await new Promise((resolve) => settler.once("exit", resolve));
    try {
      // its watchdog would stop the run's Codex first on a loaded machine (the end then names no signal): the
      // settler taking the claim over is the one to stop it here
      while ((await watchdogPids(runId)).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const pid of await watchdogPids(runId)) process.kill(pid, "SIGKILL");
      process.kill(supervisor.pid, "SIGKILL");
      while (await stillRunning(supervisor)) await new Promise((resolve) => setTimeout(resolve, 20));
      const claim = { holder: crashed, at: new Date().toISOString() };
      await writeFile(join(runDir(runner.stateDir, runId), STATE_FILES.reaped.name), JSON.stringify(claim));
      const view = await manager.registry.get(runId);
      // before: `running`, null, and the run's Codex still there
      expect([view?.status, view?.signal]).toEqual(["failed", "SIGKILL"]);
      expect(await processesOfRun(runId)).toEqual([]);
    } finally {
      if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
      await killRunLeftovers(runId, null);
    }
  }, 30_000);
});
