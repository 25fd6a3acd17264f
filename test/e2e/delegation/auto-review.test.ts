// mode "auto-review": the workspace-write sandbox, with a command that asks to leave it decided by Codex's own
// approvals reviewer (`--approve-for-me`), whose answer the fake model scripts. Allowed without --allow-full-access.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { RunLedger } from "../../../src/contract/index.js";
import { buildExecArgv } from "../../../src/codex/argv.js";
import { parseCapabilities } from "../../../src/codex/capabilities.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";
import { pasted, withPrompt } from "../../support/pasted.js";

let model: FakeModel;
let home: string;
let workdir: string;
let mcp: Connected;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "auto-review"));
  mcp = await connect(
    testConfig({ codexHome: home, codexBin: PINNED_CODEX, childEnv: codexEnv(home), allowFullAccess: false }),
  );
});
afterAll(async () => {
  await mcp.close();
  await model.close();
});

async function escalate(file: string, mode = "auto-review"): Promise<RunView> {
  const result = await mcp.call("run_codex", {
    cwd: workdir,
    skip_git_repo_check: true,
    mode,
    prompt: `please STEPS: ESCALATE:touch ${file} ;; SAY:finished`,
  });
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as RunView;
}

describe('mode "auto-review" with the real Codex CLI', () => {
  it("runs an escalation Codex's reviewer allows, and reports the reviewer and approval policy recorded", async () => {
    model.guardian = "allow";
    const outside = join(dirname(workdir), "allowed.txt");
    const view = await escalate(outside);
    expect(view).toMatchObject({
      status: "completed",
      mode: "auto-review",
      final_message: "finished",
      effective: {
        sandbox: "workspace-write",
        approval_policy: "on-request",
        approvals_reviewer: "auto_review",
        mismatch: false,
        differences: [],
      },
    });
    expect(existsSync(outside)).toBe(true);
    const argv = (await new RunLedger(mcp.config.runner.stateDir).find(view.run_id))?.start.argv ?? [];
    expect(argv).toContain("--approve-for-me");
    expect(argv.some((arg) => arg.startsWith("--sandbox"))).toBe(false);
  });

  it("prints a resume command that goes on with Codex's reviewer deciding", async () => {
    model.guardian = "allow";
    const view = await escalate(join(dirname(workdir), "before-resume.txt"));
    expect(view.resume_command).toBe(
      `CODEX_HOME=${home} ${PINNED_CODEX} exec --cd ${workdir} --sandbox workspace-write --skip-git-repo-check -c 'approval_policy="on-request"' -c 'approvals_reviewer="auto_review"' -c sandbox_workspace_write.exclude_slash_tmp=true -c sandbox_workspace_write.exclude_tmpdir_env_var=true resume ${view.session_id} 'Continue where you left off.'`,
    );
    // pasted as printed: an escalation the reviewer allows runs (in the sandbox alone it would be refused)
    const outside = join(dirname(workdir), "pasted.txt");
    const { code, stderr } = await pasted(
      withPrompt(view.resume_command ?? "", `please STEPS: ESCALATE:touch ${outside} ;; SAY:finished`),
      codexEnv(home),
    );
    expect(code, stderr).toBe(0);
    expect(existsSync(outside)).toBe(true);
  });

  it("does not run one the reviewer denies; the same escalation in mode sandboxed is rejected by policy", async () => {
    model.guardian = "deny";
    const denied = join(dirname(workdir), "denied.txt");
    expect((await escalate(denied)).status).toBe("completed");
    expect(existsSync(denied)).toBe(false);
    model.guardian = "allow";
    const sandboxed = join(dirname(workdir), "sandboxed.txt");
    const view = await escalate(sandboxed, "sandboxed");
    expect(view.effective).toMatchObject({ approval_policy: "never", approvals_reviewer: "user" });
    expect(existsSync(sandboxed)).toBe(false);
  });
});

describe("auto-review argv per Codex version", () => {
  it("uses --approve-for-me, else the reviewer's config (0.137+), else refuses naming the minimum version", () => {
    const request = { cwd: "/w", mode: "auto-review" as const };
    expect(buildExecArgv(request, parseCapabilities("codex-cli 0.169.0", "--sandbox --approve-for-me --json"))).toEqual(
      ["exec", "--json", "--cd=/w", "--approve-for-me", "-"],
    );
    expect(buildExecArgv(request, parseCapabilities("codex-cli 0.140.0", "--sandbox --json"))).toEqual([
      "exec",
      "--json",
      "--cd=/w",
      "--sandbox=workspace-write",
      '--config=approval_policy="on-request"',
      '--config=approvals_reviewer="auto_review"',
      "-",
    ]);
    expect(() => buildExecArgv(request, parseCapabilities("codex-cli 0.120.0", "--sandbox --json"))).toThrow(
      'Codex 0.120.0 has no approvals reviewer, needed for mode "auto-review" (Codex 0.137.0 or later). Upgrade with `npm install -g @openai/codex`, or use mode "sandboxed".',
    );
  });
});
