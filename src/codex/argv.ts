// The `codex exec` argument vector for a run, built from what the installed CLI supports. Pure: tested on
// plain arrays. Every value is its own argv entry, valued flags use `--flag=value` (so a value that starts
// with `-` is never read as a flag), and the prompt goes to stdin (`-`), never on the command line.
import type { Capabilities } from "./capabilities.js";
import { AUTO_REVIEW_CONFIG, AUTO_REVIEW_MIN_VERSION, SANDBOX_OF_MODE, type RunMode } from "./run-modes.js";
import { reviewInvocation, type ReviewRequest } from "./review-argv.js";
import { CONFIG_KEY, tomlValue } from "./toml.js";
import { ExplainedError } from "../shared/errors.js";
import { SESSION_UUID } from "../shared/ids.js";
import { printableProvider } from "../sessions/index.js";

export { SANDBOX_OF_MODE, type RunMode } from "./run-modes.js";

export interface ExecRequest {
  cwd: string;
  mode: RunMode;
  model?: string;
  reasoningEffort?: string;
  profile?: string;
  config?: Record<string, unknown>;
  skipGitRepoCheck?: boolean;
  outputSchemaFile?: string;
  lastMessageFile?: string;
  images?: string[];
  /**
   * A resume's session's own model provider (resume-settings.ts), as `-c model_provider="<id>"` before the caller's
   * config: 0.171 refuses to resume a thread on another provider. A plain id only (anything else is refused).
   */
  sessionProvider?: string;
  /** Resume this session instead of starting a new one (a UUID: anything else is refused). */
  resumeSessionId?: string;
  /** `sandbox_workspace_write.*` switches the server itself sets (state-reach.ts), after the caller's config. */
  sandboxExclusions?: Record<string, boolean>;
  /** `codex exec review` instead of a task (review-argv.ts); the prompt is then what reviewInvocation says. */
  review?: ReviewRequest;
  /** Run in a new Codex-managed git worktree (`--worktree`). */
  worktree?: boolean;
}

export class UnsupportedRequestError extends ExplainedError {
  override readonly name = "UnsupportedRequestError";
}

/** `id` when it is a plain provider id (it came from a log); anything else is refused. */
export function plainProvider(id: string): string {
  if (printableProvider(id) !== undefined) return id;
  throw new UnsupportedRequestError(
    `${JSON.stringify(id.slice(0, 80))} is not a model provider id (letters, digits, _ and -).`,
  );
}

