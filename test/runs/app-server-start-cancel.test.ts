// engine "app-server": the call that asked for a run is cancelled while its supervisor starts. As for exec
// (start-races.test.ts), the supervisor finds the cancel request before it would spawn `codex app-server`
// and starts nothing. The real CLI (pinned) against the fake model, behind a wrapper that marks each run it
// starts (the server's probe of the app-server carries no run marker); a hook, not a clock, cancels.
import { existsSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RunManager } from "../../src/runs/run-manager.js";
import { Lease, Scheduler } from "../../src/runs/scheduler.js";
import { codexEnv, makeCodexHome } from "../support/codex-home.js";
import { markingCodex } from "../support/stub-codex.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";
import { testConfig } from "../support/mcp.js";
import { until } from "../support/run-views.js";

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => {
  await model.close();
});
afterEach(() => void vi.restoreAllMocks());

describe("engine app-server: the call is cancelled while its run's supervisor starts", () => {
  it("starts no codex app-server, and the run is recorded as cancelled", async () => {
    const { home, workdir } = await makeCodexHome(model.url, "as-cancel");
    const { bin, started } = await markingCodex("ccm-as-cancel-");
    const { runner } = testConfig({ codexHome: home, codexBin: bin, engine: "app-server", childEnv: codexEnv(home) });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const gaveUp = new AbortController();
    const handOver = Lease.prototype.handOver;
    // the host gives up once the supervisor is spawned, before it has read its job
    vi.spyOn(Lease.prototype, "handOver").mockImplementation(async function (this: Lease, ...args) {
      await handOver.apply(this, args);
      gaveUp.abort("the host's tool timeout");
    });
    const runId = await manager.start({
      prompt: "say hi",
      cwd: workdir,
      mode: "read-only",
      skipGitRepoCheck: true,
      engine: "app-server",
      signal: gaveUp.signal,
    });
    const ended = await manager.registry.wait(runId, 60_000);
    // with the supervisor's look before the spawn removed: codex app-server was started, then stopped by the
    // cancel poll ("cancelled: the client cancelled the request", a pgid recorded)
    expect([ended?.status, ended?.error, ended?.exit_code, ended?.session_id]).toEqual([
      "cancelled",
      "cancelled: the client cancelled the request (before Codex was started)",
      null,
      null,
    ]);
    expect([existsSync(started), model.requests.length]).toEqual([false, 0]);
    const [entry] = await manager.registry.ledger.runs();
    expect([entry?.start.pgid, entry?.start.argv.slice(1), entry?.end?.status]).toEqual([
      null,
      ["app-server"],
      "cancelled",
    ]);
    const scheduler = new Scheduler(manager.config.stateDir, 1, 0);
    expect(
      await until(
        () => scheduler.live(),
        (live) => live.length === 0,
      ),
    ).toEqual([]);
  });
});
