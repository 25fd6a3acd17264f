// Races at a run's start, driven by hooks (no clock decides): the server giving up on a supervisor in the
// instant it records the start, and the call that asked for the run cancelled while its supervisor starts.
// The built supervisor; a `codex` fixture that answers the probe like 0.169 and marks each run it starts.
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runDir } from "../../src/contract/index.js";
import { RUN_MARKER } from "../../src/codex/processes.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { SupervisorStopping } from "../../src/runs/supervisor-spawn.js";
import { Lease, Scheduler } from "../../src/runs/scheduler.js";
import { testConfig } from "../support/mcp.js";
import { until } from "../support/run-views.js";
import { QUICK_SUCCESS, stubCodex } from "../support/stub-codex.js";

/** A `codex` whose runs (not the probe) leave `started` and run `body`; the probe is the stub's. */
async function markingCodex(body: string): Promise<{ bin: string; started: string }> {
  const dir = await mkdtemp(join(tmpdir(), "ccm-races-"));
  const started = join(dir, "codex-was-started");
  const probe = await stubCodex(QUICK_SUCCESS);
  const bin = join(dir, "codex");
  await writeFile(
    bin,
    `#!/usr/bin/env bash
if [ -n "$${RUN_MARKER}" ]; then touch ${JSON.stringify(started)}; ${body}; fi
exec ${JSON.stringify(probe)} "$@"
`,
  );
  await chmod(bin, 0o755);
  return { bin, started };
}

async function managerOf(codexBin: string, extra: Partial<RunManager["config"]> = {}): Promise<RunManager> {
  const codexHome = await mkdtemp(join(tmpdir(), "ccm-races-home-"));
  const { runner } = testConfig({ codexHome, codexBin, maxConcurrent: 1, queueWaitMs: 0, ...extra });
  return new RunManager({ ...runner, stopRunsOnExit: false });
}

const request = (cwd: string) => ({ prompt: "x", cwd, mode: "read-only" as const, skipGitRepoCheck: true });

afterEach(() => void vi.restoreAllMocks());

describe("the server gives up on a supervisor in the instant it records the start", () => {
  it("keeps the run's slot until the supervisor, which cancels the run, is gone", async () => {
    // Codex ignores the stop signals: stopping it takes the kill grace periods (here far longer than the test)
    const { bin } = await markingCodex(`trap '' INT TERM; exec sleep 600`);
    const manager = await managerOf(bin, { supervisorStartMs: 0, killGraceMs: 600_000 });
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
    const cwd = await mkdtemp(join(tmpdir(), "ccm-races-cwd-"));
    let gone: Promise<void> | undefined;
    let supervisorGone = false;
    const refused = await manager.start(request(cwd)).then(
      () => "started",
      (error: unknown) => {
        if (error instanceof SupervisorStopping) gone = error.gone.then(() => void (supervisorGone = true));
        return error instanceof Error ? error.message : String(error);
      },
    );
    const [run] = await ledger.runs();
    expect(run, refused).toBeDefined();
    const runId = run!.start.run_id;
    expect(refused).toBe(
      `the run's supervisor did not record the start of run ${runId} within 0 ms, and was told to stop (see ${join(runDir(manager.config.stateDir, runId), "supervisor.log")})`,
    );
    // Codex still runs (it ignores SIGINT; SIGTERM comes after a kill grace of 10 minutes): so does the slot.
    // Before: the server had released it, and a second run took it.
    const scheduler = new Scheduler(manager.config.stateDir, 1, 0);
    expect((await scheduler.live()).map((lease) => [lease.run_id, lease.supervised])).toEqual([[runId, true]]);
    // what else waits for the supervisor (a worktree turn) is told when it is gone: not while it stops Codex
    expect([gone !== undefined, supervisorGone]).toEqual([true, false]);
    const second = await manager.start(request(await mkdtemp(join(tmpdir(), "ccm-races-cwd-")))).then(
      () => "started",
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(second).toBe(
      "1 runs are already running (the limit, --max-concurrent) and none finished within 0 ms. Wait for one (run_status) or cancel one (cancel_run), then try again.",
    );
    // the ledger's verdict: the run was cancelled by the stop
    const cancelling = await manager.registry.get(runId);
    expect(cancelling?.status).toBe("running");
    process.kill(-run!.start.pgid!, "SIGKILL");
    const ended = await manager.registry.wait(runId, 60_000);
    expect([ended?.status, ended?.error]).toEqual(["cancelled", "cancelled: the run's supervisor was sent SIGTERM"]);
    await gone;
    expect(supervisorGone).toBe(true);
    expect(
      await until(
        () => scheduler.live(),
        (live) => live.length === 0,
      ),
    ).toEqual([]);
  });
});

describe("the call that asked for a run is cancelled while its supervisor starts", () => {
  it("starts no Codex, and the run is recorded as cancelled", async () => {
    const { bin, started } = await markingCodex(`true`);
    const manager = await managerOf(bin);
    const gaveUp = new AbortController();
    const handOver = Lease.prototype.handOver;
    // the host gives up once the supervisor is spawned, before it has read its job
    vi.spyOn(Lease.prototype, "handOver").mockImplementation(async function (this: Lease, ...args) {
      await handOver.apply(this, args);
      gaveUp.abort("the host's tool timeout");
    });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-races-cwd-"));
    const runId = await manager.start({ ...request(cwd), signal: gaveUp.signal });
    const ended = await manager.registry.wait(runId, 60_000);
    // before: Codex was started (and the run completed, its id given to nobody)
    expect([ended?.status, ended?.error, ended?.exit_code]).toEqual([
      "cancelled",
      "cancelled: the client cancelled the request (before Codex was started)",
      null,
    ]);
    expect(existsSync(started)).toBe(false);
    const [entry] = await manager.registry.ledger.runs();
    expect([entry?.start.pgid, entry?.end?.status]).toEqual([null, "cancelled"]);
    const scheduler = new Scheduler(manager.config.stateDir, 1, 0);
    expect(
      await until(
        () => scheduler.live(),
        (live) => live.length === 0,
      ),
    ).toEqual([]);
  });
});