export function buildExecArgv(request: ExecRequest, caps: Capabilities): string[] {
  const has = (flag: string) => caps.flags.has(flag);
  const need = (flag: string, what: string) => {
    if (!has(flag))
      throw new UnsupportedRequestError(
        `Codex ${caps.version} has no \`exec ${flag}\`, needed for ${what}. Upgrade with \`npm install -g @openai/codex\`.`,
      );
  };
  const argv = ["exec"];
  if (caps.jsonStream === "experimental" && has("--experimental-json")) argv.push("--experimental-json");
  else if (has("--json")) argv.push("--json");
  argv.push(`--cd=${request.cwd}`);
  argv.push(...sandboxArgs(request.mode, caps));
  if (request.skipGitRepoCheck) {
    need("--skip-git-repo-check", "skip_git_repo_check");
    argv.push("--skip-git-repo-check");
  }
  if (request.worktree) {
    need("--worktree", "worktree: true (Codex-managed git worktrees)");
    argv.push("--worktree");
  }
  if (request.model !== undefined) argv.push(`--model=${request.model}`);
  if (request.profile !== undefined) {
    need("--profile", "profile");
    argv.push(`--profile=${request.profile}`);
  }
  if (request.reasoningEffort !== undefined)
    argv.push(`--config=model_reasoning_effort=${tomlValue(request.reasoningEffort)}`);
  if (request.sessionProvider !== undefined)
    argv.push(`--config=model_provider=${tomlValue(plainProvider(request.sessionProvider))}`);
  for (const [key, value] of Object.entries(request.config ?? {})) {
    if (!CONFIG_KEY.test(key)) {
      throw new UnsupportedRequestError(
        `config key ${JSON.stringify(key)} is not a dotted config path (letters, digits, _ and -, joined by dots).`,
      );
    }
    argv.push(`--config=${key}=${tomlValue(value)}`);
  }
  if (SANDBOX_OF_MODE[request.mode] === "workspace-write") {
    for (const [key, value] of Object.entries(request.sandboxExclusions ?? {}))
      argv.push(`--config=sandbox_workspace_write.${key}=${tomlValue(value)}`);
  }
  for (const image of request.images ?? []) argv.push(`--image=${image}`);
  if (request.outputSchemaFile !== undefined) {
    need("--output-schema", "output_schema");
    argv.push(`--output-schema=${request.outputSchemaFile}`);
  }
  if (request.lastMessageFile !== undefined && has("--output-last-message"))
    argv.push(`--output-last-message=${request.lastMessageFile}`);
  if (request.review !== undefined) {
    if (request.resumeSessionId !== undefined) throw new UnsupportedRequestError("a review cannot resume a session.");
    // options must come before `review`; what follows is the review's own
    argv.push("review", ...reviewInvocation(request.review, caps).args);
    return argv;
  }
  if (request.resumeSessionId !== undefined) {
    if (!caps.subcommands.has("resume")) {
      throw new UnsupportedRequestError(
        `Codex ${caps.version} cannot resume sessions (\`codex exec resume\` arrived in 0.35). Upgrade with \`npm install -g @openai/codex\`.`,
      );
    }
    // a value read from a log: only Codex's own id shape, which cannot be read as an option
    if (!SESSION_UUID.test(request.resumeSessionId)) {
      throw new UnsupportedRequestError(
        `${JSON.stringify(request.resumeSessionId.slice(0, 80))} is not a Codex session id (a UUID); only a session's own id is resumed.`,
      );
    }
    // options must come before `resume`: after it some versions reject them and others ignore them
    argv.push("resume", request.resumeSessionId);
  }
  argv.push("-");
  return argv;
}

function sandboxArgs(mode: RunMode, caps: Capabilities): string[] {
  const has = (flag: string) => caps.flags.has(flag);
  if (mode === "ask")
    throw new UnsupportedRequestError(
      'mode "ask" needs engine "app-server": `codex exec` cannot ask anyone for an approval. Pass engine: "app-server", or use mode "auto-review" (Codex\'s own reviewer decides) or "sandboxed".',
    );
  if (mode === "auto-review") {
    // Codex's own reviewer decides what asks to leave the sandbox: the flag where it exists, else its config
    // the flag implies the workspace-write sandbox, and 0.169 refuses it beside --sandbox
    if (has("--approve-for-me")) return ["--approve-for-me"];
    if (has("--sandbox") && atLeast(caps.version, AUTO_REVIEW_MIN_VERSION)) {
      return [
        "--sandbox=workspace-write",
        ...Object.entries(AUTO_REVIEW_CONFIG).map(([key, value]) => `--config=${key}=${tomlValue(value)}`),
      ];
    }
    throw new UnsupportedRequestError(
      `Codex ${caps.version} has no approvals reviewer, needed for mode "auto-review" (Codex ${AUTO_REVIEW_MIN_VERSION} or later). Upgrade with \`npm install -g @openai/codex\`, or use mode "sandboxed".`,
    );
  }
  if (mode === "full-access") {
    if (has("--dangerously-bypass-approvals-and-sandbox")) return ["--dangerously-bypass-approvals-and-sandbox"];
    if (has("--sandbox")) return ["--sandbox=danger-full-access"];
  } else if (has("--sandbox")) {
    // `codex exec` never asks for approval, so the sandbox alone is what `--full-auto` used to mean
    return [`--sandbox=${SANDBOX_OF_MODE[mode]}`];
  } else if (mode === "sandboxed" && has("--full-auto")) {
    return ["--full-auto"];
  }
  throw new UnsupportedRequestError(
    `Codex ${caps.version} has no way to run in mode "${mode}" (no --sandbox flag). Upgrade with \`npm install -g @openai/codex\`.`,
  );
}

/** `version` (x.y.z) is `minimum` or later. */
export function atLeast(version: string, minimum: string): boolean {
  const parts = (text: string) => text.split(/[.-]/).slice(0, 3).map(Number);
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}
