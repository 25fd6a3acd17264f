// A supervisor that hangs after freeing its slot (its Codex gone, its lease with the deadline removed) and before
// recording its end had no deadline left: the run stayed `running` for every look until a cancel_run (two waits).
// Now it leaves an ending record with the next deadline (the recording of the end) that it beats on: past it, not
// beating, it is stopped as hung at the next look and the run recorded failed, naming the hang. A real (built)
// supervisor, made to stop itself (SIGSTOP) just after it removed its lease, by a module loaded before its own.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDir, STATE_FILES, type EndingRecord } from "../../src/contract/index.js";
import { processesOfRun } from "../../src/codex/processes.js";
import { stillRunning } from "../../src/codex/liveness.js";
import { startHungAfterSlot } from "../support/hung-after-slot.js";

describe("a supervisor hung after freeing its slot", () => {
  it("is stopped once its ending record's deadline passes, and its run recorded failed naming the hang", async () => {
    const { config, manager, runId, supervisor } = await startHungAfterSlot("ccm-hung-slot");
    const { runner } = config;
    try {
      // looks until the run is no longer `running`, within twice the ending deadline and the beat's watch
      let view = await manager.registry.get(runId);
      for (const until = Date.now() + 30_000; view?.status === "running" && Date.now() < until;) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        view = await manager.registry.get(runId);
      }
      expect(view?.status).toBe("failed");
      const ending = JSON.parse(
        await readFile(join(runDir(runner.stateDir, runId), STATE_FILES.ending.name), "utf8"),
      ) as EndingRecord;
      expect(ending.holder).toEqual(supervisor);
      expect(view?.error).toBe(
        `the run's supervisor (pid ${supervisor.pid}) was hung: alive but with no end recorded by ${ending.hung_after} (its Codex gone and its slot freed at ${ending.at}), so it and every process carrying the run's marker were stopped with SIGKILL. See session_summary for what the session log says.`,
      );
      expect(await stillRunning(supervisor)).toBe(false);
      expect(await processesOfRun(runId)).toEqual([]);
    } finally {
      if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
    }
  }, 60_000);
});
