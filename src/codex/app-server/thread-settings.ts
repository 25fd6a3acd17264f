// What an app-server run asks of its thread, built from the same request `codex exec`'s argv is built from
// (argv.ts): the sandbox, the approval policy, the model and the config overrides. Pure: tested on plain values.
import { plainProvider, UnsupportedRequestError, type ExecRequest } from "../argv.js";
import { APPROVAL_OF_MODE, SANDBOX_OF_MODE } from "../run-modes.js";
import { CONFIG_KEY } from "../toml.js";
import type { SandboxMode } from "../../sessions/index.js";

export const THREAD_APPROVAL_POLICIES = ["never", "on-request"] as const;

export interface ThreadSettings {
  sandbox: SandboxMode;
  approvalPolicy: (typeof THREAD_APPROVAL_POLICIES)[number];
  model: string | null;
  /** Dotted config keys and their values, as `-c key=value` would set them. */
  config: Record<string, unknown>;
}

/** The thread settings of a request, or a refusal naming what only `codex exec` does. */
export function threadSettingsOf(request: ExecRequest): ThreadSettings {
  const execOnly = (what: string) =>
    new UnsupportedRequestError(
      `${what} is not available with engine "app-server"; leave it out or use engine "exec".`,
    );
  if (request.review !== undefined) throw execOnly("a code review (review_changes)");
  if (request.worktree === true) throw execOnly("worktree: true");
  if (request.profile !== undefined) throw execOnly("profile");
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request.config ?? {})) {
    if (!CONFIG_KEY.test(key))
      throw new UnsupportedRequestError(
        `config key ${JSON.stringify(key.slice(0, 80))} is not a dotted config path (letters, digits, _ and -, joined by dots).`,
      );
    config[key] = value;
  }
  if (request.reasoningEffort !== undefined) config["model_reasoning_effort"] = request.reasoningEffort;
  // the session's own provider (argv.ts), under a caller's own model_provider
  if (request.sessionProvider !== undefined && !("model_provider" in config))
    config["model_provider"] = plainProvider(request.sessionProvider);
  // Codex's own reviewer decides, as `--approve-for-me` makes it do for `codex exec`
  if (request.mode === "auto-review") config["approvals_reviewer"] = "auto_review";
  const sandbox = SANDBOX_OF_MODE[request.mode];
  if (sandbox === "workspace-write")
    for (const [key, value] of Object.entries(request.sandboxExclusions ?? {}))
      config[`sandbox_workspace_write.${key}`] = value;
  return {
    sandbox,
    approvalPolicy: APPROVAL_OF_MODE[request.mode] === "on-request" ? "on-request" : "never",
    model: request.model ?? null,
    config,
  };
}
