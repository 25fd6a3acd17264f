// A run's Codex outlived its SIGKILLed supervisor until some process looked at the run (run_status, a count of
// the slots), which may be never. Now the supervisor's watchdog sees its pipe's EOF and stops every process
// carrying the run's marker, with nobody looking; none is left once a supervisor ends its run normally. The
// built supervisor, a stub `codex` that sleeps.
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunLedger, runDir } from "../../src/contract/index.js";
import { killRunLeftovers, processesOfRun, RUN_MARKER } from "../../src/codex/processes.js";
import { QUICK_SUCCESS, stubCodex } from "../support/stub-codex.js";
import { startSupervisor, supervise, supervisorJob } from "./supervise.js";
import { watchdogsOf } from "../support/watchdogs.js";

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !(await check()) && Date.now() < end;)
    await new Promise((resolve) => setTimeout(resolve, 50));
}

describe("a run's watchdog", () => {
  it("stops the run's Codex once its supervisor is SIGKILLed, with nobody looking at the run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-watchdog-"));
    const stateDir = join(dir, "state");
    const runId = "run_watchdogkill01";
    await mkdir(runDir(stateDir, runId), { recursive: true, mode: 0o700 });
    const bin = await stubCodex("exec sleep 600");
    const { child, exited } = startSupervisor(dir, runId);
    child.stdin.end(JSON.stringify(supervisorJob(dir, stateDir, runId, bin, { [RUN_MARKER]: runId })));
    try {
      await until(async () => (await new RunLedger(stateDir).find(runId)) !== undefined, 10_000);
      // the stub's bash reads its stdin with a `cat` of its own (two marked processes) before it becomes the sleep
      await until(async () => (await processesOfRun(runId)).length === 1, 10_000);
      expect((await processesOfRun(runId)).length).toBe(1);
      child.kill("SIGKILL");
      await exited;
      // before: the sleep ran on (here, for the whole wait)
      await until(async () => (await processesOfRun(runId)).length === 0, 10_000);
      expect(await processesOfRun(runId)).toEqual([]);
      await until(async () => (await watchdogsOf(runId)) === 0, 5000);
      expect(await watchdogsOf(runId)).toBe(0);
    } finally {
      await killRunLeftovers(runId, null);
    }
  }, 40_000);

  // the supervisor stops it, or its pipe's EOF ends it: either way none may be left (a watchdog waiting for good)
  it("is gone once its supervisor ended the run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-watchdog-"));
    const stateDir = join(dir, "state");
    const runId = "run_watchdogends01";
    await mkdir(runDir(stateDir, runId), { recursive: true, mode: 0o700 });
    expect(await supervise(dir, stateDir, runId, await stubCodex(QUICK_SUCCESS), { [RUN_MARKER]: runId })).toEqual([
      0,
      "",
    ]);
    await until(async () => (await watchdogsOf(runId)) === 0, 5000);
    expect(await watchdogsOf(runId)).toBe(0);
    expect((await new RunLedger(stateDir).find(runId))?.end?.status).toBe("completed");
  });
});
