// Over MCP (the SDK client, an in-process server): the client cancels its run_codex call while the run's
// supervisor starts. The server's call signal aborts, it leaves the supervisor a cancel request, and the
// supervisor starts no Codex: the run is recorded as cancelled. The real CLI (pinned) against the fake model,
// behind a wrapper that marks each run it starts; hooks, not a clock, place the cancel.
import { existsSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RunManager } from "../../../src/runs/run-manager.js";
import { Lease } from "../../../src/runs/scheduler.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { markingCodex } from "../../support/stub-codex.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect } from "../../support/mcp.js";
import { until } from "../../support/run-views.js";

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => {
  await model.close();
});
afterEach(() => void vi.restoreAllMocks());

describe("the MCP client cancels run_codex while the run's supervisor starts", () => {
  it("starts no Codex; the run is recorded as cancelled", async () => {
    const { home, workdir } = await makeCodexHome(model.url, "client-cancel");
    const { bin, started } = await markingCodex("ccm-client-cancel-");
    const mcp = await connect({ codexHome: home, codexBin: bin, childEnv: codexEnv(home) });
    try {
      // the server's signal for the call, seen where the run starts
      let callSignal: AbortSignal | undefined;
      const start = RunManager.prototype.start;
      vi.spyOn(RunManager.prototype, "start").mockImplementation(function (this: RunManager, request) {
        callSignal = request.signal;
        return start.call(this, request);
      });
      const client = new AbortController();
      const handOver = Lease.prototype.handOver;
      // the client gives up once the supervisor is spawned, before it has read its job; the server has heard it
      vi.spyOn(Lease.prototype, "handOver").mockImplementation(async function (this: Lease, ...args) {
        await handOver.apply(this, args);
        client.abort("the user pressed stop");
        const signal = callSignal!;
        if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      });
      const answered = await mcp
        .call(
          "run_codex",
          { prompt: "say hi", cwd: workdir, skip_git_repo_check: true },
          {
            signal: client.signal,
          },
        )
        .then(
          () => "answered",
          (error: unknown) => (error instanceof Error ? error.name : String(error)),
        );
      expect(answered).not.toBe("answered");
      const { ledger } = new RunManager(mcp.config.runner).registry;
      const [entry] = await until(
        () => ledger.runs(),
        (runs) => runs.length === 1 && runs[0]!.end !== null,
      );
      // before the fix (no cancel request during the start wait): Codex was started (then cancelled)
      expect([entry?.end?.status, entry?.end?.error, entry?.start.pgid]).toEqual([
        "cancelled",
        "cancelled: the client cancelled the request (before Codex was started)",
        null,
      ]);
      expect([existsSync(started), model.requests.length]).toEqual([false, 0]);
    } finally {
      await mcp.close();
    }
  });
});
