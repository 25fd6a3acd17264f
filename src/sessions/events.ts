// The one model every rollout generation is normalized into (see normalize.ts for where each comes from).
// Reducers (summary, calls, usage) only ever see these events, never raw log lines.
import type { ParsedOutput } from "./tool-output.js";
import type { RateLimitWindow, TokenTotals } from "./views/tokens.js";
import type { TurnStatus } from "./views/closed-sets.js";

export type { RateLimitWindow, TokenTotals } from "./views/tokens.js";

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
  /** The line's per-thread sequence number (paginated history, 0.150+). */
  ordinal?: number;
}

export const SESSION_KINDS = ["session", "fork", "subagent"] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

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
        /** The session this one was forked or spawned from (`forked_from_id`, `parent_thread_id`, `source.subagent.thread_spawn`). */
        parentId?: string;
        sessionKind: SessionKind;
        /**
         * The meta records the git repository the session ran in (`git`, written only inside one): false, a
         * directory Codex refuses to resume in without `--skip-git-repo-check`.
         */
        inGitRepo: boolean;
        agentNickname?: string;
        /** Lines with a lower ordinal are the parent's history replayed into this file (`subagent_history_start_ordinal`). */
        historyStartOrdinal?: number;
        /** A paginated fork (0.169): the parent's history is referenced (`history_base`), not copied. */
        historyByReference?: boolean;
        /** `history_base.end_ordinal_exclusive`: the parent's lines before this ordinal are this fork's history. */
        historyEndOrdinal?: number;
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
        /** Who decides approvals (`user`, or `auto_review`: Codex's own reviewer), 0.137+. */
        approvalsReviewer?: string;
        effort?: string;
      }
    /** Settings the thread runs with from here on (`thread_settings_applied`, 0.169+); what it does not name stays. */
    | { kind: "settings"; cwd?: string; model?: string; sandbox?: string; approval?: string; effort?: string }
    | { kind: "turn_started"; turnId?: string; modelContextWindow?: number }
    | {
        kind: "turn_ended";
        turnId?: string;
        // a turn with an end line has one of the ends of TURN_STATUSES; "incomplete" is the lack of one
        outcome: Exclude<TurnStatus, "incomplete">;
        lastAgentMessage?: string | null;
        error?: { message: string; info?: string };
        reason?: string;
      }
    | {
        kind: "user_message";
        text: string;
        /** From the enveloped response_item copy: the prompt when no event carries it (trimmed logs, 0.128). */
        copy?: boolean;
        /** Written by another agent (0.158 `agent_message` item: a sub-agent's task, or a child's report). */
        fromAgent?: boolean;
        /**
         * From a `UserMessage` item (0.150+ paginated threads): the Codex writing this turn puts a failed
         * turn's error in its end, whatever version started the file (a resume by a newer CLI).
         */
        item?: boolean;
      }
    | { kind: "agent_message"; text: string }
    /** The context was compacted (`context_compacted` event, `ContextCompaction` item). */
    | { kind: "compaction" }
    /** A review began (0.171 `EnteredReviewMode` item): what it reviews, so a failed one can be run again. */
    | { kind: "review_started"; target: ReviewTarget }
    /** A review ended (0.171 `ExitedReviewMode` item, earlier `exited_review_mode`): its verdict and findings. */
    | { kind: "review_ended"; outcome: ReviewOutcome }
    | { kind: "reasoning"; text: string }
    | {
        kind: "call";
        callId: string;
        name: string;
        /** Parsed JSON arguments, or the raw string when they are not JSON (custom tools, torn JSON). */
        arguments: unknown;
        /** One display string for shell-like calls. */
        command?: string;
        /** A shell-like call's own working folder (`workdir`), as the arguments name it. */
        workdir?: string;
        /** Paths an apply_patch call would touch. */
        patchPaths?: string[];
        /** Unified exec `write_stdin`: the running process this call polls (its `session_id`); code mode `wait`: `cell:N`. */
        polls?: string;
        /** Run on OpenAI's side (`web_search_call`): no output item, nothing Codex ran. */
        hosted?: true;
      }
    | ({ kind: "call_output"; callId: string } & ParsedOutput)
    | {
        kind: "call_result";
        callId: string;
        exitCode?: number;
        durationMs?: number;
        status?: string;
        command?: string;
        /** What the item itself says, for items that are calls of their own (code mode: run inside an `exec` call). */
        name?: string;
        arguments?: unknown;
        text?: string;
      }
    | { kind: "files_changed"; paths: string[] }
    | {
        kind: "token_count";
        /** `record`: the thread counter of a `token_usage_record` line (0.160+), a second source of the same numbers. */
        source?: "record";
        total?: TokenTotals;
        last?: TokenTotals;
        modelContextWindow?: number;
        rateLimits?: RateLimits;
      }
    | { kind: "turn_usage"; turnId?: string; usage: TokenTotals }
    | { kind: "error"; message: string; info?: string }
  );

export type EventOf<K extends SessionEvent["kind"]> = Extract<SessionEvent, { kind: K }>;

/** What `codex exec review` reviews (codex-rs ReviewTarget, camelCase tags). */
export type ReviewTarget =
  | { type: "uncommittedChanges" }
  | { type: "baseBranch"; branch: string }
  | { type: "commit"; sha: string; title?: string }
  | { type: "custom"; instructions: string };

/** What a finished review found: its `overall_correctness` (bounded; null: none) and how many findings. */
export interface ReviewOutcome {
  verdict: string | null;
  findings: number;
}
