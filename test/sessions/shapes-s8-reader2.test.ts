// Second look at the s8 shapes: printed next steps pasted with the real Codex CLI 0.171 that did not work.
// Fixtures in test/fixtures/shapes/ were made with the real CLI against the fake model (paths scrubbed to /home/user).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reviewTargetOfPrompt } from "../../src/sessions/resume-command.js";
import { denialIn } from "../../src/sessions/tool-output.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { shapeHome, shapeIdOf } from "../support/shape-home.js";

const NAMED: Array<[string, number]> = [
  ["sandbox-refused-several-folders-quoted", 40],
  ["review-subagent-failed-auth", 41],
  ["migrated-0.100-failed-turn", 42],
  ["view-image-missing-file", 43],
  ["subagent-spawned-failed-auth", 44],
  ["view-image-invalid-data", 46],
  ["code-mode-views-an-image", 47],
];
const idOf = shapeIdOf;
let home: string;
let mcp: Connected;

beforeAll(async () => {
  home = await shapeHome("ccm-shapes-s8r2-", NAMED, "2026-12-05T12-00");
  // the spawned sub-agent's parent: only a log in CODEX_HOME can be resumed (subagent-parents.test.ts)
  const meta = { id: idOf(45), timestamp: "2026-12-05T13:43:30.000Z", cwd: "/home/user/proj", source: "exec" };
  await writeFile(
    join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T13-43-30-${idOf(45)}.jsonl`),
    `${JSON.stringify({ timestamp: meta.timestamp, type: "session_meta", payload: meta })}\n`,
  );
  mcp = await connect(testConfig({ codexHome: home }));
});
afterAll(async () => mcp.close());

async function diagnosisOf(name: string): Promise<Record<string, unknown>> {
  const n = NAMED.find(([candidate]) => candidate === name)?.[1] as number;
  const summary = (await mcp.call("session_summary", { session_id: idOf(n) })).structuredContent as Record<
    string,
    unknown
  >;
  return summary.diagnosis as Record<string, unknown>;
}

describe("refused writes: the paths as the tools quoted them, every one of a call", () => {
  it("a quoted path with a space is read whole, not from its last space", () => {
    expect(denialIn("touch: cannot touch '/srv/out a/deep/f1': Read-only file system\n")).toEqual({
      kind: "write",
      target: "/srv/out a/deep/f1",
      explicit: true,
    });
    expect(denialIn("mkdir: cannot create directory ‘/srv/x$y/z’: Read-only file system\n")?.target).toBe("/srv/x$y/z");
  });

  it("a quoted relative path is no absolute one cut out of it", () => {
    // 0.171 in /home/user/proj: `mkdir -p ../rel` refused; main read it as /rel
    expect(denialIn("mkdir: cannot create directory ‘../rel’: Read-only file system\n")?.target).toBe("../rel");
    expect(denialIn("touch: cannot touch '../sub/f': Read-only file system\n")?.target).toBe("../sub/f");
  });

  it("one command refused in two folders outside the roots: --add-dir both (0.171 pasted: each write went through)", async () => {
    const diagnosis = await diagnosisOf("sandbox-refused-several-folders-quoted");
    expect(diagnosis.category).toBe("sandbox_blocked");
    expect(diagnosis.next_command).toBe(
      `mkdir -p '/home/user/out a/deep' /home/user/o2 && CODEX_HOME=${home} codex exec --cd /home/user/proj --sandbox workspace-write --skip-git-repo-check --model mock-model --add-dir '/home/user/out a/deep' --add-dir /home/user/o2 resume ${idOf(40)} 'The folders you wrote to are writable now; do the refused writes again.'`,
    );
    expect(diagnosis.next_step).toBe(
      `Resume in the workspace-write sandbox with --add-dir '/home/user/out a/deep' --add-dir /home/user/o2 (Codex's flag for more writable folders; resume_session cannot pass it, and it widens what Codex may write: the operator's call). By hand: ${diagnosis.next_command as string}`,
    );
  });
});

describe("a review's sub-agent that failed: the review is run again, not the sub-agent resumed", () => {
  it("next step of the review sub-agent is the parent's review (resumed, 0.171 wrote the JSON into the child only)", async () => {
    const diagnosis = await diagnosisOf("review-subagent-failed-auth");
    const command = `CODEX_HOME=${home} codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model mock-model review --uncommitted`;
    expect(diagnosis).toMatchObject({ category: "auth_error", next_command: command });
    expect(diagnosis.next_step).toBe(
      `The model provider "mock" rejected the credentials: fix the API key it takes, the variable its env_key names in [model_providers.mock] of config.toml (a table without env_key sends no key: add one, and set that variable; \`CODEX_HOME=${home} codex login\` helps only a provider with requires_openai_auth = true, and there a CODEX_API_KEY in the environment is used before the login), then run: ${command}`,
    );
  });

  it("reads the target back from the prompt Codex wrote for it (codex-rs review_prompts)", () => {
    expect(
      reviewTargetOfPrompt(
        "Review the current code changes (staged, unstaged, and untracked files) and provide prioritized findings.",
      ),
    ).toEqual({ type: "uncommittedChanges" });
    expect(
      reviewTargetOfPrompt(
        "Review the code changes against the base branch 'main'. The merge base commit for this comparison is 1e22c047623d40571dbcc4ac7e00540af2a0b1c2. Run `git diff 1e22c04` to inspect the changes relative to main. Provide prioritized, actionable findings.",
      ),
    ).toEqual({ type: "baseBranch", branch: "main" });
    expect(
      reviewTargetOfPrompt(
        'Review the code changes introduced by commit acbb8874f632979dbe38e0438528a18e4dafd759 ("two"). Provide prioritized, actionable findings.',
      ),
    ).toEqual({ type: "commit", sha: "acbb8874f632979dbe38e0438528a18e4dafd759", title: "two" });
    expect(
      reviewTargetOfPrompt(
        "Review the code changes introduced by commit acbb8874f632979dbe38e0438528a18e4dafd759. Provide prioritized, actionable findings.",
      ),
    ).toEqual({ type: "commit", sha: "acbb8874f632979dbe38e0438528a18e4dafd759" });
    expect(reviewTargetOfPrompt("look at the parser")).toEqual({ type: "custom", instructions: "look at the parser" });
  });
});

