// A patch a person declined (engine "app-server", mode "ask": approval on-request, the approval answered
// "decline"), real CLI 0.171 with the fake model (`gpt-5.5` is offered apply_patch).
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { lastCalls } from "../../../src/sessions/calls.js";
import { diagnose } from "../../../src/sessions/diagnosis.js";
import { normalizeLine } from "../../../src/sessions/normalize.js";
import { foldEvents } from "../../../src/sessions/session-model.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";
import { pasted } from "../../support/pasted.js";

let model: FakeModel;
let home: string;
let workdir: string;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "declined-patch"));
});
afterAll(async () => model.close());

function viewOf(result: Awaited<ReturnType<Connected["call"]>>): RunView {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as RunView;
}

async function until(mcp: Connected, runId: string, done: (view: RunView) => boolean): Promise<RunView> {
  for (;;) {
    const view = viewOf(await mcp.call("run_status", { run_id: runId }));
    if (done(view)) return view;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A run of `prompt` in mode "ask" whose first approval is declined by the caller; the ended run's view. */
async function declined(mcp: Connected, prompt: string): Promise<RunView> {
  const run = viewOf(
    await mcp.call("run_codex", {
      cwd: workdir,
      skip_git_repo_check: true,
      background: true,
      mode: "ask",
      model: "gpt-5.5",
      prompt,
    }),
  );
  await until(mcp, run.run_id, (view) => view.pending_approvals.length > 0);
  viewOf(await mcp.call("respond_approval", { run_id: run.run_id, approval_id: "a1", decision: "decline" }));
  return until(mcp, run.run_id, (view) => view.status !== "running");
}

interface Answers {
  calls: Array<{ name: string; output: string | null; status: string }>;
  diagnosis: {
    category: string;
    evidence: string[];
    next_step: string;
    next_command: string;
    failed_commands: unknown[];
    sandbox_denials: unknown[];
  };
}

async function answers(mcp: Connected, sessionId: string): Promise<Answers> {
  const calls = (await mcp.call("last_function_calls", { session_id: sessionId }))
    .structuredContent as unknown as Answers;
  const summary = (await mcp.call("session_summary", { session_id: sessionId }))
    .structuredContent as unknown as Answers;
  return { calls: calls.calls, diagnosis: summary.diagnosis };
}

// Before: the patch's call read "failed" with "(no exit code)" and the diagnosis said command_failures ("fix the
// cause and run them again"), unlike a declined command approval; 0.171's declined command itself (its output
// `exec_command failed: CreateProcess { message: "Rejected(\"rejected by user\")" }`) read the same way. Both
// are now what a declined command approval was: an escalation refused, sandbox_blocked.
describe("an approval a person declined (engine app-server, mode ask)", () => {
  let mcp: Connected;
  beforeAll(async () => {
    const config = testConfig({
      codexHome: home,
      codexBin: PINNED_CODEX,
      engine: "app-server",
      approvalTimeoutMs: 60_000,
      childEnv: codexEnv(home),
    });
    mcp = await connect({ ...config, allowCallerApprovals: true });
  });
  afterAll(async () => mcp.close());

  it("a patch (0.171: 'patch rejected by user') is a declined call: sandbox_blocked, not a failed command", async () => {
    const view = await declined(mcp, "STEPS: PATCH:../declined.txt ;; SAY:tried");
    expect(existsSync(join(dirname(workdir), "declined.txt"))).toBe(false);
    const { calls, diagnosis } = await answers(mcp, view.session_id ?? "");
    expect(calls.map(({ name, output, status }) => [name, output, status])).toEqual([
      ["apply_patch", "patch rejected by user", "failed"],
    ]);
    expect(diagnosis).toMatchObject({
      category: "sandbox_blocked",
      failed_commands: [],
      sandbox_denials: [
        { call_id: "call_1", command: "apply_patch", kind: "escalation", target: null, mode: "workspace-write" },
      ],
    });
    expect(diagnosis.evidence).toEqual([
      "turn 1 completed, but the sandbox (workspace-write) or the approval policy refused 1 action(s)",
      'the agent\'s last message: "tried"',
      'blocked: "apply_patch": a person declined its approval when Codex asked (it did not run)',
    ]);
    expect(diagnosis.next_step).toMatch(
      /^A person declined what Codex asked approval for: that is their answer, not a sandbox to widen\. /,
    );
  }, 60_000);

  // Before: the step said "do it only if they agree now" but its command was the bypass itself
  // (`--dangerously-bypass-approvals-and-sandbox … 'The sandbox is off now; run the blocked commands again.'`):
  // an agent acting on next_command did what the person had refused, with no sandbox and nobody asked.
  it("the step does not go past the person's no: they are asked again (mode ask); by hand, the same sandbox", async () => {
    const view = await declined(mcp, "STEPS: PATCH:../declined-step.txt ;; SAY:tried");
    const id = view.session_id ?? "";
    const { diagnosis } = await answers(mcp, id);
    const command = `CODEX_HOME=${home} ${PINNED_CODEX} exec --cd ${workdir} --sandbox workspace-write --skip-git-repo-check --model gpt-5.5 resume ${id} 'A person declined the approval you asked for: go on without it, and do not do it unless they approve it.'`;
    expect([diagnosis.category, diagnosis.next_command]).toEqual(["sandbox_blocked", command]);
    expect(diagnosis.next_step).toBe(
      `A person declined what Codex asked approval for: that is their answer, not a sandbox to widen. If they agree now, resume with resume_session engine "app-server" mode "ask", skip_git_repo_check true and have them approve it when Codex asks again; to go on without it, by hand: ${command}`,
    );
    const ran = await pasted(command, codexEnv(home));
    expect(ran.code, ran.stderr).toBe(0);
    expect(existsSync(join(dirname(workdir), "declined-step.txt"))).toBe(false);
  }, 60_000);

  it("a log without Codex's FileChange item (its status `declined`): the output alone says it was declined", async () => {
    const view = await declined(mcp, "STEPS: PATCH:../declined-again.txt ;; SAY:tried");
    const [file] = (await readdir(join(home, "sessions"), { recursive: true })).filter((name) =>
      name.endsWith(`${view.session_id ?? ""}.jsonl`),
    );
    const lines = (await readFile(join(home, "sessions", file ?? ""), "utf8"))
      .split("\n")
      .filter((line) => line !== "" && !line.includes('"type":"FileChange"'));
    const session = await foldEvents(
      lines.flatMap((line, index) => normalizeLine(JSON.parse(line), index + 1)).filter((event) => event !== undefined),
    );
    expect(lastCalls(session, { limit: 1, includeOutput: true, maxOutputChars: 100 }).calls[0]?.status).toBe("failed");
    const diagnosis = diagnose(session, { sessionId: view.session_id ?? "", cwd: workdir });
    expect([diagnosis.category, diagnosis.sandbox_denials.map(({ kind }) => kind)]).toEqual([
      "sandbox_blocked",
      ["escalation"],
    ]);
  }, 60_000);

  it("a command (0.171's CreateProcess Rejected) reads the same way", async () => {
    const view = await declined(mcp, "STEPS: ESCALATE:touch ../declined-too.txt ;; SAY:tried");
    expect(existsSync(join(dirname(workdir), "declined-too.txt"))).toBe(false);
    const { calls, diagnosis } = await answers(mcp, view.session_id ?? "");
    expect(calls.map(({ name, status }) => [name, status])).toEqual([["exec_command", "failed"]]);
    expect(diagnosis.evidence[2]).toBe(
      'blocked: "touch ../declined-too.txt": a person declined its approval when Codex asked (it did not run)',
    );
    expect(diagnosis).toMatchObject({
      category: "sandbox_blocked",
      failed_commands: [],
      sandbox_denials: [
        {
          command: "touch ../declined-too.txt",
          kind: "escalation",
          target: null,
          mode: "workspace-write",
        },
      ],
    });
  }, 60_000);
});
