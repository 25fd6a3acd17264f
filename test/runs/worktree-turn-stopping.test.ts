// A worktree run whose supervisor the server gave up on at the start deadline (SupervisorStopping): the
// supervisor may have started a Codex that is still making its worktree while it stops, so the repository's
// turn ends when the supervisor is gone, as the run's slot is freed then (supervisor-spawn.ts), not at once.
// The supervisor's exit is a promise the test resolves; no clock decides.
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RunManager } from "../../src/runs/run-manager.js";
import { SupervisorStopping } from "../../src/runs/supervisor-spawn.js";
import { WorktreeTurns } from "../../src/runs/worktree-turns.js";
import { testConfig } from "../support/mcp.js";

afterEach(() => void vi.restoreAllMocks());

/** Lets every pending promise reaction run (one turn of the event loop; nothing waits on a clock). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** A repository, a run manager for it, and the ends of its worktree turns as they happen. */
async function repositoryWithTurns(): Promise<{ repo: string; manager: RunManager; ends: string[] }> {
  const repo = await mkdtemp(join(tmpdir(), "ccm-turn-stopping-"));
  await mkdir(join(repo, ".git"));
  const { runner } = testConfig({ codexHome: await mkdtemp(join(tmpdir(), "ccm-turn-stopping-home-")) });
  const manager = new RunManager({ ...runner, stopRunsOnExit: false });
  const ends: string[] = [];
  const take = WorktreeTurns.prototype.take;
  vi.spyOn(WorktreeTurns.prototype, "take").mockImplementation(async function (this: WorktreeTurns, ...args) {
    const end = await take.apply(this, args);
    return () => {
      ends.push("turn ended");
      end();
    };
  });
  return { repo, manager, ends };
}

describe("a worktree run whose supervisor is told to stop at the start deadline", () => {
  it("ends its turn in the repository once the supervisor is gone", async () => {
    const { repo, manager, ends } = await repositoryWithTurns();
    let exit!: () => void;
    const gone = new Promise<void>((resolve) => (exit = resolve));
    vi.spyOn(manager as unknown as { startNow: () => Promise<string> }, "startNow").mockRejectedValue(
      new SupervisorStopping("the run's supervisor did not record the start", gone),
    );
    const refused = await manager
      .start({ prompt: "x", cwd: repo, mode: "sandboxed", worktree: true })
      .catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
    expect(refused).toBe("the run's supervisor did not record the start");
    await settled();
    // before: the turn had ended with the refusal, while the supervisor still stopped a Codex making its worktree
    expect(ends).toEqual([]);
    exit();
    await settled();
    expect(ends).toEqual(["turn ended"]);
  });

  it("control: any other refusal ends the turn at once", async () => {
    const { repo, manager, ends } = await repositoryWithTurns();
    vi.spyOn(manager as unknown as { startNow: () => Promise<string> }, "startNow").mockRejectedValue(
      new Error("the run's supervisor exited before starting Codex"),
    );
    await expect(manager.start({ prompt: "x", cwd: repo, mode: "sandboxed", worktree: true })).rejects.toThrow(
      "the run's supervisor exited before starting Codex",
    );
    expect(ends).toEqual(["turn ended"]);
  });
});