describe("a turn is judged by its writer: `codex migrate-rollouts` items are no newer writer", () => {
  it("a 0.100 log whose model call failed (400), migrated in place by 0.171: still failed, in the summary and the list", async () => {
    // the migration turns user_message into UserMessage items (ids item-1, item-2, …) and writes task_complete
    // without the error 0.100 never kept: the answerless end is still the old writer's
    const summary = (await mcp.call("session_summary", { session_id: idOf(42) })).structuredContent as Record<
      string,
      unknown
    >;
    expect(summary.status).toBe("failed");
    expect((summary.diagnosis as Record<string, unknown>).category).toBe("model_error");
    const list = (await mcp.call("list_sessions", { limit: 10 })).structuredContent as {
      sessions: Array<Record<string, unknown>>;
    };
    expect(list.sessions.find((session) => session.session_id === idOf(42))?.status).toBe("failed");
  });
});

describe("view_image of a file that is not there: failed (the log keeps only the handler's words)", () => {
  it("the call is failed and the session's last tool call failed (an image view is no command)", async () => {
    // 0.171: FunctionCallError::RespondToModel; the rollout keeps the text, not its success: false
    const calls = (await mcp.call("last_function_calls", { session_id: idOf(43) })).structuredContent as {
      calls: Array<Record<string, unknown>>;
    };
    expect(calls.calls.map((call) => [call.name, call.status])).toEqual([["view_image", "failed"]]);
    const diagnosis = await diagnosisOf("view-image-missing-file");
    expect(diagnosis.category).toBe("command_failures");
    // before: "its last command failed" and 'failed: "view_image" (no exit code)'; the category stays: the
    // agent worked on without the image, and resuming it to fix the cause (the path, the file) is the way on
    expect(diagnosis.evidence).toEqual([
      "turn 1 completed, but its last tool call (view_image) failed",
      'the agent\'s last message: "looked"',
      "failed: the view_image tool call (a tool call, not a command: its answer is in last_function_calls)",
    ]);
    expect(diagnosis.failed_commands).toEqual([
      {
        call_id: expect.any(String),
        command: "view_image",
        exit_code: null,
        meaning: "a tool call, not a command: its answer is in last_function_calls",
      },
    ]);
    // before: the resume told Codex "Commands failed in the last turn", and no command had
    expect(String(diagnosis.next_command)).toMatch(
      / 'A tool call \(view_image\) failed in the last turn; fix the cause and make the call again\.'$/,
    );
  });
});

