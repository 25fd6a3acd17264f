// `/etc/codex/requirements.toml` (an administrator's limits) was not read, so a printed step asking for a value
// it forbids was not flagged. Checked with the 0.171 CLI, /etc bound over in a private mount namespace: a value
// a list does not allow is replaced ("Configured value for `approval_policy` is disallowed by requirements;
// falling back to required value OnRequest … (set by /etc/codex/requirements.toml)"), an approval policy or
// reviewer by the list's first, a sandbox mode by read-only (the header then says `sandbox: read-only`); a file
// that is not TOML, an unknown value ("unknown variant `bogus`") or sandbox modes without "read-only" stop it.
// No variable moves the file, so the reader takes its path as a parameter and these tests pass temp files.
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCodexConfig, SYSTEM_CONFIG_FILES } from "../../src/sessions/codex-config.js";
import { configRefusals } from "../../src/sessions/diagnosis-config-refusals.js";
import { diagnose } from "../../src/sessions/diagnosis.js";
import { resumeCommandLine } from "../../src/sessions/resume-command.js";
import { sandboxStep } from "../../src/sessions/sandbox-step.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { approvalBlockedTurn, at } from "../support/session-events.js";

let root: string;
let home: string;
let files: { config: string; managed: string; requirements: string };
beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-system-requirements-")));
  home = join(root, "home");
  await mkdir(join(root, "etc"));
  await mkdir(home);
  await writeFile(join(home, "config.toml"), "");
  const etc = join(root, "etc");
  files = {
    config: join(etc, "config.toml"),
    managed: join(etc, "managed_config.toml"),
    requirements: join(etc, "requirements.toml"),
  };
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function factsWith(requirements: string | undefined) {
  if (requirements === undefined) await rm(files.requirements, { force: true });
  else await writeFile(files.requirements, requirements);
  return readCodexConfig(home, null, files);
}

const ID = "01a24829-b1af-7030-bed6-9ac9a3aa7f27";

