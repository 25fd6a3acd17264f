// The closed sets a caller picks from when starting a run, each stated once: the array feeds the type, the
// zod enum of the tools' inputs and the description text.
import type { SandboxMode } from "../sessions/index.js";

/** How much a run may do, in this server's terms (each maps to one Codex sandbox). */
export const RUN_MODES = ["read-only", "sandboxed", "auto-review", "ask", "full-access"] as const;
export type RunMode = (typeof RUN_MODES)[number];

export const SANDBOX_OF_MODE: Record<RunMode, SandboxMode> = {
  "read-only": "read-only",
  sandboxed: "workspace-write",
  "auto-review": "workspace-write",
  ask: "workspace-write",
  "full-access": "danger-full-access",
};

/** The approval policy Codex records for a mode: `codex exec` never asks, except where Codex's reviewer decides. */
export const APPROVAL_OF_MODE: Record<RunMode, string> = {
  "read-only": "never",
  sandboxed: "never",
  "auto-review": "on-request",
  ask: "on-request",
  "full-access": "never",
};

/**
 * What mode "auto-review" sets in Codex's config beside the workspace-write sandbox (what `--approve-for-me`
 * means): a run where the flag is missing, and a pasted resume command, which works on every version that has it.
 */
export const AUTO_REVIEW_CONFIG = { approval_policy: "on-request", approvals_reviewer: "auto_review" } as const;

/** Codex's own approvals reviewer (`approvals_reviewer = "auto_review"`) exists from this version; `--approve-for-me` later. */
export const AUTO_REVIEW_MIN_VERSION = "0.137.0";

/** The mode a session's recorded sandbox corresponds to (the inverse of SANDBOX_OF_MODE). */
export const MODE_OF_SANDBOX: Record<SandboxMode, RunMode> = {
  "read-only": "read-only",
  "workspace-write": "sandboxed",
  "danger-full-access": "full-access",
};

export const MODE_MEANING: Record<RunMode, string> = {
  "read-only": "Codex may read but not write",
  sandboxed: "workspace-write sandbox, no approval prompts (what older Codex called --full-auto)",
  "auto-review":
    "workspace-write sandbox; a command that asks to leave it (or an MCP tool call that needs approval) is decided by Codex's own approvals reviewer (`--approve-for-me`, Codex 0.137+)",
  ask: 'workspace-write sandbox; a command that asks to leave it, a file change outside it or an MCP tool call that needs approval is asked of a person (the host\'s user through MCP elicitation, or respond_approval where the operator allows the caller to answer) and declined when nobody answers in time; only with engine "app-server"',
  "full-access": "no sandbox, only if the server operator allowed it",
};

/** How long an approval of a run in mode "ask" waits for an answer before it is declined, unless the operator says. */
export const APPROVAL_TIMEOUT_MS = 600_000;

/**
 * The longest delay Node's timers keep (2^31-1 ms, 24.8 days): a longer one fires at once (a run killed as it
 * starts, a grace period skipped). Every duration the server or a run's job accepts is bounded by it.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** How a run drives Codex: `codex exec` (fire-and-forget) or `codex app-server` (steerable, approvals asked). */
export const ENGINES = ["exec", "app-server"] as const;
export type Engine = (typeof ENGINES)[number];

export const ENGINE_MEANING: Record<Engine, string> = {
  exec: "`codex exec`: the run goes to its end on its own; it can only be waited on or cancelled",
  "app-server":
    '`codex app-server`: the run can be steered mid-turn (steer_run), cancelled cleanly (turn/interrupt), its approvals asked (mode "ask"), and run_status shows live token usage and rate limits',
};

/** Codex's `model_reasoning_effort` values. */
export const REASONING_EFFORTS = ["minimal", "low", "medium", "high", "xhigh"] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];
