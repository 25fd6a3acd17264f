// The shapes the fake model could not make the real Codex CLI 0.171 write before (apply_patch, sub-agents, code
// mode), written now by the real CLI and read back: what session_summary and last_function_calls answer for each.
// 0.171 offers apply_patch only to a model it has metadata for (`-m gpt-5.5`: freeform, as every bundled model);
// the multi-agent tools (namespace `multi_agent_v1`) are on by default; code mode is `[features] code_mode`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCalls, sessionSummary } from "../../src/sessions/index.js";
import { execCodex } from "../support/exec-codex.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => model.close());

const CODE_MODE = "[features]\ncode_mode = true";

async function read(home: string, id: string) {
  const summary = await sessionSummary(home, id, { reasoningLimit: 10 });
  const { calls } = await sessionCalls(home, id, { limit: 10, includeOutput: true, maxOutputChars: 300 });
  // wall times vary from run to run: the rest of an output is exact
  const untimed = (output: string | null) => output?.replace(/^(Wall time:?) [\d.]+ seconds$/m, "$1 (time)") ?? null;
  return {
    summary,
    calls: calls.map(({ name, status, exit_code, output }) => ({ name, status, exit_code, output: untimed(output) })),
  };
}

const lastStep = (next: string | null) => next?.replace(/^.* resume \S+ /, "");

describe("apply_patch, as 0.171 offers it (freeform) to a model it knows", () => {
  it("an added file: completed, the file changed; the request offered apply_patch as a custom tool", async () => {
    const run = await execCodex(model, "STEPS: PATCH:a.txt ;; SAY:added", { args: ["-m", "gpt-5.5"] });
    const offered = model.requests.at(-1)?.tools?.find((tool) => tool.name === "apply_patch");
    expect(offered?.type).toBe("custom");
    expect(run.sessionIds).toHaveLength(1);
    const { summary, calls } = await read(run.home, run.sessionIds[0] ?? "");
    expect(summary.diagnosis.category).toBe("completed");
    expect(summary.files_changed).toEqual([`${run.workdir}/a.txt`]);
    expect(calls).toEqual([
      {
        name: "apply_patch",
        status: "completed",
        exit_code: 0,
        output: "Exit code: 0\nWall time: (time)\nOutput:\nSuccess. Updated the following files:\nA a.txt\n",
      },
    ]);
  }, 60_000);

  it("context that does not match, and a file to delete that is missing: failed calls, nothing changed", async () => {
    const run = await execCodex(model, "STEPS: PATCHBAD:b.txt ;; UNPATCH:missing.txt ;; SAY:tried", {
      args: ["-m", "gpt-5.5"],
      files: { "b.txt": "line one\nline two\n" },
    });
    const { summary, calls } = await read(run.home, run.sessionIds[0] ?? "");
    expect(calls).toEqual([
      {
        name: "apply_patch",
        status: "failed",
        exit_code: null,
        output: `apply_patch verification failed: Failed to find expected lines in ${run.workdir}/b.txt:\nthis line is not in the file`,
      },
      {
        name: "apply_patch",
        status: "failed",
        exit_code: null,
        output: `apply_patch verification failed: Failed to read ${run.workdir}/missing.txt: No such file or directory (os error 2)`,
      },
    ]);
    expect(summary.files_changed).toEqual([]);
    expect(summary.counts.failed_calls).toBe(2);
    expect(summary.diagnosis.category).toBe("command_failures");
    expect(lastStep(summary.diagnosis.next_command)).toBe(
      "'Commands failed in the last turn; fix the cause and run them again.'",
    );
  }, 60_000);
});

