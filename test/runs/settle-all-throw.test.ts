// A run whose settle claim cannot be made (its claim file not created: a full disk, an I/O error) now throws
// out of settle instead of spinning; settleAll, which a server's start runs (recover) to settle every run a
// killed server left, stopped at that run, and every run after it in the ledger stayed `running`, its
// processes running, until something looked at it. The fault is injected where the claim file is created.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { STATE_FILES } from "../../src/contract/index.js";

const failing: { runId?: string } = {};
vi.mock("../../src/contract/index.js", async (original) => {
  const real = await original<typeof import("../../src/contract/index.js")>();
  return {
    ...real,
    createExclusive: async (path: string, text: string) => {
      if (failing.runId && path.endsWith(join(failing.runId, real.STATE_FILES.reaped.name)))
        throw Object.assign(new Error(`EIO: i/o error, link '${path}'`), { code: "EIO" });
      return real.createExclusive(path, text);
    },
  };
});

const { killRunLeftovers } = await import("../../src/codex/processes.js");
const { stillRunning } = await import("../../src/codex/liveness.js");
const { RunManager } = await import("../../src/runs/run-manager.js");
const { testConfig } = await import("../support/mcp.js");
const { stubCodex } = await import("../support/stub-codex.js");
const { ledgerRecords } = await import("../supervisor/supervise.js");

describe("settleAll and a run whose settle throws", () => {
  it("settles the runs after it, and then says what failed", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-settle-all-"));
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex(`exec sleep 600`), killGraceMs: 100 });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-settle-all-cwd-"));
    const runs = [
      await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true }),
      await manager.start({ prompt: "y", cwd, mode: "read-only", skipGitRepoCheck: true }),
    ];
    const supervisors = await Promise.all(
      runs.map(async (runId) => (await manager.registry.ledger.find(runId))!.start.supervisor!),
    );
    try {
      for (const supervisor of supervisors) {
        process.kill(supervisor.pid, "SIGKILL");
        while (await stillRunning(supervisor)) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      failing.runId = runs[0];
      await expect(manager.registry.settleAll()).rejects.toThrow(
        `EIO: i/o error, link '${join(runner.stateDir, "runs", runs[0]!, STATE_FILES.reaped.name)}'`,
      );
      const ended = (await ledgerRecords(runner.stateDir))
        .filter((record) => record.type === "end")
        .map((record) => record.run_id);
      // before: [] (settleAll stopped at the first run; the second, its supervisor gone, stayed running)
      expect(ended).toEqual([runs[1]]);
    } finally {
      failing.runId = undefined;
      for (const supervisor of supervisors) if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
      for (const runId of runs) await killRunLeftovers(runId, null);
    }
  }, 30_000);
});
