// A background run_codex whose call is cancelled after the run started but before the call answered (the
// call is the run, as for a waiting call); respond_approval on a status a later version wrote. Real pinned
// Codex CLI (its run's app-server never gets through its handshake: the run stays silent), fake model.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { processesOfRun } from "../../../src/codex/processes.js";
import { RunManager, type RunView } from "../../../src/runs/run-manager.js";
import { Scheduler } from "../../../src/runs/scheduler.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { until, viewOf } from "../../support/run-views.js";
import { stuckAppServer } from "../../support/stub-codex.js";
import { connect, testConfig, textOf } from "../../support/mcp.js";

let model: FakeModel;
let home: string;
let workdir: string;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "edges-c"));
});
afterAll(async () => model.close());

describe("a background run_codex cancelled before it answered", () => {
  it("cancels the run it started, as a waiting call does; nothing is left running", async () => {
    const config = testConfig({
      codexHome: home,
      codexBin: await stuckAppServer(),
      engine: "app-server",
      childEnv: codexEnv(home),
    });
    const mcp = await connect(config);
    let runId: string | undefined;
    try {
      const gaveUp = new AbortController();
      const call = mcp
        .call(
          "run_codex",
          { cwd: workdir, skip_git_repo_check: true, mode: "read-only", background: true, prompt: "please say hi" },
          { signal: gaveUp.signal },
        )
        .catch((error: unknown) => String(error));
      // started (in the ledger), its session not yet named: the background call still waits
      const [started] = await until(
        async () => ((await mcp.call("run_status", {})).structuredContent as { runs: RunView[] }).runs,
        (runs) => runs.length === 1,
      );
      runId = started!.run_id;
      gaveUp.abort("the user stopped the call");
      expect(await call).toContain("the user stopped the call");
      // before: the run went on, its id given to nobody
      const ended = viewOf(await mcp.call("run_status", { run_id: started!.run_id, wait_ms: 30_000 }));
      expect([ended.status, ended.error]).toEqual(["cancelled", "cancelled: the client cancelled the request"]);
      expect(await processesOfRun(ended.run_id)).toEqual([]);
    } finally {
      if (runId) await mcp.call("cancel_run", { run_id: runId });
      await mcp.close();
    }
  });
});

describe("a run_codex cancelled just as its run took a slot", () => {
  it("starts nothing (before: Codex was started, then cancelled at once)", async () => {
    const mcp = await connect(
      testConfig({ codexHome: home, codexBin: PINNED_CODEX, engine: "exec", childEnv: codexEnv(home) }),
    );
    const gaveUp = new AbortController();
    const acquire = Scheduler.prototype.acquire;
    // the host gives up right after the queue handed the run its slot, before its supervisor is spawned
    const slot = vi.spyOn(Scheduler.prototype, "acquire").mockImplementation(async function (this: Scheduler, ...args) {
      const lease = await acquire.apply(this, args);
      gaveUp.abort("the host's tool timeout");
      return lease;
    });
    const begin = RunManager.prototype.start;
    let started: Promise<string> | undefined;
    const start = vi.spyOn(RunManager.prototype, "start").mockImplementation(function (this: RunManager, ...args) {
      started = begin.apply(this, args);
      return started;
    });
    try {
      const call = await mcp
        .call(
          "run_codex",
          { cwd: workdir, skip_git_repo_check: true, mode: "read-only", prompt: "please say hi" },
          { signal: gaveUp.signal },
        )
        .catch((error: unknown) => String(error));
      expect(call).toContain("the host's tool timeout");
      expect(await started!.catch((error: unknown) => (error instanceof Error ? error.message : String(error)))).toBe(
        "the request was cancelled before the run's supervisor was started; nothing was started.",
      );
      const { runs } = (await mcp.call("run_status", {})).structuredContent as { runs: RunView[] };
      expect(runs).toEqual([]);
    } finally {
      slot.mockRestore();
      start.mockRestore();
      await mcp.close();
    }
  });
});

describe("respond_approval on an approval in a status a later version wrote", () => {
  it("says the status is unknown here, not that it was answered (by nobody)", async () => {
    const config = testConfig({
      codexHome: home,
      codexBin: await stuckAppServer(),
      engine: "app-server",
      childEnv: codexEnv(home),
    });
    const mcp = await connect({ ...config, allowCallerApprovals: true });
    let runId: string | undefined;
    try {
      // running, and silent (its app-server never handshakes): its supervisor publishes nothing new meanwhile
      const run = viewOf(
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          mode: "ask",
          wait_ms: 500,
          prompt: "please say hi",
        }),
      );
      runId = run.run_id;
      expect(run.status).toBe("running");
      const path = join(config.runner.stateDir, "runs", run.run_id, "state.json");
      const state = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
      const later = {
        approval_id: "a1",
        kind: "command",
        summary: "touch x",
        cwd: null,
        reason: null,
        decisions: ["approve", "decline"],
        requested_at: "2026-12-05T10:00:00.000Z",
        status: "withdrawn",
        decision: null,
        answered_by: null,
        answered_at: null,
      };
      await writeFile(path, JSON.stringify({ ...state, approvals: [later] }));
      const refused = await mcp.call("respond_approval", {
        run_id: run.run_id,
        approval_id: "a1",
        decision: "approve",
      });
      // before: "approval a1 of run … was already answered (null by null)."
      expect([refused.isError, textOf(refused)]).toEqual([
        true,
        `approval a1 of run ${run.run_id} is in a status this version does not know (a later version of codex-control-mcp wrote it): it cannot be answered here.`,
      ]);
    } finally {
      if (runId) await mcp.call("cancel_run", { run_id: runId });
      await mcp.close();
    }
  });
});
