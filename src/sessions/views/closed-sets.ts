// The closed sets of the session views, each stated once: the array feeds the TypeScript type, the zod enum
// (so tools/list shows every value) and any description text that lists them.

/** How a turn ended (incomplete: it has no end, the process was killed or is still running). */
export const TURN_STATUSES = ["completed", "failed", "aborted", "incomplete"] as const;
export type TurnStatus = (typeof TURN_STATUSES)[number];

/**
 * How a tool call ended (no_output: the run was stopped while the tool ran; interrupted: its turn was interrupted
 * or aborted while it ran, and Codex cut it off: it did not fail on its own).
 */
export const CALL_STATUSES = ["completed", "failed", "running", "no_output", "interrupted"] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/**
 * How a run of this server ended or whether it still runs. src/codex writes them into its run ledger; they
 * are stated here because the diagnosis reads them and src/sessions imports nothing above it.
 */
export const RUN_STATUSES = ["running", "completed", "failed", "timeout", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Codex's own sandbox names, as `--sandbox` takes them and turn_context records them. */
export const SANDBOX_MODES = ["read-only", "workspace-write", "danger-full-access"] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/** Where a diagnosed error was found: the session log, the server's summary of the run, its `--json` stream, its stderr. */
/** Where an error was read: the session log, the run's end, its `--json` stream, stderr, or the app-server's typed turn error. */
export const ERROR_SOURCES = ["log", "run", "stream", "stderr", "app-server"] as const;
export type ErrorSource = (typeof ERROR_SOURCES)[number];

/** What the sandbox or the approval policy refused; `start`: the sandbox could not even start the command (Seatbelt's `sandbox_apply`); `approval`: an MCP tool call `codex exec` cancelled for want of an approval. */
export const DENIAL_KINDS = ["write", "network", "escalation", "start", "approval"] as const;
export type DenialKind = (typeof DENIAL_KINDS)[number];

export function isSandboxMode(value: string | undefined): value is SandboxMode {
  return (SANDBOX_MODES as readonly string[]).includes(value ?? "");
}
