// Token usage and rate limits from a session's own counters (`token_count` events, `token_usage_record`).
//
// `total_token_usage` is cumulative per process run of a thread: 0.100+ carry it across resumes, but
// 0.39–0.63 start again from zero in a resumed process. A drop in the counter therefore opens a new
// segment, and the session total is the sum of each segment's last value. A counter emitted again
// unchanged is the same usage, not more. Nothing is estimated: no counters, no numbers.
import type { RateLimits, TokenTotals } from "./events.js";
import type { SessionModel } from "./session-model.js";

export interface TurnUsage extends TokenTotals {
  turn: number;
}

export interface TokenUsageReport {
  total: TokenTotals | null;
  last_turn: TurnUsage | null;
  per_turn: TurnUsage[];
  model_context_window: number | null;
  /** Share of the context window the newest model request used (its input plus output). */
  context_used_percent: number | null;
  rate_limits: Pick<RateLimits, "primary" | "secondary"> | null;
  plan_type: string | null;
  /** Time of the newest counter or rate-limit reading used. */
  observed_at: string | null;
  /** Counter segments found (more than one: a resumed session whose CLI restarted the counter). */
  segments: number;
  note: string | null;
}

const ZERO: TokenTotals = { input: 0, cached_input: 0, output: 0, reasoning_output: 0, total: 0 };

export function tokenUsage(model: SessionModel): TokenUsageReport {
  let finished = ZERO;
  let segmentLast: TokenTotals | undefined;
  let segments = 0;
  let lastUsage: TokenTotals | undefined;
  let observedAt: string | undefined;
  let contextWindow: number | undefined;
  const cumulativeAtTurnEnd = new Map<number, TokenTotals>();

  for (const count of model.tokenCounts) {
    if (count.modelContextWindow !== undefined) contextWindow = count.modelContextWindow;
    if (!count.total) continue;
    if (segmentLast && count.total.total < segmentLast.total) {
      finished = add(finished, segmentLast);
      segmentLast = undefined;
    }
    if (!segmentLast) segments += 1;
    segmentLast = count.total;
    if (count.last) lastUsage = count.last;
    if (count.timestamp) observedAt = count.timestamp;
    cumulativeAtTurnEnd.set(count.turn, add(finished, segmentLast));
  }
  const total = segmentLast ? add(finished, segmentLast) : undefined;

  const perTurn = perTurnUsage(model, cumulativeAtTurnEnd);
  const limits = [...model.tokenCounts].reverse().find((count) => count.rateLimits && (count.rateLimits.primary || count.rateLimits.secondary));
  if (limits?.timestamp && (!observedAt || limits.timestamp > observedAt)) observedAt = limits.timestamp;
  for (const turn of model.turns) if (turn.modelContextWindow !== undefined) contextWindow ??= turn.modelContextWindow;

  return {
    total: total ?? null,
    last_turn: perTurn.at(-1) ?? null,
    per_turn: perTurn,
    model_context_window: contextWindow ?? null,
    context_used_percent: lastUsage && contextWindow ? Math.round((lastUsage.total / contextWindow) * 1000) / 10 : null,
    rate_limits: limits?.rateLimits ? { primary: limits.rateLimits.primary, secondary: limits.rateLimits.secondary } : null,
    plan_type: limits?.rateLimits?.plan_type ?? null,
    observed_at: observedAt ?? null,
    segments,
    note: total
      ? null
      : "This session's log holds no token counters (Codex writes them into rollouts from 0.31 on, after the first model response); no numbers are estimated.",
  };
}

function perTurnUsage(model: SessionModel, cumulativeAtTurnEnd: Map<number, TokenTotals>): TurnUsage[] {
  const recorded = new Map<number, TokenTotals>();
  for (const record of model.turnUsage) recorded.set(record.turn, record.usage);
  const result: TurnUsage[] = [];
  let before = ZERO;
  for (const turn of model.turns) {
    const cumulative = cumulativeAtTurnEnd.get(turn.index);
    const usage = recorded.get(turn.index) ?? (cumulative ? subtract(cumulative, before) : undefined);
    if (cumulative) before = cumulative;
    if (usage) result.push({ turn: turn.index, ...usage });
  }
  return result;
}

function add(a: TokenTotals, b: TokenTotals): TokenTotals {
  return {
    input: a.input + b.input,
    cached_input: a.cached_input + b.cached_input,
    output: a.output + b.output,
    reasoning_output: a.reasoning_output + b.reasoning_output,
    total: a.total + b.total,
  };
}

function subtract(a: TokenTotals, b: TokenTotals): TokenTotals {
  return {
    input: a.input - b.input,
    cached_input: a.cached_input - b.cached_input,
    output: a.output - b.output,
    reasoning_output: a.reasoning_output - b.reasoning_output,
    total: a.total - b.total,
  };
}
