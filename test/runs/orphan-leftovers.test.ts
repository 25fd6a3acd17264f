// A run whose supervisor died is settled by whoever looks at it next: what carries the run's marker is SIGKILLed
// and the end recorded. Before, that kill was its own path (killMarked: 20 scans, about 1 s, then on), not the
// supervisor's (killRunLeftovers: scan again until every process of the run is gone, up to 5 s, and name what is
// left), so the end was recorded while processes of the run still ran. Here something outside the run's marker
// (it dropped it) keeps starting marked processes for 3 s after the supervisor dies: the end is recorded only once
// none is left. A real (built) supervisor, SIGKILLed; a stub `codex`.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { killRunLeftovers, processesOfRun, RUN_MARKER } from "../../src/codex/processes.js";
import { stillRunning } from "../../src/codex/liveness.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "../support/mcp.js";
import { stubCodex } from "../support/stub-codex.js";

// outside the marker, a loop that starts a marked `sleep` every 20 ms for 3 s; the stub itself sleeps
const RESPAWNING = `run=$${RUN_MARKER}; env -u ${RUN_MARKER} sh -c 'end=$(($(date +%s) + 3)); while [ $(date +%s) -lt $end ]; do ${RUN_MARKER}='"$run"' sleep 600 & sleep 0.02; done' & exec sleep 600`;

describe("a run whose supervisor died", () => {
  it("is recorded ended only once no process of it is left", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-orphan-left-"));
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex(RESPAWNING), killGraceMs: 100 });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-orphan-left-cwd-"));
    const runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
    const supervisor = (await manager.registry.ledger.find(runId))!.start.supervisor!;
    try {
      while ((await processesOfRun(runId)).length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
      process.kill(supervisor.pid, "SIGKILL");
      while (await stillRunning(supervisor)) await new Promise((resolve) => setTimeout(resolve, 20));
      const view = await manager.registry.get(runId);
      const left = await processesOfRun(runId);
      expect([view?.status, view?.signal]).toEqual(["failed", "SIGKILL"]);
      // before: marked processes the loop started after the ~1 s of kills ran on past the recorded end
      expect(left).toEqual([]);
    } finally {
      // the loop ends by itself within 3 s
      await new Promise((resolve) => setTimeout(resolve, 3500));
      await killRunLeftovers(runId, null);
    }
  }, 30_000);
});
