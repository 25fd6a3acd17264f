// The supervisor frees a run's slot once Codex is gone, before it records the end (lease-before-end.test.ts).
// In that window a run has no slot and no end: another server looking at it must see a run still followed by
// its supervisor, not a dead one to settle (an end of its own, `failed`, "stopped before the run ended").
// The window is held open by stopping the supervisor (SIGSTOP) there: Codex killed, the lease removed as the
// supervisor removes it; then the supervisor goes on and records the end itself.
import { mkdtemp } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { leasesDir, removeFile } from "../../src/contract/index.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { Scheduler } from "../../src/runs/scheduler.js";
import { testConfig } from "../support/mcp.js";
import { stubCodex } from "../support/stub-codex.js";

describe("a run between its slot's release and its end record", () => {
  it("is still running to another server, and only its supervisor records the end", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-window-"));
    const bin = await stubCodex(`exec sleep 600`);
    const { runner } = testConfig({ codexHome, codexBin: bin, maxConcurrent: 1, queueWaitMs: 0 });
    const first = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-window-cwd-"));
    const runId = await first.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
    const entry = await first.registry.ledger.find(runId);
    const supervisor = entry!.start.supervisor!.pid;
    const lease = join(leasesDir(runner.stateDir), `${runId}.json`);
    process.kill(supervisor, "SIGSTOP");
    try {
      process.kill(-entry!.start.pgid!, "SIGKILL");
      await removeFile(lease);
      // a second server of the same state dir: no slot counts, the run has no end
      const second = new RunManager({ ...runner, stopRunsOnExit: false });
      expect(await new Scheduler(runner.stateDir, 1, 0).live()).toEqual([]);
      const seen = await second.registry.get(runId);
      expect([seen?.status, seen?.error]).toEqual(["running", null]);
      expect((await second.registry.ledger.find(runId))?.end).toBeNull();
    } finally {
      process.kill(supervisor, "SIGCONT");
    }
    const ended = await first.registry.wait(runId, 60_000);
    expect([ended?.status, ended?.signal]).toEqual(["failed", "SIGKILL"]);
    expect(ended?.error).not.toContain("stopped before the run ended");
    const ends = (await first.registry.ledger.runs()).filter((run) => run.end !== null);
    expect(ends).toHaveLength(1);
    expect(existsSync(lease)).toBe(false);
  });
});
