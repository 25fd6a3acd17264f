// The closed set of diagnosis categories: how an agent should react to a session's end. One table feeds the
// type, the output schema's enum, the `retryable` flag and the diagnosis table of docs/tools.md.

export const DIAGNOSIS_CATEGORIES = [
  "completed",
  "command_failures",
  "sandbox_blocked",
  "approval_required",
  "model_error",
  "auth_error",
  "quota_exhausted",
  "usage_limit",
  "rate_limited",
  "server_error",
  "network_error",
  "context_window_exceeded",
  "aborted",
  "interrupted",
  "timeout",
  "cancelled",
  "running",
  "empty",
] as const;

export type DiagnosisCategory = (typeof DIAGNOSIS_CATEGORIES)[number];

export interface CategoryGuide {
  meaning: string;
  /** Running the same thing again, unchanged, can succeed (possibly after a wait). */
  retryable: boolean;
  next: string;
}

export const CATEGORY_GUIDE: Record<DiagnosisCategory, CategoryGuide> = {
  completed: {
    meaning: "The last turn finished and nothing in it failed for good.",
    retryable: false,
    next: "Nothing to repair; resume to continue the work.",
  },
  command_failures: {
    meaning: "The last turn finished, but commands in it failed (the last one, or the agent said it could not finish).",
    retryable: false,
    next: "Read the failing commands (last_function_calls); resume asking Codex to fix the cause.",
  },
  sandbox_blocked: {
    meaning: "The sandbox refused a write or network access, or the approval policy rejected an escalation.",
    retryable: false,
    next: "Resume with what allows it: the workspace-write sandbox, `--add-dir <folder>` for a write outside the workspace, network access, or full access (the last three need the operator's consent).",
  },
  approval_required: {
    meaning:
      'An MCP tool call was cancelled because it needed an approval that `codex exec` cannot ask for ("MCP tool call requires approval, but approval policy is never"; before 0.169 "user cancelled MCP tool call").',
    retryable: false,
    next: "Resume with mode \"auto-review\" (Codex's own reviewer decides the approval), or have the operator allow that tool in Codex's config.",
  },
  model_error: {
    meaning: "The model request was refused (bad request, unknown model, provider misconfigured).",
    retryable: false,
    next: "Fix what the error names, then resume.",
  },
  auth_error: {
    meaning: "The provider rejected the credentials (HTTP 401/403, expired login).",
    retryable: false,
    next: "Log in again (`codex login`) for OpenAI; for another provider fix the key its `env_key` names (a login reaches it only with `requires_openai_auth`), then resume.",
  },
  quota_exhausted: {
    meaning: 'The account has no quota or billing left (`insufficient_quota`, "Quota exceeded", plan without Codex).',
    retryable: false,
    next: "Add billing or change plan; waiting does not help.",
  },
  usage_limit: {
    meaning:
      "The ChatGPT plan's usage limit is reached until a known reset time (\"You've hit your usage limit\", whichever plan: a Free or Go plan's names Plus as an upgrade and still resets). Codex types a quota and a plan without Codex as a usage limit too (`usage_limit_exceeded`, `usageLimitExceeded`): their words decide.",
    retryable: true,
    next: "Wait until `resets_at`, then resume.",
  },
  rate_limited: {
    meaning: "Too many requests or tokens per minute (HTTP 429, `rate_limit_exceeded`).",
    retryable: true,
    next: "Wait a minute, then resume.",
  },
  server_error: {
    meaning: "The provider failed (HTTP 5xx, `server_error`, overloaded, a stream dropped before completion).",
    retryable: true,
    next: "Resume; if it keeps failing, wait and try again later.",
  },
  network_error: {
    meaning: "Codex could not reach the model endpoint (connection refused, DNS, waiting for network).",
    retryable: true,
    next: "Check the network or the provider's base_url, then resume.",
  },
  context_window_exceeded: {
    meaning: "The conversation no longer fits the model's context window.",
    retryable: false,
    next: "Start a new session with a summary, or resume with a model with a larger window (--model).",
  },
  aborted: {
    meaning: "The turn was interrupted (Ctrl-C, SIGINT) and Codex recorded it.",
    retryable: true,
    next: "Resume.",
  },
  interrupted: {
    meaning: "The turn has no end: the process was killed or crashed.",
    retryable: true,
    next: "Check that no Codex process still runs it, then resume.",
  },
  timeout: {
    meaning: "This server stopped the run at its timeout.",
    retryable: false,
    next: "Resume with a larger timeout_ms, or split the task.",
  },
  cancelled: {
    meaning: "The run was cancelled (cancel_run, the client, server shutdown).",
    retryable: true,
    next: "Resume if the work is still wanted.",
  },
  running: {
    meaning: "A Codex process is still running this session.",
    retryable: false,
    next: "Follow it with run_status, or stop it with cancel_run.",
  },
  empty: {
    meaning: "The log holds no turn: Codex stopped before the prompt was recorded.",
    retryable: true,
    next: "Start the run again; read Codex's stderr if it repeats.",
  },
};
