// The server that gives up on a supervisor at the start deadline (SIGTERM) SIGKILLs it at its lease's deadline if
// it is still there: its start, the run's timeout, both kill grace periods and a margin. With durations the flags
// allow (each at most 2^31-1 ms), that deadline can be further away than Node's longest timer, which then fired at
// once: a supervisor still stopping its Codex (within its kill grace) was SIGKILLed as soon as it was told to stop.
// The built supervisor; a stub `codex` that ignores the stop signals.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stillRunning } from "../../src/codex/liveness.js";
import { MAX_TIMER_MS } from "../../src/codex/run-modes.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "../support/mcp.js";
import { until } from "../support/run-views.js";
import { stubCodex } from "../support/stub-codex.js";

afterEach(() => void vi.restoreAllMocks());

describe("a supervisor given up on at the start, its deadline past Node's longest timer", () => {
  it("is not SIGKILLed before that deadline", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-deadline-home-"));
    const codexBin = await stubCodex(`trap '' INT TERM; exec sleep 600`);
    const { runner } = testConfig({ codexHome, codexBin, supervisorStartMs: 0, killGraceMs: MAX_TIMER_MS });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const { ledger } = manager.registry;
    const find = ledger.find.bind(ledger);
    let hidden = false;
    // the server's first look misses the start record the supervisor writes meanwhile; then its deadline has passed
    vi.spyOn(ledger, "find").mockImplementation(async (runId) => {
      if (hidden) return find(runId);
      hidden = true;
      await until(
        () => find(runId),
        (entry) => entry !== undefined,
      );
      return undefined;
    });
    const overflows: string[] = [];
    const onWarning = (warning: Error) =>
      void (warning.name === "TimeoutOverflowWarning" && overflows.push(warning.message));
    process.on("warning", onWarning);
    const cwd = await mkdtemp(join(tmpdir(), "ccm-deadline-cwd-"));
    const refused = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true }).then(
      () => "started",
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    const [run] = await ledger.runs();
    const supervisor = run!.start.supervisor!;
    // the warning is emitted on the next tick: one more pass of the loop
    await new Promise((resolve) => setImmediate(resolve));
    process.off("warning", onWarning);
    const alive = await stillRunning(supervisor);
    // Codex gone, the supervisor records the stop it was told
    process.kill(-run!.start.pgid!, "SIGKILL");
    const ended = await manager.registry.wait(run!.start.run_id, 60_000);
    expect(refused).toMatch(/did not record the start of run run_\w+ within 0 ms, and was told to stop/);
    // before: "2147… does not fit into a 32-bit signed integer. Timeout duration was set to 1.", and the SIGKILL
    expect([overflows, alive]).toEqual([[], true]);
    expect([ended?.status, ended?.error]).toEqual(["cancelled", "cancelled: the run's supervisor was sent SIGTERM"]);
  });
});
