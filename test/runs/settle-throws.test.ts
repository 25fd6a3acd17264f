// A run whose settle claim cannot be made (its claim file not created: a full disk, an I/O error) throws out of
// settle instead of spinning. Two lookers took every run together and let that one run stop them all:
// settleAll, which a server's start runs (recover) to settle every run a killed server left, stopped at it
// (every run after it in the ledger stayed `running`, its processes running, until something looked at it);
// and the recent runs (run_status without an id, `codex-control-mcp runs`) failed whole, every other run hidden
// behind that one error. The fault is injected where the claim file is created.
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
const { ledgerRecords } = await import("../supervisor/supervise.js");

type Manager = InstanceType<typeof RunManager>;

/** Two runs whose supervisors were SIGKILLed, the first one's settle failing with EIO while `look` runs. */
async function withTwoOrphans(look: (manager: Manager, runs: string[], stateDir: string) => Promise<void>) {
  const codexHome = await mkdtemp(join(tmpdir(), "ccm-settle-throws-"));
  const { runner } = testConfig({ codexHome, codexBin: await stubCodex(`exec sleep 600`), killGraceMs: 100 });
  const manager = new RunManager({ ...runner, stopRunsOnExit: false });
  const cwd = await mkdtemp(join(tmpdir(), "ccm-settle-throws-cwd-"));
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
    await look(manager, runs, runner.stateDir);
  } finally {
    failing.runId = undefined;
    for (const supervisor of supervisors) if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
    for (const runId of runs) await killRunLeftovers(runId, null);
  }
}

const eio = (stateDir: string, runId: string) =>
  `EIO: i/o error, link '${join(stateDir, "runs", runId, STATE_FILES.reaped.name)}'`;

describe("a run whose settle throws", () => {
  it("settleAll settles the runs after it, and then says what failed", async () => {
    await withTwoOrphans(async (manager, runs, stateDir) => {
      await expect(manager.registry.settleAll()).rejects.toThrow(eio(stateDir, runs[0]!));
      const ended = (await ledgerRecords(stateDir))
        .filter((record) => record.type === "end")
        .map((record) => record.run_id);
      // before: [] (settleAll stopped at the first run; the second, its supervisor gone, stayed running)
      expect(ended).toEqual([runs[1]]);
    });
  }, 30_000);

  it("the recent runs list the others and name that run as unreadable", async () => {
    await withTwoOrphans(async (manager, runs, stateDir) => {
      // before: rejected with the EIO of runs[0], and runs[1] was not shown
      const recent = await manager.registry.recent(20);
      expect(recent.runs.map((view) => [view.run_id, view.status])).toEqual([[runs[1], "failed"]]);
      expect(recent.unreadable).toEqual([{ run_id: runs[0], error: eio(stateDir, runs[0]!) }]);
    });
  }, 30_000);
});
