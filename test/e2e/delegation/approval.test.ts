// An MCP tool call that needs an approval `codex exec` cannot ask for: the real Codex CLI cancels it, and the
// session's diagnosis says approval_required with the way out (mode "auto-review"). The MCP server Codex
// calls is this project's own (dist/cli.js), whose cancel_run is not read-only and so needs an approval.
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { denialOf } from "../../../src/sessions/tool-output.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";
import { pasted } from "../../support/pasted.js";

let model: FakeModel;
let home: string;
let workdir: string;
let mcp: Connected;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "approval"));
  const cli = join(import.meta.dirname, "..", "..", "..", "dist", "cli.js");
  await appendFile(
    join(home, "config.toml"),
    `\n[mcp_servers.ccm]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(cli)}]\nenv = { CODEX_HOME = ${JSON.stringify(home)}, CODEX_CONTROL_STATE_DIR = ${JSON.stringify(join(home, "inner-state"))} }\n`,
  );
  mcp = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX, childEnv: codexEnv(home) }));
});
afterAll(async () => {
  await mcp.close();
  await model.close();
});

describe("an MCP tool call cancelled for want of an approval", () => {
  it("shows in last_function_calls and is diagnosed approval_required, naming mode auto-review", async () => {
    const result = await mcp.call("run_codex", {
      cwd: workdir,
      skip_git_repo_check: true,
      prompt: 'please MCP:cancel_run {"run_id":"run_abcdefg"}',
    });
    const view = result.structuredContent as unknown as RunView;
    expect(view.status, textOf(result)).toBe("completed");
    const calls = (await mcp.call("last_function_calls", { session_id: view.session_id })).structuredContent as {
      calls: Array<Record<string, unknown>>;
    };
    expect(calls.calls.at(-1)).toMatchObject({ name: "mcp__ccm__cancel_run", status: "failed" });
    expect(String(calls.calls.at(-1)?.output)).toContain(
      "MCP tool call requires approval, but approval policy is never",
    );
    const summary = (await mcp.call("session_summary", { session_id: view.session_id })).structuredContent as {
      diagnosis: Record<string, unknown>;
    };
    expect(summary.diagnosis).toMatchObject({ category: "approval_required", retryable: false });
    expect(summary.diagnosis.evidence).toContain(
      'blocked: "mcp__ccm__cancel_run": the MCP tool call needed an approval `codex exec` cannot ask for',
    );
    // without the approval rule this session was diagnosed command_failures, with no way out named
    expect(summary.diagnosis.sandbox_denials).toEqual([
      { call_id: "call_1", command: "mcp__ccm__cancel_run", kind: "approval", target: null, mode: "workspace-write" },
    ]);
    expect(String(summary.diagnosis.next_step)).toMatch(/^Resume with resume_session mode "auto-review"/);
    expect(String(summary.diagnosis.next_command)).toContain("-c 'approvals_reviewer=\"auto_review\"'");
    // pasted, with the person's prompt in place of the printed one (the fake model calls the tool again on it)
    const resumed = await pasted(
      `${String(summary.diagnosis.next_command).split(` resume ${view.session_id} `)[0]} resume ${view.session_id} 'please MCP:cancel_run {"run_id":"run_abcdefg"}'`,
      codexEnv(home),
    );
    expect(resumed.code).toBe(0);
    const again = (await mcp.call("last_function_calls", { session_id: view.session_id })).structuredContent as {
      calls: Array<Record<string, unknown>>;
    };
    // the call reached the server this time (it names the run it does not know), and no approval stopped it
    expect(again.calls.map((call) => [call.name, call.turn, String(call.output).split("\n").at(-1)])).toEqual([
      ["mcp__ccm__cancel_run", 1, "MCP tool call requires approval, but approval policy is never"],
      [
        "mcp__ccm__cancel_run",
        2,
        `no run "run_abcdefg" in the ledger of this state dir (${join(home, "inner-state", "runs.jsonl")}). Call run_status without an id to see recent runs.`,
      ],
    ]);
  });
});

describe("the words of each Codex generation", () => {
  it("recognises 0.169's and earlier versions' cancelled MCP calls, and nothing that only mentions them", () => {
    const approval = { kind: "approval", target: null, explicit: true };
    expect(denialOf("MCP tool call requires approval, but approval policy is never")).toEqual(approval);
    expect(denialOf("user cancelled MCP tool call")).toEqual(approval);
    expect(denialOf("grep found: the user cancelled MCP tool call earlier")).toBeUndefined();
  });
});
