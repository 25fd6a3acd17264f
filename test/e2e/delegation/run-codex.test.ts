// run_codex, resume_session, run_status and cancel_run driving the real pinned Codex CLI (its npm Node
// launcher and the native binary under it) against the local fake model.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { groupMembers, processesOfRun } from "../../../src/codex/processes.js";
import { RunLedger } from "../../../src/contract/index.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { PIXEL_PNG, requestInputs, startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";

let model: FakeModel;
let home: string;
let workdir: string;
let mcp: Connected;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "delegate"));
  mcp = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX, childEnv: codexEnv(home) }));
});
afterAll(async () => {
  await mcp.close();
  await model.close();
});

const run = async (args: Record<string, unknown>): Promise<RunView> => {
  const result = await mcp.call("run_codex", { cwd: workdir, skip_git_repo_check: true, ...args });
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as RunView;
};
const status = async (args: Record<string, unknown>): Promise<RunView> =>
  (await mcp.call("run_status", args)).structuredContent as unknown as RunView;

/** Asserts no process of the run is left: neither its process group nor anything carrying its marker. */
async function expectNoProcessesLeft(runId: string): Promise<void> {
  const recorded = await new RunLedger(mcp.config.runner.stateDir).find(runId);
  const pgid = recorded?.start.pgid;
  expect(pgid).toBeGreaterThan(0);
  expect(await groupMembers(pgid ?? 0)).toEqual([]);
  expect(await processesOfRun(runId)).toEqual([]);
}