describe("the machine's requirements.toml", () => {
  it("is read by default from /etc/codex/requirements.toml", () => {
    expect(SYSTEM_CONFIG_FILES.requirements).toBe("/etc/codex/requirements.toml");
  });

  it("its lists are facts; one Codex refuses to start with is flagged on every printed command", async () => {
    expect(
      await factsWith('allowed_approval_policies = ["untrusted"]\nallowed_sandbox_modes = ["read-only"]\n'),
    ).toEqual({
      mcpServers: [],
      disabledMcpServers: [],
      mcpToolFilters: [],
      excludeSlashTmp: false,
      requirements: { file: files.requirements, approvalPolicies: ["untrusted"], sandboxModes: ["read-only"] },
    });
    for (const broken of [
      "allowed_sandbox_modes = [\n",
      'allowed_approval_policies = ["bogus"]\n',
      'allowed_sandbox_modes = ["workspace-write"]\n',
    ]) {
      const facts = await factsWith(broken);
      expect(facts).toEqual({
        mcpServers: [],
        disabledMcpServers: [],
        mcpToolFilters: [],
        excludeSlashTmp: false,
        brokenRequirements: files.requirements,
      });
      expect(configRefusals(facts).steps).toEqual([
        `(First have ${files.requirements}, the machine's requirements, fixed (\`codex exec\` names the key): Codex 0.171 refuses to start with it.)`,
      ]);
    }
    // no file: nothing of it, as before
    expect((await factsWith(undefined))?.requirements).toBeUndefined();
  });

  it("an approval policy or reviewer it does not allow: no auto-review resume that Codex would replace", async () => {
    const model = await foldEvents(approvalBlockedTurn());
    const input = { sessionId: ID, cwd: "/p" };
    const plain = resumeCommandLine({ ...input, prompt: "The blocked tools are allowed now; call them again." });
    for (const [text, key, instead] of [
      ['allowed_approval_policies = ["untrusted", "never"]\n', "allowed_approval_policies", "untrusted"],
      ['allowed_approvals_reviewers = ["user"]\n', "allowed_approvals_reviewers", "user"],
    ] as const) {
      const diagnosis = diagnose(model, { ...input, config: await factsWith(text) });
      const value = key === "allowed_approval_policies" ? "on-request" : "auto_review";
      const refused = `${files.requirements}'s \`${key}\` does not allow "${value}" (Codex 0.171 falls back to "${instead}")`;
      expect(diagnosis.next_command).toBe(plain);
      expect(diagnosis.evidence).toContain(refused);
      expect(diagnosis.next_step).toBe(
        `${refused}, so no auto-review resume is printed (resume_session mode "auto-review" and \`-c approval_policy="on-request"\` would not help): have the operator allow that tool in Codex's config, then: ${plain}`,
      );
    }
    // allowed: the auto-review resume, as before; 0.171 reads "on-failure" as on-request ("`Never` is not in
    // the allowed set [UnlessTrusted, OnRequest]" for ["untrusted", "on-failure"]), so that list allows it too
    for (const list of ['["on-request", "never"]', '["untrusted", "on-failure"]']) {
      const allowed = diagnose(model, { ...input, config: await factsWith(`allowed_approval_policies = ${list}\n`) });
      expect(allowed.next_command, list).toContain(`-c 'approval_policy="on-request"'`);
    }
  });

  it("a sandbox mode it does not allow: the wider-sandbox step says to have it allowed first", async () => {
    const work = {
      failed: [],
      denials: [{ call_id: "c", command: "touch f", kind: "write" as const, target: "/p/f", mode: "read-only" }],
      refusedWrites: ["/p/f"],
      gaveUp: false,
      lastCallFailed: true,
    };
    const limited = await factsWith('allowed_sandbox_modes = ["read-only"]\n');
    const step = sandboxStep("read-only", work, "/p", undefined, (mode) => mode, limited);
    expect(step.resume.sandbox).toBe("workspace-write");
    expect(step.how).toBe(
      `(First have the administrator allow it: ${files.requirements}'s \`allowed_sandbox_modes\` does not allow "workspace-write" (Codex 0.171 falls back to "read-only").) Resume with the workspace-write sandbox (resume_session sandboxed)`,
    );
    // the full-access step: its bypass flag is refused at once where approval_policy "never" is allowed
    const network = {
      ...work,
      denials: [{ call_id: "c", command: "curl x", kind: "network" as const, target: null, mode: "read-only" }],
      refusedWrites: [],
    };
    const bypass = sandboxStep("read-only", network, "/p", undefined, (mode) => mode, limited);
    expect(bypass.resume.sandbox).toBe("danger-full-access");
    expect(bypass.how).toBe(
      `(First have the administrator allow it: ${files.requirements}'s \`allowed_sandbox_modes\` does not allow "danger-full-access" (Codex 0.171 falls back to "read-only"); with approval_policy "never" allowed it refuses \`--dangerously-bypass-approvals-and-sandbox\` at once.) Only running without the sandbox allows this: it needs the operator's consent (this server: --allow-full-access, then resume_session full-access). By hand`,
    );
    const allowed = await factsWith('allowed_sandbox_modes = ["read-only", "workspace-write"]\n');
    expect(sandboxStep("read-only", work, "/p", undefined, (mode) => mode, allowed).how).toBe(
      "Resume with the workspace-write sandbox (resume_session sandboxed)",
    );
  });
});

