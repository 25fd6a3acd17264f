// The one model every rollout generation is normalized into (see normalize.ts for where each comes from).
// Reducers (summary, calls, usage) only ever see these events, never raw log lines.
import type { Denial } from "./tool-output.js";

export interface TokenTotals {
  input: number;
  cached_input: number;
  output: number;
  reasoning_output: number;
  total: number;
}

export interface RateLimitWindow {
  used_percent: number | null;
  window_minutes: number | null;
  /** ISO time; null when the log did not say. */
  resets_at: string | null;
}

export interface RateLimits {
  primary: RateLimitWindow | null;
  secondary: RateLimitWindow | null;
  plan_type: string | null;
}

interface Base {
  /** 1-based line number in the rollout (0 for the TypeScript CLI's single JSON document). */
  line: number;
  /** UTC ISO time of the line, when the generation writes one. */
  timestamp?: string;
}

export type SessionEvent = Base &
  (
    | {
        kind: "meta";
        id: string;
        startedAt?: string;
        cwd?: string;
        cliVersion?: string;
        originator?: string;
        source?: string;
        modelProvider?: string;
        forkedFromId?: string;
      }
    | {
        kind: "turn_context";
        turnId?: string;
        cwd?: string;
        model?: string;
        sandbox?: string;
        /** The whole recorded sandbox policy (writable roots, network access, exclusions), as logged. */
        sandboxPolicy?: Record<string, unknown>;
        /** workspace-write's `network_access`, where the log says. */
        networkAccess?: boolean;
        approval?: string;
        effort?: string;
      }
    | { kind: "turn_started"; turnId?: string; modelContextWindow?: number }
    | {
        kind: "turn_ended";
        turnId?: string;
        outcome: "completed" | "failed" | "aborted";
        lastAgentMessage?: string | null;
        error?: { message: string; info?: string };
        reason?: string;
      }
    | { kind: "user_message"; text: string }
    | { kind: "agent_message"; text: string }
    | { kind: "reasoning"; text: string }
    | {
        kind: "call";
        callId: string;
        name: string;
        /** Parsed JSON arguments, or the raw string when they are not JSON (custom tools, torn JSON). */
        arguments: unknown;
        /** One display string for shell-like calls. */
        command?: string;
        /** Paths an apply_patch call would touch. */
        patchPaths?: string[];
      }
    | { kind: "call_output"; callId: string; text: string; exitCode?: number; durationMs?: number; running?: boolean; isError?: boolean; denial?: Denial }
    | { kind: "call_result"; callId: string; exitCode?: number; durationMs?: number; status?: string; command?: string }
    | { kind: "files_changed"; paths: string[] }
    | {
        kind: "token_count";
        total?: TokenTotals;
        last?: TokenTotals;
        modelContextWindow?: number;
        rateLimits?: RateLimits;
      }
    | { kind: "turn_usage"; turnId?: string; usage: TokenTotals }
    | { kind: "error"; message: string; info?: string }
  );

export type EventOf<K extends SessionEvent["kind"]> = Extract<SessionEvent, { kind: K }>;
