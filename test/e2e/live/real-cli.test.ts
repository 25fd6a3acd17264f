// The pinned real Codex CLI (devDependency) writes a fresh session against the fake model, and the tools
// read it: guards against the committed fixtures going stale while the CLI moves on.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX as CODEX, PINNED_VERSION as CODEX_VERSION } from "../../support/codex-versions.js";
import { FAKE_USAGE, startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, type Connected } from "../../support/mcp.js";
import { pasted } from "../../support/pasted.js";

let model: FakeModel;
let home: string;
let workdir: string;
let mcp: Connected;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "live"));
  mcp = await connect({ codexHome: home });
});
afterAll(async () => {
  await mcp.close();
  await model.close();
});

function codexExec(prompt: string, options: string[] = []): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const argv = [CODEX, "exec", "--json", "--skip-git-repo-check", ...options, "-C", workdir, prompt];
    const child = spawn(process.execPath, argv, {
      env: codexEnv(home),
      stdio: ["ignore", "pipe", "ignore"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout }));
  });
}

describe(`real Codex ${CODEX_VERSION}`, () => {
  it("a fresh session is found, summarized, and its command and tokens read exactly", async () => {
    const { code, stdout } = await codexExec("please RUN:echo live; exit 7");
    expect(code).toBe(0);
    const threadId = /"thread_id":"([0-9a-f-]+)"/.exec(stdout)?.[1];
    expect(threadId).toBeDefined();

    const listed = (await mcp.call("list_sessions", {})).structuredContent as {
      sessions: Array<Record<string, unknown>>;
    };
    expect(listed.sessions).toHaveLength(1);
    expect(listed.sessions[0]).toMatchObject({
      session_id: threadId,
      cwd: workdir,
      cli_version: CODEX_VERSION,
      first_prompt: "please RUN:echo live; exit 7",
      status: "completed",
    });

    const summary = (await mcp.call("session_summary", { session_id: "last" })).structuredContent;
    expect(summary).toMatchObject({
      session_id: threadId,
      status: "completed",
      last_agent_message: "Done. The tool said: live",
      diagnosis: {
        category: "command_failures",
        evidence: [
          "turn 1 completed, but its last command failed",
          'the agent\'s last message: "Done. The tool said: live"',
          'failed: "echo live; exit 7" exited with 7',
        ],
        failed_commands: [{ call_id: expect.any(String), command: "echo live; exit 7", exit_code: 7, meaning: null }],
      },
    });

    const calls = (await mcp.call("last_function_calls", { session_id: threadId })).structuredContent as {
      calls: Array<Record<string, unknown>>;
    };
    expect(calls.calls.map((c) => [c.name, c.command, c.exit_code, c.status])).toEqual([
      ["exec_command", "echo live; exit 7", 7, "failed"],
    ]);

    const usage = (await mcp.call("token_usage", { session_id: threadId })).structuredContent as {
      total: { input: number; total: number };
    };
    const { toolCall, answer } = FAKE_USAGE;
    expect(usage.total.input).toBe(toolCall.input_tokens + answer.input_tokens);
    expect(usage.total.total).toBe(
      toolCall.input_tokens + toolCall.output_tokens + answer.input_tokens + answer.output_tokens,
    );
  });

  it("a turn that completes without a final message is completed, and the resume it prints works outside a git repository", async () => {
    const { code, stdout } = await codexExec("please STEPS: RUN:echo quiet ;; SILENT", [
      "--sandbox",
      "workspace-write",
    ]);
    expect(code).toBe(0);
    const threadId = /"thread_id":"([0-9a-f-]+)"/.exec(stdout)?.[1] ?? "";
    const summary = (await mcp.call("session_summary", { session_id: threadId })).structuredContent as {
      status: string;
      diagnosis: { category: string; evidence: string[]; next_command: string };
    };
    // before: failed, model_error ("ended without an answer and neither the log nor a run of this server says why")
    expect([summary.status, summary.diagnosis.category, summary.diagnosis.evidence]).toEqual([
      "completed",
      "completed",
      ["turn 1 completed", "the turn ended without a final message from the agent"],
    ]);
    const command = summary.diagnosis.next_command;
    expect(command).toContain(`--sandbox workspace-write --skip-git-repo-check --model mock-model resume ${threadId} `);
    expect(await pasted(command, codexEnv(home))).toMatchObject({ code: 0 });
    // control: without the flag, Codex refuses to resume in a directory that is no git repository
    const refused = await pasted(command.replace(" --skip-git-repo-check", ""), codexEnv(home));
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining("Not inside a trusted directory")]);
  });
});
