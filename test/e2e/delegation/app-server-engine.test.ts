// engine "app-server" end to end: the real CLI's `codex app-server`, driven by the run's supervisor, against
// the fake model; steered, cancelled cleanly, and its approvals answered by a person (elicitation), by the
// caller (only where allowed), from a second server, or declined on timeout.
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { codexVersion, PINNED_CODEX } from "../../support/codex-versions.js";
import { PIXEL_PNG, requestInputs, startFakeModel, userTexts, type FakeModel } from "../../support/fake-model.js";
import { connect, testConfig, textOf, type ClientOptions, type Connected, type TestConfig } from "../../support/mcp.js";
import { pasted, withPrompt } from "../../support/pasted.js";

let model: FakeModel;
let home: string;
let workdir: string;
let stateDir: string;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "engine"));
  stateDir = testConfig({ codexHome: home }).runner.stateDir;
});
afterAll(async () => {
  await model.close();
});

/** A server on the pinned CLI sharing this file's state dir; closed by the caller. */
function server(settings: Partial<TestConfig> & { allowCallerApprovals?: boolean } = {}, client?: ClientOptions) {
  const { allowCallerApprovals, ...runner } = settings;
  const config = testConfig({
    codexHome: home,
    codexBin: PINNED_CODEX,
    stateDir,
    engine: "app-server",
    approvalTimeoutMs: 60_000,
    ...runner,
    childEnv: codexEnv(home),
  });
  return connect({ ...config, allowCallerApprovals: allowCallerApprovals === true }, client);
}

function viewOf(result: Awaited<ReturnType<Connected["call"]>>): RunView {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as RunView;
}

async function start(mcp: Connected, prompt: string, extra: Record<string, unknown> = {}): Promise<RunView> {
  return viewOf(
    await mcp.call("run_codex", { cwd: workdir, skip_git_repo_check: true, background: true, prompt, ...extra }),
  );
}

