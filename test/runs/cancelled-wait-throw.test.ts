// A run_codex call cancelled by its client cancels the run while its wait goes on. Where the run cannot be
// settled (its supervisor gone, its settle claim not created: a full disk, an I/O error; settle throws there),
// both the wait and the cancel fail: the wait's error answered the call, and the cancel's was left unhandled,
// which ends a Node process (the server) with it. The fault is injected where the claim file is created.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

const failing: { runId?: string; thrown: number } = { thrown: 0 };
vi.mock("../../src/contract/index.js", async (original) => {
  const real = await original<typeof import("../../src/contract/index.js")>();
  return {
    ...real,
    createExclusive: async (path: string, text: string) => {
      if (failing.runId && path.endsWith(join(failing.runId, real.STATE_FILES.reaped.name))) {
        failing.thrown++;
        throw Object.assign(new Error("EIO: i/o error"), { code: "EIO" });
      }
      return real.createExclusive(path, text);
    },
  };
});

const { killRunLeftovers } = await import("../../src/codex/processes.js");
const { stillRunning } = await import("../../src/codex/liveness.js");
const { RunManager } = await import("../../src/runs/run-manager.js");
const { waitForRun } = await import("../../src/tools/run-result.js");
type Extra = import("../../src/tools/run-result.js").Extra;
const { testConfig } = await import("../support/mcp.js");
const { stubCodex } = await import("../support/stub-codex.js");

describe("a cancelled call's wait and cancel, both failing", () => {
  it("answers the wait's error and leaves no rejection unhandled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-cancelled-wait-"));
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex(`exec sleep 600`), killGraceMs: 100 });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-cancelled-wait-cwd-"));
    const runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
    const supervisor = (await manager.registry.ledger.find(runId))!.start.supervisor!;
    try {
      process.kill(supervisor.pid, "SIGKILL");
      while (await stillRunning(supervisor)) await new Promise((resolve) => setTimeout(resolve, 20));
      failing.runId = runId;
      const extra = { signal: AbortSignal.abort(), _meta: undefined } as unknown as Extra;
      await expect(waitForRun(manager, runId, 10_000, extra, undefined, true)).rejects.toThrow("EIO: i/o error");
      // the cancel's settle got as far too; its rejection is seen once the event loop has turned
      while (failing.thrown < 2) await new Promise((resolve) => setImmediate(resolve));
      for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
      // before: [EIO: i/o error], the cancel's (a server ends on it)
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      failing.runId = undefined;
      if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
      await killRunLeftovers(runId, null);
    }
  }, 30_000);
});