describe("view_image of a file that is no image Codex can read: failed, as the missing file is", () => {
  it("0.171's 'unable to process image' answer is a failed call, and the session's last tool call failed", async () => {
    const calls = (await mcp.call("last_function_calls", { session_id: idOf(46) })).structuredContent as {
      calls: Array<Record<string, unknown>>;
    };
    expect(calls.calls.map((call) => [call.name, call.status, call.output])).toEqual([
      ["view_image", "failed", "unable to process image: invalid or unsupported image data"],
    ]);
    const diagnosis = await diagnosisOf("view-image-invalid-data");
    expect(diagnosis.category).toBe("command_failures");
    // before: "its last command failed" and 'failed: "view_image" (no exit code)'; the category stays: the
    // agent worked on without the image, and resuming it to fix the cause (the path, the file) is the way on
    expect(diagnosis.evidence).toEqual([
      "turn 1 completed, but its last tool call (view_image) failed",
      'the agent\'s last message: "Looked."',
      "failed: the view_image tool call (a tool call, not a command: its answer is in last_function_calls)",
    ]);
    expect(diagnosis.failed_commands).toEqual([
      {
        call_id: expect.any(String),
        command: "view_image",
        exit_code: null,
        meaning: "a tool call, not a command: its answer is in last_function_calls",
      },
    ]);
    // before: the resume told Codex "Commands failed in the last turn", and no command had
    expect(String(diagnosis.next_command)).toMatch(
      / 'A tool call \(view_image\) failed in the last turn; fix the cause and make the call again\.'$/,
    );
  });
});

describe("code mode: a script's view_image is a call of its own, as its commands are", () => {
  it("the ImageView item of an `exec` script is listed, attached to it; the model's own view_image is listed once", async () => {
    // 0.171 with code_mode: the script viewed an image and ran a command, then the model called view_image
    const result = (await mcp.call("last_function_calls", { session_id: idOf(47), include_output: false }))
      .structuredContent as { total_calls: number; calls: Array<Record<string, unknown>> };
    expect(result.total_calls).toBe(4);
    expect(
      result.calls.map((call) => [call.call_id, call.name, call.status, call.parent_call_id, call.arguments]),
    ).toEqual([
      ["call_15", "exec", "completed", null, expect.stringContaining("tools.view_image")],
      [
        "exec-05bebb9b-8979-406c-a429-42d7ac07a214",
        "view_image",
        "completed",
        "call_15",
        { path: "/home/user/proj/good.png" },
      ],
      ["exec-449637db-bcd1-49d8-828c-fb24cc214bfc", "exec_command", "completed", "call_15", null],
      ["call_16", "view_image", "completed", null, { path: "/home/user/proj/good.png" }],
    ]);
  });
});

describe("a spawned sub-agent that failed: the parent, which has the task, is resumed", () => {
  it("auth failed in the sub-agent: after login, resume the parent to start the task again", async () => {
    // 0.171 multi_agent: resumed, the sub-agent answered into its own log and the parent's stayed as it was
    // (its answer: "the helper failed"); the resumed parent could spawn a new sub-agent
    const diagnosis = await diagnosisOf("subagent-spawned-failed-auth");
    const command = `CODEX_HOME=${home} codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox resume ${idOf(45)} 'Your sub-agent Erdos (${idOf(44)}) did not finish its task; what stopped it is dealt with now: start a sub-agent on that task again, or do it yourself.'`;
    expect(diagnosis).toMatchObject({ category: "auth_error", next_command: command });
    expect(diagnosis.next_step).toBe(
      `The model provider "mock" rejected the credentials: fix the API key it takes, the variable its env_key names in [model_providers.mock] of config.toml (a table without env_key sends no key: add one, and set that variable; \`CODEX_HOME=${home} codex login\` helps only a provider with requires_openai_auth = true, and there a CODEX_API_KEY in the environment is used before the login), then run: ${command}`,
    );
    expect((diagnosis.evidence as string[]).at(-1)).toBe(
      `a sub-agent of ${idOf(45)}: the task is the parent's (resumed, a sub-agent answers into its own log, which the parent does not read), so the parent is resumed`,
    );
  });
});
