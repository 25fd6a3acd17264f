// The closed sets a caller picks from when starting a run, each stated once: the array feeds the type, the
// zod enum of the tools' inputs and the description text.
import type { SandboxMode } from "../sessions/index.js";

/** How much a run may do, in this server's terms (each maps to one Codex sandbox). */
export const RUN_MODES = ["read-only", "sandboxed", "full-access"] as const;
export type RunMode = (typeof RUN_MODES)[number];

export const SANDBOX_OF_MODE: Record<RunMode, SandboxMode> = {
  "read-only": "read-only",
  sandboxed: "workspace-write",
  "full-access": "danger-full-access",
};

/** The mode a session's recorded sandbox corresponds to (the inverse of SANDBOX_OF_MODE). */
export const MODE_OF_SANDBOX = Object.fromEntries(Object.entries(SANDBOX_OF_MODE).map(([mode, sandbox]) => [sandbox, mode])) as Record<SandboxMode, RunMode>;

export const MODE_MEANING: Record<RunMode, string> = {
  "read-only": "Codex may read but not write",
  sandboxed: "workspace-write sandbox, no approval prompts (what older Codex called --full-auto)",
  "full-access": "no sandbox, only if the server operator allowed it",
};

/** Codex's `model_reasoning_effort` values. */
export const REASONING_EFFORTS = ["minimal", "low", "medium", "high", "xhigh"] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];
