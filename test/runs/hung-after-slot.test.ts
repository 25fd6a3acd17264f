// A supervisor that hangs after freeing its slot (its Codex gone, its lease with the deadline removed) and before
// recording its end had no deadline left: the run stayed `running` for every look until a cancel_run (two waits).
// Now it leaves an ending record with the next deadline (the recording of the end) that it beats on: past it, not
// beating, it is stopped as hung at the next look and the run recorded failed, naming the hang. A real (built)
// supervisor, made to stop itself (SIGSTOP) just after it removed its lease, by a module loaded before its own.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { runDir, STATE_FILES, type EndingRecord } from "../../src/contract/index.js";
import { processesOfRun } from "../../src/codex/processes.js";
import { stillRunning } from "../../src/codex/liveness.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "../support/mcp.js";
import { QUICK_SUCCESS, stubCodex } from "../support/stub-codex.js";

/** A module that stops the process it is loaded into right after it removes a lease of `runs`. */
const HANG_AFTER_LEASE = `
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
const unlink = fs.promises.unlink;
fs.promises.unlink = async (path, ...rest) => {
  await unlink(path, ...rest);
  if (/\\/leases\\/run_[a-z0-9]+\\.json$/.test(String(path))) process.kill(process.pid, "SIGSTOP");
};
syncBuiltinESMExports();
`;

describe("a supervisor hung after freeing its slot", () => {
  it("is stopped once its ending record's deadline passes, and its run recorded failed naming the hang", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-hung-slot-"));
    const hook = join(codexHome, "hang-after-lease.mjs");
    await writeFile(hook, HANG_AFTER_LEASE);
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex(QUICK_SUCCESS), killGraceMs: 100 });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-hung-slot-cwd-"));
    const before = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `--import=${pathToFileURL(hook).href}`;
    let runId: string;
    try {
      runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
    } finally {
      if (before === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = before;
    }
    const supervisor = (await manager.registry.ledger.find(runId))!.start.supervisor!;
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