describe("a patch Codex rejects (no approval asked): a failed call, a write the sandbox refused", () => {
  // /tmp, where the test's root is, stays writable under workspace-write unless config.toml says otherwise
  const NO_TMP = "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true";

  it("outside the writable roots under workspace-write: sandbox_blocked, resume with --add-dir", async () => {
    const run = await execCodex(model, "STEPS: PATCH:{ROOT}/outside.txt ;; SAY:tried", {
      args: ["-m", "gpt-5.5", "-s", "workspace-write"],
      config: NO_TMP,
    });
    const { summary, calls } = await read(run.home, run.sessionIds[0] ?? "");
    expect(calls).toEqual([
      {
        name: "apply_patch",
        status: "failed",
        exit_code: null,
        output: "patch rejected: writing outside of the project; rejected by user approval settings",
      },
    ]);
    expect(summary.diagnosis.category).toBe("sandbox_blocked");
    // (call ids count the shared fake model's answers)
    expect(summary.diagnosis.sandbox_denials.map(({ call_id: _, ...denial }) => denial)).toEqual([
      { command: "apply_patch", kind: "write", target: `${run.root}/outside.txt`, mode: "workspace-write" },
    ]);
    expect(summary.diagnosis.next_command).toContain(` --add-dir ${run.root} resume `);
  }, 60_000);

  it("any file under read-only: sandbox_blocked, resume in workspace-write", async () => {
    const run = await execCodex(model, "STEPS: PATCH:a.txt ;; SAY:tried", {
      args: ["-m", "gpt-5.5", "-s", "read-only"],
    });
    const { summary, calls } = await read(run.home, run.sessionIds[0] ?? "");
    expect(calls.map(({ name, status, output }) => [name, status, output])).toEqual([
      [
        "apply_patch",
        "failed",
        "patch rejected: writing is blocked by read-only sandbox; rejected by user approval settings",
      ],
    ]);
    expect(summary.diagnosis.category).toBe("sandbox_blocked");
    expect(lastStep(summary.diagnosis.next_command)).toBe("'The sandbox was read-only; do the writes again.'");
  }, 60_000);
});

describe("sub-agents (multi_agent_v1, on by default in 0.171)", () => {
  it("spawn, wait, close: the parent's calls completed, the child's log names its parent and ran its own script", async () => {
    const run = await execCodex(model, "STEPS: SPAWN:RUN:echo child-ran ;; WAIT ;; CLOSE ;; SAY:parent done");
    expect(run.sessionIds).toHaveLength(2);
    const [parentId = "", childId = ""] = run.sessionIds;
    const parent = await read(run.home, parentId);
    expect(parent.calls.map(({ name, status }) => [name, status])).toEqual([
      ["multi_agent_v1__spawn_agent", "completed"],
      ["multi_agent_v1__wait_agent", "completed"],
      ["multi_agent_v1__close_agent", "completed"],
    ]);
    const nickname = (JSON.parse(parent.calls[0]?.output ?? "{}") as { nickname?: string }).nickname;
    expect(parent.calls[0]?.output).toBe(JSON.stringify({ agent_id: childId, nickname }));
    expect(parent.summary.diagnosis.category).toBe("completed");
    expect(parent.summary.last_agent_message).toBe("parent done");
    const child = await read(run.home, childId);
    expect(child.summary).toMatchObject({ parent_session_id: parentId, agent_nickname: nickname });
    expect(child.summary.turns.map((turn) => turn.prompt)).toEqual(["RUN:echo child-ran"]);
    expect(child.calls.map(({ name, status, exit_code }) => [name, status, exit_code])).toEqual([
      ["exec_command", "completed", 0],
    ]);
    expect(child.summary.diagnosis.category).toBe("completed");
  }, 60_000);

  it("a child whose model failed: the child is server_error and resumes its parent; the parent names it", async () => {
    const run = await execCodex(model, "STEPS: SPAWN:STEPS: FAIL:http500 ;; WAIT ;; SAY:parent done");
    const [parentId = "", childId = ""] = run.sessionIds;
    const parent = await read(run.home, parentId);
    expect(parent.summary.diagnosis.category).toBe("completed");
    expect(parent.summary.diagnosis.evidence).toContain(
      `sub-agent ${childId} ended failed: see session_summary ${childId}`,
    );
    const child = await read(run.home, childId);
    expect(child.summary.diagnosis.category).toBe("server_error");
    expect(child.summary.diagnosis.retryable).toBe(true);
    expect(child.summary.diagnosis.next_command).toContain(` resume ${parentId} `);
  }, 60_000);
});

