// How a run ended: its status decided from flags and events, never from message text (only the error's wording
// reads Codex's stderr, to name a required MCP server that did not start).
import { requiredMcpError, requiredMcpFailure } from "../codex/mcp-startup.js";
import { stderrReason } from "../codex/stderr-report.js";
import type { RunStatus } from "../sessions/index.js";
import type { RunEvents } from "./run-events.js";

export type StopReason = "timeout" | "cancelled" | "wrong_session" | "wrong_workspace" | "unsafe_run_dir";

export interface RunOutcome {
  status: Exclude<RunStatus, "running">;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
}

export interface Ending {
  exitCode: number | null;
  signal: string | null;
  /** The process could not be started (execa's short message). */
  spawnError: string | undefined;
  /** Why this side stopped it, if it did. */
  stop: { reason: StopReason; detail: string | undefined } | undefined;
  /** The stream ends a turn with `turn.completed`/`turn.failed` (0.43+). */
  terminalEvents: boolean;
  stderrTail: string;
  /** The MCP servers the run's config declares (mcp-startup.ts declaredMcpServers). */
  declaredMcpServers: ReadonlySet<string>;
}

export function decideOutcome(ending: Ending, events: RunEvents): RunOutcome {
  const { exitCode, signal, stop } = ending;
  const base = { exitCode, signal };
  if (stop?.reason === "timeout") return { ...base, status: "timeout", error: `timed out: ${stop.detail}` };
  if (stop?.reason === "cancelled") return { ...base, status: "cancelled", error: `cancelled: ${stop.detail}` };
  if (stop) return { ...base, status: "failed", error: stop.detail ?? stop.reason };
  if (ending.spawnError) return { ...base, status: "failed", error: ending.spawnError };
  if (events.turnFailed !== undefined) return { ...base, status: "failed", error: events.turnFailed };
  const lastError = events.errors.at(-1);
  if (exitCode !== 0) {
    const reason =
      lastError ?? stderrReason(ending.stderrTail) ?? (signal ? `killed by ${signal}` : "no reason printed");
    const exit = signal ?? `code ${exitCode}`;
    // a required MCP server that did not start: a config problem, said with where to fix it (mcp-startup.ts);
    // only before a session: once one began its servers had started, and such words are another's (a provider's)
    const mcp = events.sessionId === null ? requiredMcpFailure(reason, ending.declaredMcpServers) : undefined;
    if (mcp) return { ...base, status: "failed", error: requiredMcpError(mcp, `codex exited with ${exit}`) };
    return { ...base, status: "failed", error: `codex exited with ${exit}: ${reason}` };
  }
  if (events.turnAborted) return { ...base, status: "failed", error: "the turn was interrupted" };
  if (events.turnCompleted) return { ...base, status: "completed", error: null };
  // ≤0.41 print no terminal event: an answer and no error is success
  if (!ending.terminalEvents && events.sawAgentMessage && lastError === undefined)
    return { ...base, status: "completed", error: null };
  return {
    ...base,
    status: "failed",
    error: lastError ?? "codex exited without finishing the turn (no turn.completed event)",
  };
}
