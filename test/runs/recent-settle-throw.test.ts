// The recent runs (run_status without an id, `codex-control-mcp runs`) were looked at together, and one run
// whose look threw (its settle's claim file not created: a full disk, an I/O error) failed the whole list:
// every other run was hidden behind that one error. Now the others are listed and that run is named as
// unreadable, with why. The fault is injected where the claim file is created.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

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

const { STATE_FILES } = await import("../../src/contract/index.js");
const { killRunLeftovers } = await import("../../src/codex/processes.js");
const { stillRunning } = await import("../../src/codex/liveness.js");
const { RunManager } = await import("../../src/runs/run-manager.js");
const { testConfig } = await import("../support/mcp.js");
const { stubCodex } = await import("../support/stub-codex.js");

describe("the recent runs and a run whose settle throws", () => {
  it("lists the others and names that run as unreadable", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-recent-throw-"));
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex(`exec sleep 600`), killGraceMs: 100 });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-recent-throw-cwd-"));
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
      // before: rejected with the EIO of runs[0], and runs[1] was not shown
      const recent = await manager.registry.recent(20);
      expect(recent.runs.map((view) => [view.run_id, view.status])).toEqual([[runs[1], "failed"]]);
      expect(recent.unreadable).toEqual([
        {
          run_id: runs[0],
          error: `EIO: i/o error, link '${join(runner.stateDir, "runs", runs[0]!, STATE_FILES.reaped.name)}'`,
        },
      ]);
    } finally {
      failing.runId = undefined;
      for (const supervisor of supervisors) if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
      for (const runId of runs) await killRunLeftovers(runId, null);
    }
  }, 30_000);
});
