// The thread an app-server run asks for, from the request `codex exec`'s argv is built from: exact values.
import { describe, expect, it } from "vitest";
import { threadSettingsOf } from "../../../src/codex/app-server/thread-settings.js";
import { buildExecArgv, UnsupportedRequestError } from "../../../src/codex/argv.js";
import { parseCapabilities } from "../../../src/codex/capabilities.js";

describe("threadSettingsOf", () => {
  it("maps each mode to Codex's sandbox and approval policy", () => {
    const of = (mode: Parameters<typeof threadSettingsOf>[0]["mode"]) => threadSettingsOf({ cwd: "/w", mode });
    expect(of("read-only")).toEqual({ sandbox: "read-only", approvalPolicy: "never", model: null, config: {} });
    expect(of("sandboxed")).toEqual({ sandbox: "workspace-write", approvalPolicy: "never", model: null, config: {} });
    expect(of("ask")).toEqual({ sandbox: "workspace-write", approvalPolicy: "on-request", model: null, config: {} });
    expect(of("auto-review")).toEqual({
      sandbox: "workspace-write",
      approvalPolicy: "on-request",
      model: null,
      config: { approvals_reviewer: "auto_review" },
    });
    expect(of("full-access")).toEqual({
      sandbox: "danger-full-access",
      approvalPolicy: "never",
      model: null,
      config: {},
    });
  });

  it("passes the model, the effort, the caller's config and the server's sandbox switches as config", () => {
    expect(
      threadSettingsOf({
        cwd: "/w",
        mode: "ask",
        model: "gpt-5.5-codex",
        reasoningEffort: "high",
        config: { model_reasoning_summary: "detailed" },
        sandboxExclusions: { exclude_slash_tmp: true },
      }),
    ).toEqual({
      sandbox: "workspace-write",
      approvalPolicy: "on-request",
      model: "gpt-5.5-codex",
      config: {
        model_reasoning_summary: "detailed",
        model_reasoning_effort: "high",
        "sandbox_workspace_write.exclude_slash_tmp": true,
      },
    });
    // a read-only run has no workspace to exclude anything from
    expect(
      threadSettingsOf({ cwd: "/w", mode: "read-only", sandboxExclusions: { exclude_slash_tmp: true } }).config,
    ).toEqual({});
  });

  it("refuses what only codex exec does, and a config key that is not a dotted path", () => {
    expect(() => threadSettingsOf({ cwd: "/w", mode: "sandboxed", worktree: true })).toThrow(
      'worktree: true is not available with engine "app-server"',
    );
    expect(() => threadSettingsOf({ cwd: "/w", mode: "sandboxed", profile: "p" })).toThrow("profile is not available");
    expect(() => threadSettingsOf({ cwd: "/w", mode: "sandboxed", config: { "a b": 1 } })).toThrow(
      UnsupportedRequestError,
    );
  });

  it('refuses mode "ask" on codex exec, which cannot ask anyone', () => {
    const caps = parseCapabilities("codex-cli 0.171.0", "--json --sandbox <MODE> --skip-git-repo-check");
    expect(() => buildExecArgv({ cwd: "/w", mode: "ask" }, caps)).toThrow('mode "ask" needs engine "app-server"');
    // the control: the same request in mode "sandboxed" builds
    expect(buildExecArgv({ cwd: "/w", mode: "sandboxed" }, caps)).toContain("--sandbox=workspace-write");
  });
});
