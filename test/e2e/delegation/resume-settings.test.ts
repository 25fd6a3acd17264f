// resume_session and the session's model and reasoning effort. Without `--model`, Codex 0.171 resumes a session on
// the home's default model ("This session was recorded with model `mock-model-2` but is resuming with
// `mock-model`"), and without an effort on the model's default: a session that ran another model, or at another
// effort, went on with different ones. Real CLI, the fake model recording each request's model and effort.
import { readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { RunLedger } from "../../../src/contract/index.js";
import { readRunState } from "../../../src/runs/registry.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";
import { pasted, withPrompt } from "../../support/pasted.js";

let model: FakeModel;
let mcp: Connected;
let workdir: string;
let home: string;

beforeAll(async () => {
  model = await startFakeModel();
  const made = await makeCodexHome(model.url, "resume-settings");
  ({ workdir, home } = made);
  mcp = await connect(testConfig({ codexHome: made.home, codexBin: PINNED_CODEX, childEnv: codexEnv(made.home) }));
});
afterAll(async () => {
  await mcp.close();
  await model.close();
});

function viewOf(result: Awaited<ReturnType<Connected["call"]>>): RunView {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as RunView;
}

/** A session started with these run_codex settings (the prompt "please say hi"); its view. */
async function sessionWith(settings: Record<string, unknown>): Promise<RunView> {
  return viewOf(
    await mcp.call("run_codex", { cwd: workdir, skip_git_repo_check: true, prompt: "please say hi", ...settings }),
  );
}

/** A completed session that ran `-m mock-model-2` (the home's default is mock-model). */
async function sessionOnModel2(engine: "exec" | "app-server"): Promise<RunView> {
  const view = await sessionWith({ model: "mock-model-2", engine });
  expect(view).toMatchObject({ status: "completed", effective: { model: "mock-model-2" } });
  return view;
}

describe("resume_session without a model", () => {
  it("goes on with the session's model, not the home's default (exec)", async () => {
    const sessionId = (await sessionOnModel2("exec")).session_id;
    const before = model.requests.length;
    const result = await mcp.call("resume_session", { session_id: sessionId, prompt: "please say more" });
    const resumed = viewOf(result);
    // before: "mock-model", the home's default (Codex warned "recorded with model `mock-model-2` but is resuming")
    expect(model.requests[before]?.model).toBe("mock-model-2");
    expect(resumed).toMatchObject({
      status: "completed",
      session_id: sessionId,
      effective: { model: "mock-model-2", mismatch: false },
    });
    expect(result.structuredContent?.resume_note).toBeNull();
    const ledger = await new RunLedger(mcp.config.runner.stateDir).find(resumed.run_id);
    expect(ledger?.start.argv).toContain("--model=mock-model-2");
    // a model the caller names goes on instead, as `model` or in `config`
    const next = model.requests.length;
    viewOf(await mcp.call("resume_session", { session_id: sessionId, prompt: "please say hi", model: "mock-model-3" }));
    expect(model.requests[next]?.model).toBe("mock-model-3");
    const configured = model.requests.length;
    viewOf(
      await mcp.call("resume_session", {
        session_id: sessionId,
        prompt: "please say hi",
        config: { model: "mock-model-4" },
      }),
    );
    expect(model.requests[configured]?.model).toBe("mock-model-4");
  }, 120_000);

  it("goes on with the session's model (app-server: thread/resume's model)", async () => {
    const sessionId = (await sessionOnModel2("app-server")).session_id;
    const before = model.requests.length;
    const resumed = viewOf(
      await mcp.call("resume_session", { session_id: sessionId, prompt: "please say more", engine: "app-server" }),
    );
    // 0.171's app-server already resumed on the recorded model when thread/resume's model was null (this passed
    // before the fix); it is asked for now all the same, as exec asks for it
    expect(model.requests[before]?.model).toBe("mock-model-2");
    expect(resumed).toMatchObject({ status: "completed", engine: "app-server", effective: { model: "mock-model-2" } });
    expect((await readRunState(mcp.config.runner.stateDir, resumed.run_id))?.model).toBe("mock-model-2");
  }, 120_000);

  it("passes no model a log names with a control character, and says so", async () => {
    const { session_id: sessionId, rollout_path: path } = await sessionOnModel2("exec");
    const text = await readFile(path ?? "", "utf8");
    // a log whose turn_context says the model is "mock<BEL>model-2"
    await writeFile(path ?? "", text.replaceAll('"model":"mock-model-2"', '"model":"mock\\u0007model-2"'));
    const before = model.requests.length;
    const result = await mcp.call("resume_session", { session_id: sessionId, prompt: "please say more" });
    const resumed = viewOf(result);
    expect(model.requests[before]?.model).toBe("mock-model");
    const ledger = await new RunLedger(mcp.config.runner.stateDir).find(resumed.run_id);
    expect(ledger?.start.argv.filter((arg) => arg.startsWith("--model"))).toEqual([]);
    const note =
      "The session's last turn names model \"mock\\u0007model-2\", which contains a control character (a NUL, a line break, …): it is not passed to Codex, and the session goes on with Codex's default model; pass model to choose one.";
    expect(result.structuredContent?.resume_note).toBe(note);
    expect(textOf(result).split("\n").at(-1)).toBe(`Note: ${note}`);
  }, 120_000);
});

describe("resume_session without a reasoning effort", () => {
  it.each(["exec", "app-server"] as const)(
    "goes on with the session's effort (%s)",
    async (engine) => {
      // a model Codex has metadata for: it sends mock-model no effort
      const view = await sessionWith({ model: "gpt-5.5", reasoning_effort: "high", engine });
      expect(model.requests.at(-1)?.reasoning).toMatchObject({ effort: "high" });
      const before = model.requests.length;
      viewOf(await mcp.call("resume_session", { session_id: view.session_id, prompt: "please say more", engine }));
      // before: "medium", gpt-5.5's default
      expect(model.requests[before]).toMatchObject({ model: "gpt-5.5", reasoning: { effort: "high" } });
    },
    120_000,
  );
});

describe("resume_session with another model and no reasoning effort", () => {
  it("does not put the session's effort on that model", async () => {
    const view = await sessionWith({ model: "gpt-5.5", reasoning_effort: "xhigh" });
    const before = model.requests.length;
    const result = await mcp.call("resume_session", {
      session_id: view.session_id,
      prompt: "please say more",
      model: "gpt-5.1-codex-mini",
    });
    viewOf(result);
    // before: effort "xhigh", the session's, which gpt-5.1-codex-mini does not take; now none: its own default
    expect(model.requests[before]?.model).toBe("gpt-5.1-codex-mini");
    expect(model.requests[before]?.reasoning).toEqual({ summary: "auto" });
    expect(result.structuredContent?.resume_note).toBe(
      'The session\'s last turn ran model "gpt-5.5" at reasoning effort "xhigh", which is not passed to model "gpt-5.1-codex-mini" (another model may not take it): it goes on at that model\'s default effort; pass reasoning_effort to choose one.',
    );
  }, 120_000);
});

describe("the run's printed resume command", () => {
  it("names the model the run asked for, and pasted goes on with it", async () => {
    const view = await sessionOnModel2("exec");
    // before: no --model, and the pasted command resumed on mock-model
    expect(view.resume_command).toBe(
      `CODEX_HOME=${home} ${PINNED_CODEX} exec --cd ${workdir} --sandbox workspace-write --skip-git-repo-check --model mock-model-2 -c sandbox_workspace_write.exclude_slash_tmp=true -c sandbox_workspace_write.exclude_tmpdir_env_var=true resume ${view.session_id} 'Continue where you left off.'`,
    );
    const before = model.requests.length;
    const { code, stderr } = await pasted(withPrompt(view.resume_command ?? "", "please say more"), codexEnv(home));
    expect(code, stderr).toBe(0);
    expect(model.requests[before]?.model).toBe("mock-model-2");
  }, 120_000);
});