/** Polls run_status until `done` says so (no sleeps on a clock: the run's own published state decides). */
async function until(mcp: Connected, runId: string, done: (view: RunView) => boolean): Promise<RunView> {
  for (;;) {
    const view = viewOf(await mcp.call("run_status", { run_id: runId }));
    if (done(view)) return view;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ended = (view: RunView) => view.status !== "running";

describe('engine "app-server" with the real Codex CLI', () => {
  it("a run outside a git repository, which the app-server starts without the check, resumes on exec with it skipped", async () => {
    const mcp = await server();
    try {
      // no skip_git_repo_check: `codex exec` would refuse here, the app-server does not check
      const app = viewOf(await mcp.call("run_codex", { cwd: workdir, prompt: "RUN:echo outside" }));
      expect(app).toMatchObject({ status: "completed", engine: "app-server" });
      expect(app.resume_command).toBe(
        `CODEX_HOME=${home} ${PINNED_CODEX} exec --cd ${workdir} --sandbox workspace-write --skip-git-repo-check -c sandbox_workspace_write.exclude_slash_tmp=true -c sandbox_workspace_write.exclude_tmpdir_env_var=true resume ${app.session_id} 'Continue where you left off.'`,
      );
      const { code, stderr } = await pasted(withPrompt(app.resume_command ?? "", "RUN:echo pasted"), codexEnv(home));
      expect(code, stderr).toBe(0);
      const resumed = viewOf(
        await mcp.call("resume_session", { session_id: app.session_id, prompt: "RUN:echo again", engine: "exec" }),
      );
      expect(resumed).toMatchObject({ status: "completed", engine: "exec", session_id: app.session_id, error: null });
    } finally {
      await mcp.close();
    }
  });

  it("completes a run with the run shape of exec, plus the engine and live numbers", async () => {
    const mcp = await server();
    try {
      const exec = viewOf(
        await mcp.call("run_codex", { cwd: workdir, skip_git_repo_check: true, engine: "exec", prompt: "RUN:echo hi" }),
      );
      const app = viewOf(
        await mcp.call("run_codex", { cwd: workdir, skip_git_repo_check: true, prompt: "RUN:echo hi" }),
      );
      expect(exec).toMatchObject({ status: "completed", engine: "exec", final_message: "Done. The tool said: hi" });
      expect(app).toMatchObject({
        status: "completed",
        engine: "app-server",
        mode: "sandboxed",
        final_message: "Done. The tool said: hi",
        error: null,
        pending_approvals: [],
        approvals: [],
        error_info: null,
        usage: { input: 2700, cached_input: 675, output: 100, reasoning_output: 50, total: 2800 },
        live: {
          usage: { total_tokens: 2800, last_total_tokens: 1540, context_window: 258400, context_used_percent: 0.6 },
          rate_limits: { primary: { used_percent: 13, window_minutes: 300 }, plan_type: null },
        },
        effective: { sandbox: "workspace-write", approval_policy: "never", mismatch: false },
      });
      expect(app.usage).toEqual(exec.usage);
      expect(app.session_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(app.resume_command).toContain(app.session_id);
      // the same shape: every field of an exec run, and only the app-server's own ones more
      const extra = Object.keys(app).filter((key) => !(key in exec));
      expect(extra.sort()).toEqual(["approvals", "error_info", "live"]);
      expect(app.recent_events.map((event) => event.message)).toContain("running: /bin/bash -lc 'echo hi'");
      expect(app.recent_events.map((event) => event.message)).toContain(
        "live: tokens 2800 (context 1540/258400) · 5h 13% · weekly 40%",
      );
      // resumed on the app-server too: the same session goes on (thread/resume)
      const resumed = viewOf(
        await mcp.call("resume_session", { session_id: app.session_id, prompt: "RUN:echo again", wait_ms: 60_000 }),
      );
      expect(resumed).toMatchObject({ status: "completed", engine: "app-server", session_id: app.session_id });
    } finally {
      await mcp.close();
    }
  });

  it("passes output_schema, images, model and config to the model request, as exec does", async () => {
    const mcp = await server();
    try {
      const image = join(workdir, "pixel.png");
      await writeFile(image, PIXEL_PNG);
      const before = model.requests.length;
      const view = viewOf(
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          prompt: "please answer in JSON",
          output_schema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] },
          images: [image],
          model: "mock-model",
          config: { model_reasoning_summary: "detailed" },
        }),
      );
      expect(view).toMatchObject({ status: "completed", engine: "app-server", effective: { model: "mock-model" } });
      expect(requestInputs(model.requests[before]!)).toMatchObject({
        model: "mock-model",
        format: "json_schema",
        schema: { properties: { ok: { type: "boolean" } }, required: ["ok"] },
        images: 1,
      });
    } finally {
      await mcp.close();
    }
  });

  it("steers the running turn: the message reaches the model's next request, verbatim and as data", async () => {
    const mcp = await server();
    try {
      const before = model.requests.length;
      const marker = join(dirname(workdir), "steer-pwned");
      const message = `STEERED: also list the files --config=x $(touch ${marker})\n\`touch ${marker}\``;
      const run = await start(mcp, "please STEPS: RUN:sleep 3 ;; SAY:first answer");
      await until(mcp, run.run_id, (view) => view.recent_events.some((event) => /sleep 3/.test(event.message)));
      const steered = await mcp.call("steer_run", { run_id: run.run_id, message });
      expect(steered.isError, textOf(steered)).toBeFalsy();
      const turnId = (steered.structuredContent as { steered_turn_id: string }).steered_turn_id;
      const view = await until(mcp, run.run_id, ended);
      expect(view.status).toBe("completed");
      // the turn it reached is the run's one turn, as the session recorded it
      const turnIds = readFileSync(view.rollout_path ?? "", "utf8").matchAll(/"turn_id":"([^"]+)"/g);
      expect([...new Set([...turnIds].map((match) => match[1]))]).toEqual([turnId]);
      const requests = model.requests.slice(before);
      expect(userTexts(requests.at(-1)!)).toContain(message);
      expect(existsSync(marker)).toBe(false);
      // an ended run is refused, saying to resume
      const late = await mcp.call("steer_run", { run_id: run.run_id, message: "too late" });
      expect(late.isError).toBe(true);
      expect(textOf(late)).toContain(
        `run ${run.run_id} has ended (completed); continue its session with resume_session`,
      );
    } finally {
      await mcp.close();
    }
  });

  it("refuses to steer an exec run, saying what to do instead", async () => {
    const mcp = await server();
    try {
      const run = await start(mcp, "HANG", { engine: "exec" });
      const refused = await mcp.call("steer_run", { run_id: run.run_id, message: "hello" });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain('steer_run needs engine "app-server"');
      expect(textOf(refused)).toContain("continue with resume_session");
      viewOf(await mcp.call("cancel_run", { run_id: run.run_id }));
    } finally {
      await mcp.close();
    }
  });

  it("cancels cleanly: the turn is interrupted and the session records it", async () => {
    const mcp = await server();
    try {
      const before = model.requests.length;
      const run = await start(mcp, "HANG");
      while (model.requests.length === before) await new Promise((resolve) => setTimeout(resolve, 50));
      const view = viewOf(await mcp.call("cancel_run", { run_id: run.run_id }));
      expect(view).toMatchObject({ status: "cancelled", error: "cancelled: cancel_run was called" });
      expect(view.recent_events.map((event) => event.message)).toContain("turn interrupted");
      const aborted = readFileSync(view.rollout_path ?? "", "utf8")
        .split("\n")
        .filter((line) => line.includes('"turn_aborted"'));
      expect(aborted).toHaveLength(1);
      expect(aborted[0]).toContain('"reason":"interrupted"');
    } finally {
      await mcp.close();
    }
  });
});