describe("run_codex with the real Codex CLI", () => {
  let completed: RunView;

  it("runs a command to completion and reports everything about it", async () => {
    completed = await run({ prompt: "please RUN:echo hi; exit 3" });
    expect(completed).toMatchObject({
      status: "completed",
      exit_code: 0,
      signal: null,
      error: null,
      final_message: "Done. The tool said: hi",
      usage: { input: 2700, cached_input: 675, output: 100, reasoning_output: 50, total: 2800 },
      mode: "sandboxed",
      cwd: workdir,
      effective: {
        model: "mock-model",
        sandbox: "workspace-write",
        approval_policy: "never",
        cwd: workdir,
        mismatch: false,
        differences: [],
      },
    });
    expect(completed.session_id).toMatch(UUID);
    expect(completed.rollout_path).toMatch(
      new RegExp(`^${home}/sessions/\\d{4}/\\d{2}/\\d{2}/rollout-.*-${completed.session_id}\\.jsonl$`),
    );
    // pasteable anywhere: the run's CODEX_HOME and binary are named, and the git check it skipped is skipped again
    expect(completed.resume_command).toBe(
      `CODEX_HOME=${home} ${PINNED_CODEX} exec --cd ${workdir} --sandbox workspace-write --skip-git-repo-check -c sandbox_workspace_write.exclude_slash_tmp=true -c sandbox_workspace_write.exclude_tmpdir_env_var=true resume ${completed.session_id} 'Continue where you left off.'`,
    );
    expect(completed.recent_events.map((event) => event.message)).toContain("running: echo hi; exit 3");
    await expectNoProcessesLeft(completed.run_id);

    const ledger = await new RunLedger(mcp.config.runner.stateDir).find(completed.run_id);
    expect(ledger?.start).toMatchObject({ cwd: workdir, mode: "sandboxed", codex_version: "0.171.0", resume_of: null });
    expect(ledger?.start.argv).toEqual([
      PINNED_CODEX,
      "exec",
      "--json",
      `--cd=${workdir}`,
      "--sandbox=workspace-write",
      "--skip-git-repo-check",
      // the test's state dir and CODEX_HOME are under /tmp and $TMPDIR: the run may write neither
      "--config=sandbox_workspace_write.exclude_slash_tmp=true",
      "--config=sandbox_workspace_write.exclude_tmpdir_env_var=true",
      expect.stringMatching(/^--output-last-message=.*-last-message\.txt$/),
      "-",
    ]);
    expect(ledger?.end).toMatchObject({ status: "completed", session_id: completed.session_id, exit_code: 0 });
  });

  it("run_status names a session as every other tool does: a unique prefix, `last`, a rollout path", async () => {
    const sessionId = completed.session_id ?? "";
    expect((await status({ session_id: sessionId.slice(0, 23).toUpperCase() })).run_id).toBe(completed.run_id);
    expect((await status({ session_id: "last" })).run_id).toBe(completed.run_id);
    expect((await status({ session_id: completed.rollout_path })).run_id).toBe(completed.run_id);
    const unknown = await mcp.call("run_status", { session_id: "0199ffff-0000-7000-8000-000000000000" });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toBe(
      `no session "0199ffff-0000-7000-8000-000000000000" in CODEX_HOME (${home}). The 1 newest: ${sessionId}.`,
    );
  });

  it("a model error is `failed` with the model's own message", async () => {
    const failed = await run({ prompt: "please FAIL400" });
    expect(failed.status).toBe("failed");
    expect(failed.exit_code).toBe(1);
    expect(failed.error).toBe('{"error":{"message":"fake: invalid request","type":"invalid_request_error"}}');
    expect(failed.session_id).toMatch(UUID);

    // the session log alone does not hold the reason; the summary cites the ledger
    const summary = (await mcp.call("session_summary", { session_id: failed.session_id })).structuredContent as {
      diagnosis: { category: string; evidence: string[] };
    };
    expect(summary.diagnosis.category).toBe("model_error");
    expect(summary.diagnosis.evidence).toContain(
      `run ${failed.run_id} of this server ended failed: "fake: invalid request"`,
    );
  });

  it("a stream that never finishes times out: the group is killed, the session id and resume command kept", async () => {
    const hung = await run({ prompt: "please HANG", timeout_ms: 3000 });
    expect(hung.status).toBe("timeout");
    expect(hung.error).toBe("timed out: no result within 3000 ms");
    expect(hung.session_id).toMatch(UUID);
    expect(hung.resume_command).toContain(`resume ${hung.session_id}`);
    await expectNoProcessesLeft(hung.run_id);

    const summary = (await mcp.call("session_summary", { session_id: hung.session_id })).structuredContent as {
      diagnosis: { category: string; evidence: string[]; next_step: string };
    };
    expect(summary.diagnosis.category).toBe("timeout");
    expect(summary.diagnosis.evidence).toContain(
      `run ${hung.run_id} of this server ended timeout: "timed out: no result within 3000 ms"`,
    );
  });

  it("cancel_run stops a running command and everything under it; the session id is kept", async () => {
    const started = await run({ prompt: "please RUN:sleep 30", background: true });
    expect(started.status).toBe("running");
    expect(started.session_id).toMatch(UUID);
    let view = started;
    while (!view.recent_events.some((event) => event.message === "running: sleep 30")) {
      view = await status({ run_id: started.run_id, wait_ms: 200 });
    }
    expect((await processesOfRun(started.run_id)).length).toBeGreaterThan(1);
    const cancelled = (await mcp.call("cancel_run", { run_id: started.run_id }))
      .structuredContent as unknown as RunView;
    expect(cancelled).toMatchObject({
      status: "cancelled",
      session_id: started.session_id,
      error: "cancelled: cancel_run was called",
    });
    await expectNoProcessesLeft(started.run_id);

    const summary = (await mcp.call("session_summary", { session_id: started.session_id })).structuredContent as {
      status: string;
    };
    expect(summary.status).toBe("aborted");
  });

  it("background runs answer at once; run_status waits for the end", async () => {
    const started = await run({ prompt: "please RUN:sleep 1; echo bg", background: true });
    expect(started.status).toBe("running");
    const ended = await status({ run_id: started.run_id, wait_ms: 30_000 });
    expect(ended).toMatchObject({
      status: "completed",
      final_message: "Done. The tool said: bg",
      session_id: started.session_id,
    });
    expect(await status({ session_id: started.session_id })).toMatchObject({
      run_id: started.run_id,
      status: "completed",
    });
  });

  it("a foreground call past its wait answers `running` with the run_id, and the run goes on", async () => {
    const early = await run({ prompt: "please RUN:sleep 2; echo late", wait_ms: 300 });
    expect(early.status).toBe("running");
    expect(early.run_id).toMatch(/^run_/);
    expect(textOf(await mcp.call("run_status", { run_id: early.run_id }))).toContain(
      `Still running: call run_status with run_id "${early.run_id}"`,
    );
    expect(await status({ run_id: early.run_id, wait_ms: 30_000 })).toMatchObject({
      status: "completed",
      final_message: "Done. The tool said: late",
    });
  });

  it("sends progress notifications naming what Codex is doing", async () => {
    const messages: string[] = [];
    const result = await mcp.call(
      "run_codex",
      { cwd: workdir, skip_git_repo_check: true, prompt: "please RUN:echo progress" },
      { onprogress: (progress) => messages.push(progress.message ?? "") },
    );
    expect((result.structuredContent as { status: string }).status).toBe("completed");
    expect(messages).toContain("running: echo progress");
    expect(messages).toContain("agent: Done. The tool said: progress");
    expect(messages.at(-1)).toBe("ended: completed");
  });

  it("resume_session adds a turn to the same session, in its directory and sandbox", async () => {
    const resumed = (
      await mcp.call("resume_session", { session_id: completed.session_id, prompt: "please RUN:echo again" })
    ).structuredContent as unknown as RunView;
    expect(resumed).toMatchObject({
      status: "completed",
      session_id: completed.session_id,
      cwd: workdir,
      mode: "sandboxed",
      final_message: "Done. The tool said: again",
      rollout_path: completed.rollout_path,
      effective: { sandbox: "workspace-write", cwd: workdir, mismatch: false },
    });
    const ledger = await new RunLedger(mcp.config.runner.stateDir).find(resumed.run_id);
    expect(ledger?.start.argv.slice(-3)).toEqual(["resume", completed.session_id, "-"]);
    expect(ledger?.start.argv).toContain("--skip-git-repo-check");

    const summary = (await mcp.call("session_summary", { session_id: completed.session_id })).structuredContent as {
      turns: Array<{ prompt: string; status: string }>;
    };
    expect(summary.turns.map((turn) => [turn.prompt, turn.status])).toEqual([
      ["please RUN:echo hi; exit 3", "completed"],
      ["please RUN:echo again", "completed"],
    ]);

    const readOnly = (
      await mcp.call("resume_session", {
        session_id: (completed.session_id ?? "").slice(0, 13),
        prompt: "please say hello",
        mode: "read-only",
      })
    ).structuredContent as unknown as RunView;
    expect(readOnly).toMatchObject({
      status: "completed",
      session_id: completed.session_id,
      effective: { sandbox: "read-only", mismatch: false },
    });
  });

  it("passes output_schema, images, model and config through to the model request", async () => {
    const image = join(workdir, "pixel.png");
    await writeFile(image, PIXEL_PNG);
    const before = model.requests.length;
    const view = await run({
      prompt: "please answer in JSON",
      output_schema: {
        type: "object",
        properties: { ok: { type: "boolean" } },
        required: ["ok"],
        additionalProperties: false,
      },
      images: [image],
      model: "mock-model",
      config: { model_reasoning_summary: "detailed" },
    });
    expect(view).toMatchObject({
      status: "completed",
      final_message: "plain answer",
      effective: { model: "mock-model", mismatch: false },
    });
    expect(requestInputs(model.requests[before]!)).toMatchObject({
      model: "mock-model",
      format: "json_schema",
      schema: { properties: { ok: { type: "boolean" } }, required: ["ok"] },
      images: 1,
    });
  });

  it("refuses full-access unless the operator allowed it", async () => {
    const refused = await mcp.call("run_codex", { cwd: workdir, prompt: "anything", mode: "full-access" });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe(
      'mode "full-access" is disabled on this server: the operator must start it with --allow-full-access (or CODEX_CONTROL_ALLOW_FULL_ACCESS=1). Use mode "sandboxed" (workspace-write sandbox) or "read-only" instead.',
    );
  });

  it("a fresh server reads the ledger: run_status answers for runs of the previous process", async () => {
    const fresh = await connect({ ...mcp.config, runner: { ...mcp.config.runner } });
    try {
      const view = (await fresh.call("run_status", { run_id: completed.run_id }))
        .structuredContent as unknown as RunView;
      expect(view).toMatchObject({
        run_id: completed.run_id,
        status: "completed",
        session_id: completed.session_id,
        final_message: "Done. The tool said: hi",
        exit_code: 0,
        cwd: workdir,
      });
      const list = (await fresh.call("run_status", {})).structuredContent as { runs: RunView[] };
      expect(list.runs.map((r) => r.run_id)).toContain(completed.run_id);
      const cancel = await fresh.call("cancel_run", { run_id: completed.run_id });
      expect(cancel.structuredContent).toMatchObject({ run_id: completed.run_id, status: "completed" });
      expect(textOf(cancel).split("\n")[0]).toBe(
        `Nothing to cancel: run ${completed.run_id} already ended (completed).`,
      );
    } finally {
      await fresh.close();
    }
  });

  it("the rollout and the ledger agree, and the ledger is one JSON record per line", async () => {
    const text = await readFile(new RunLedger(mcp.config.runner.stateDir).path, "utf8");
    const records = text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string });
    expect(records.filter((r) => r.type === "start").length).toBe(records.filter((r) => r.type === "end").length);
    expect(existsSync(completed.rollout_path ?? "")).toBe(true);
  });
});