// Any printed command repeats the session's sandbox (`--dangerously-bypass-approvals-and-sandbox` for full
// access): where requirements.toml no longer allows it, 0.171 runs the resume read-only (checked with the CLI:
// `sandbox: read-only` in its header, "falling back to required value" on stderr), or refuses the bypass flag
// where approval_policy "never" is allowed ("`approval_policy = "never"` cannot be used because requirements do
// not allow `sandbox_mode = "danger-full-access"`"), while the step said nothing.
describe("a command whose own sandbox requirements.toml does not allow", () => {
  it("says it runs read-only, or that Codex refuses it, naming the file and key", async () => {
    const model = await foldEvents([
      { ...at(1), kind: "turn_context", turnId: "t1", sandbox: "danger-full-access", cwd: "/p" },
      { ...at(2), kind: "turn_started", turnId: "t1" },
      { ...at(3), kind: "user_message", text: "do it" },
      { ...at(4), kind: "agent_message", text: "Done." },
      { ...at(5), kind: "turn_ended", turnId: "t1", outcome: "completed", lastAgentMessage: "Done." },
    ]);
    const input = { sessionId: ID, cwd: "/p", sandbox: "danger-full-access" };
    const command = resumeCommandLine(input);
    const refused = `${files.requirements}'s \`allowed_sandbox_modes\` does not allow "danger-full-access" (Codex 0.171 falls back to "read-only")`;
    // approval_policy "never" not allowed either: the bypass runs read-only with the list's first policy
    const limited = diagnose(model, {
      ...input,
      config: await factsWith('allowed_sandbox_modes = ["read-only"]\nallowed_approval_policies = ["on-request"]\n'),
    });
    expect(limited.category).toBe("completed");
    expect(limited.next_command).toBe(command);
    expect(limited.evidence).toContain(refused);
    expect(limited.next_step).toBe(
      `Nothing to repair. To continue the work: ${command} (${refused}: it runs read-only.)`,
    );
    // "never" allowed (no approval list): 0.171 refuses the bypass flag at once
    const stops = diagnose(model, { ...input, config: await factsWith('allowed_sandbox_modes = ["read-only"]\n') });
    expect(stops.evidence).toContain(
      `${refused}; with approval_policy "never" allowed, Codex 0.171 refuses \`--dangerously-bypass-approvals-and-sandbox\` at once ("approval_policy = "never" cannot be used because requirements do not allow sandbox_mode = "danger-full-access"")`,
    );
    expect(stops.next_step).toBe(
      `Nothing to repair. To continue the work: ${command} (First have the administrator allow "danger-full-access" in ${files.requirements}'s \`allowed_sandbox_modes\`: Codex 0.171 refuses this command otherwise.)`,
    );
    // allowed: as before
    const allowed = diagnose(model, {
      ...input,
      config: await factsWith('allowed_sandbox_modes = ["read-only", "danger-full-access"]\n'),
    });
    expect(allowed.next_step).toBe(`Nothing to repair. To continue the work: ${command}`);
  });
});

// The lists were judged by a guess at their values: "external-sandbox" (0.171 starts with it) was taken for a
// file Codex refuses, so every step said to fix a file that is fine, while the string "granular", an unknown
// reviewer and an empty list (each stops 0.171: "unknown variant", "invalid type: unit variant", "cannot be
// empty") were not, and a `{ granular = { … } }` policy (0.171 starts with it) was. Checked with the 0.171 CLI,
// /etc/codex bound over in a private mount namespace.
describe("requirements.toml's values, as 0.171 parses them", () => {
  const GRANULAR = "{ granular = { sandbox_approval = true, rules = true, mcp_elicitations = true } }";

  it("are the lists 0.171 starts with", async () => {
    const cases: Array<[string, Record<string, string[]>]> = [
      [
        'allowed_sandbox_modes = ["read-only", "external-sandbox"]\n',
        { sandboxModes: ["read-only", "external-sandbox"] },
      ],
      [`allowed_approval_policies = [${GRANULAR}, "never"]\n`, { approvalPolicies: ["granular", "never"] }],
      // 0.171 takes on-failure as on-request (its fallback for ["on-failure", "untrusted"] is OnRequest)
      ['allowed_approval_policies = ["on-failure", "untrusted"]\n', { approvalPolicies: ["on-request", "untrusted"] }],
      // 0.171 takes guardian_subagent as auto_review (`-c approvals_reviewer="auto_review"` is not replaced)
      ['allowed_approvals_reviewers = ["guardian_subagent"]\n', { approvalsReviewers: ["auto_review"] }],
    ];
    for (const [text, lists] of cases)
      expect((await factsWith(text))?.requirements, text).toEqual({ file: files.requirements, ...lists });
  });

  it("flag a file 0.171 refuses to start with", async () => {
    for (const text of [
      'allowed_approval_policies = ["granular"]\n',
      "allowed_approval_policies = [{ granular = { rules = true } }]\n",
      "allowed_approval_policies = [{ bogus = {} }]\n",
      'allowed_approvals_reviewers = ["bogus"]\n',
      "allowed_approval_policies = []\n",
      "allowed_approvals_reviewers = []\n",
      "allowed_sandbox_modes = []\n",
    ])
      expect((await factsWith(text))?.brokenRequirements, text).toBe(files.requirements);
  });
});