describe('mode "ask": approvals answered by a person, the caller, another server, or nobody', () => {
  const escalate = (file: string) => `please STEPS: ESCALATE:touch ${file} ;; SAY:finished`;

  it("asks the host's user through elicitation and obeys the answer", async () => {
    const asked: string[] = [];
    const mcp = await server({}, { capabilities: { elicitation: {} } });
    mcp.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: "accept", content: { decision: "approve" } };
    });
    try {
      const outside = join(dirname(workdir), "elicited.txt");
      const run = await start(mcp, escalate(outside), { mode: "ask" });
      const view = await until(mcp, run.run_id, ended);
      expect(view.status).toBe("completed");
      expect(existsSync(outside)).toBe(true);
      expect(view.effective).toMatchObject({
        sandbox: "workspace-write",
        approval_policy: "on-request",
        mismatch: false,
      });
      expect(view.approvals).toEqual([
        expect.objectContaining({
          approval_id: "a1",
          kind: "command",
          summary: `/bin/bash -lc 'touch ${outside}'`,
          decisions: ["approve", "cancel"],
          status: "answered",
          decision: "approve",
          answered_by: "user",
        }),
      ]);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain(`asks to run a command outside its sandbox: “/bin/bash -lc 'touch ${outside}'”`);
      expect(asked[0]).toContain("Its reason: “needs to write outside the workspace”");
    } finally {
      await mcp.close();
    }
  });

  it("lets the caller answer only with --allow-caller-approvals; a second server sharing the state dir answers", async () => {
    const first = await server();
    const second = await server({ allowCallerApprovals: true });
    try {
      const outside = join(dirname(workdir), "by-caller.txt");
      const run = await start(first, escalate(outside), { mode: "ask" });
      const waiting = await until(first, run.run_id, (view) => view.pending_approvals.length > 0);
      expect(waiting.pending_approvals.map((entry) => [entry.approval_id, entry.status])).toEqual([["a1", "pending"]]);
      expect(textOf(await first.call("run_status", { run_id: run.run_id }))).toContain("Approval a1 pending: command");
      // the first server does not let its caller answer: refused, and the approval stays pending
      const refused = await first.call("respond_approval", {
        run_id: run.run_id,
        approval_id: "a1",
        decision: "approve",
      });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain("respond_approval is disabled on this server");
      expect(viewOf(await first.call("run_status", { run_id: run.run_id })).pending_approvals).toHaveLength(1);
      // hostile ids are refused as data
      const forged = await second.call("respond_approval", {
        run_id: run.run_id,
        approval_id: "../../state",
        decision: "approve",
      });
      expect(textOf(forged)).toContain("“../../state” is not an approval id");
      const answered = viewOf(
        await second.call("respond_approval", { run_id: run.run_id, approval_id: "a1", decision: "approve" }),
      );
      expect(answered.approvals?.[0]).toMatchObject({ status: "answered", answered_by: "caller" });
      const view = await until(first, run.run_id, ended);
      expect(view.status).toBe("completed");
      expect(existsSync(outside)).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("declines an approval nobody answers in time, and the diagnosis says so", async () => {
    const mcp = await server({ approvalTimeoutMs: 1500 });
    try {
      const outside = join(dirname(workdir), "timed-out.txt");
      const run = await start(mcp, escalate(outside), { mode: "ask" });
      const view = await until(mcp, run.run_id, ended);
      expect(view.status).toBe("completed");
      expect(existsSync(outside)).toBe(false);
      expect(view.approvals?.[0]).toMatchObject({ status: "timed_out", decision: "decline", answered_by: "timeout" });
      expect(view.recent_events.map((event) => event.message)).toContain(
        "approval a1 declined: nobody answered within 2 s (--approval-timeout-ms)",
      );
      const summary = await mcp.call("session_summary", { session_id: view.session_id });
      const diagnosis = (summary.structuredContent as { diagnosis: { category: string; evidence: string[] } })
        .diagnosis;
      expect(diagnosis.category).toBe("approval_required");
      expect(diagnosis.evidence.join("\n")).toContain("was declined: nobody answered in time");
    } finally {
      await mcp.close();
    }
  });

  it("lets a person answer from a terminal (codex-control-mcp approve), as the operator", async () => {
    const mcp = await server();
    try {
      const outside = join(dirname(workdir), "by-operator.txt");
      const run = await start(mcp, escalate(outside), { mode: "ask" });
      await until(mcp, run.run_id, (view) => view.pending_approvals.length > 0);
      const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "dist", "cli.js");
      const env = { PATH: process.env.PATH ?? "", HOME: home, CODEX_HOME: home, CODEX_CONTROL_STATE_DIR: stateDir };
      const usage = await promisify(execFile)(process.execPath, [cli, "approve", run.run_id, "a1", "yes"], {
        env,
      }).catch((error: { code: number; stderr: string }) => error);
      expect(usage).toMatchObject({ code: 2 });
      expect((usage as { stderr: string }).stderr).toContain(
        "the decision must be one of approve, approve_for_session, decline, cancel",
      );
      const { stdout } = await promisify(execFile)(process.execPath, [cli, "approve", run.run_id, "a1", "approve"], {
        env,
      });
      expect(stdout).toContain(`Run ${run.run_id}`);
      const view = await until(mcp, run.run_id, ended);
      expect(view.approvals?.[0]).toMatchObject({ status: "answered", decision: "approve", answered_by: "operator" });
      expect(existsSync(outside)).toBe(true);
    } finally {
      await mcp.close();
    }
  });

  it('refuses mode "ask" on the exec engine, and an older CLI without the app-server', async () => {
    const mcp = await server();
    try {
      const exec = await mcp.call("run_codex", { cwd: workdir, prompt: "x", mode: "ask", engine: "exec" });
      expect(textOf(exec)).toContain('mode "ask" needs engine "app-server"');
    } finally {
      await mcp.close();
    }
    const old = await server({ codexBin: await codexVersion("0.39.0") });
    try {
      const refused = await old.call("run_codex", { cwd: workdir, skip_git_repo_check: true, prompt: "x" });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain('use engine "exec"');
    } finally {
      await old.close();
    }
  });
});
