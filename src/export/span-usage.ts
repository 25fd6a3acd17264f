// A session's token usage as span attributes (the GenAI conventions' gen_ai.usage.*): each turn span carries
// its turn's, the root the session's, and what no turn carries goes on a span of its own (remainderOf), so a
// backend that adds up a trace's turn spans gets the session's total, as the report counts it.
import type { Attributes } from "@opentelemetry/api";
import { subtractTokens } from "../sessions/index.js";

export interface TurnUsage {
  input: number;
  cached_input: number;
  output: number;
  reasoning_output: number;
  cache_write_input?: number;
}

const USAGE_FIELDS = ["input", "cached_input", "output", "reasoning_output"] as const;

/**
 * The session's usage less what its turn spans carry, when some is left and none goes below zero (a turn's
 * usage above the session's total has no span to take it from); undefined when the turns carry it all.
 */
export function remainderOf(
  total: TurnUsage,
  turns: ReadonlyArray<{ index: number }>,
  perTurn: ReadonlyMap<number, TurnUsage>,
): TurnUsage | undefined {
  // the session's figures without its `total`: a turn's carry none
  let left: TurnUsage = {
    input: total.input,
    cached_input: total.cached_input,
    output: total.output,
    reasoning_output: total.reasoning_output,
    ...(total.cache_write_input !== undefined && { cache_write_input: total.cache_write_input }),
  };
  for (const turn of turns) {
    const usage = perTurn.get(turn.index);
    if (usage) left = subtractTokens(left, usage);
  }
  const writes = left.cache_write_input;
  if (USAGE_FIELDS.some((field) => left[field] < 0) || (writes !== undefined && writes < 0)) return undefined;
  if (USAGE_FIELDS.every((field) => left[field] === 0) && !writes) return undefined;
  return left;
}

export function usageAttributes(tokens: TurnUsage | null): Attributes {
  if (!tokens) return {};
  return {
    "gen_ai.usage.input_tokens": tokens.input,
    "gen_ai.usage.output_tokens": tokens.output,
    "gen_ai.usage.cache_read.input_tokens": tokens.cached_input,
    "gen_ai.usage.reasoning.output_tokens": tokens.reasoning_output,
    // the GenAI conventions' name for input written to a provider-managed cache (part of input_tokens, as
    // the convention asks); only where the log counts some, as token_usage shows it
    ...(tokens.cache_write_input !== undefined && {
      "gen_ai.usage.cache_creation.input_tokens": tokens.cache_write_input,
    }),
  };
}