describe("code mode (`[features] code_mode`): one exec script calling several tools", () => {
  it("the script and the commands it ran, each with its own status; the failed one is the failed command", async () => {
    const script =
      'const a = await tools.exec_command({cmd: "echo one"}); const b = await tools.exec_command({cmd: "ls /nonexistent"}); text(a); text(b);';
    const run = await execCodex(model, `STEPS: CODE:${script} ;; SAY:coded`, { config: CODE_MODE });
    const { summary, calls } = await read(run.home, run.sessionIds[0] ?? "");
    expect(calls.map(({ name, status, exit_code }) => [name, status, exit_code])).toEqual([
      ["exec", "completed", null],
      ["exec_command", "completed", 0],
      ["exec_command", "failed", 2],
    ]);
    expect(summary.diagnosis.category).toBe("command_failures");
    expect(summary.diagnosis.failed_commands.map((failed) => failed.command)).toEqual(["ls /nonexistent"]);
  }, 60_000);

  it("a script that hands control back, then the wait that sees it end: the command is the script's", async () => {
    const script =
      '// @exec: {"yield_time_ms": 300}\nconst r = await tools.exec_command({cmd: "sleep 1; echo slow-done"}); text(r);';
    const run = await execCodex(model, `STEPS: CODE:${script} ;; WAITCELL ;; SAY:waited`, { config: CODE_MODE });
    const { summary, calls } = await read(run.home, run.sessionIds[0] ?? "");
    expect(calls.map(({ name, status, exit_code }) => [name, status, exit_code])).toEqual([
      ["exec", "completed", null],
      ["wait", "completed", null],
      ["exec_command", "completed", 0],
    ]);
    expect(calls[0]?.output).toBe("Script running with cell ID 1\nWall time (time)\nOutput:\n");
    expect(calls[2]?.output).toBe("slow-done\n");
    expect(summary.diagnosis.category).toBe("completed");
  }, 60_000);

  it("a script whose patch the read-only sandbox rejected: its exec failed for the sandbox", async () => {
    const patch = "*** Begin Patch\\n*** Add File: c.txt\\n+c\\n*** End Patch\\n";
    const run = await execCodex(model, `STEPS: CODE:text(await tools.apply_patch("${patch}")); ;; SAY:coded`, {
      args: ["-m", "gpt-5.5", "-s", "read-only"],
      config: CODE_MODE,
    });
    const { summary, calls } = await read(run.home, run.sessionIds[0] ?? "");
    expect(calls.map(({ name, status }) => [name, status])).toEqual([["exec", "failed"]]);
    expect(summary.diagnosis.category).toBe("sandbox_blocked");
    expect(lastStep(summary.diagnosis.next_command)).toBe("'The sandbox was read-only; do the writes again.'");
  }, 60_000);

  it("a script whose own error quotes a rejected patch's words (a command's text in it): a failed command", async () => {
    const words = "patch rejected: writing is blocked by read-only sandbox; rejected by user approval settings";
    const run = await execCodex(model, `STEPS: CODE:throw new Error('x\\nScript error:\\n${words}'); ;; SAY:coded`, {
      args: ["-s", "read-only"],
      config: CODE_MODE,
    });
    const { summary, calls } = await read(run.home, run.sessionIds[0] ?? "");
    expect(calls[0]?.output).toBe(
      `Script failed\nWall time (time)\nOutput:\n\nScript error:\nError: x\nScript error:\n${words}\n    at exec_main.mjs:1:7`,
    );
    expect(summary.diagnosis.sandbox_denials).toEqual([]);
    expect(summary.diagnosis.category).toBe("command_failures");
  }, 60_000);

  it("a script that throws: the exec call failed", async () => {
    const run = await execCodex(model, "STEPS: CODE:text('before'); throw new Error('boom'); ;; SAY:coded", {
      config: CODE_MODE,
    });
    const { summary, calls } = await read(run.home, run.sessionIds[0] ?? "");
    expect(calls).toEqual([
      {
        name: "exec",
        status: "failed",
        exit_code: null,
        output:
          "Script failed\nWall time (time)\nOutput:\n\nbefore\nScript error:\nError: boom\n    at exec_main.mjs:1:23",
      },
    ]);
    expect(summary.diagnosis.category).toBe("command_failures");
  }, 60_000);
});
