// A session's usage by the model each turn ran: Codex lets a session switch models between turns (`/model`,
// a resume with `-m`), and each part is priced at its own model's rates. Pure functions over the fold.
import type { TokenTotals } from "../events.js";
import type { SessionModel } from "../session-model.js";
import { addTokens, NO_TOKENS, subtractTokens, type LongPrompts } from "../usage.js";

export interface ModelUsage {
  /** As Codex records it; null: no turn_context of the session named one. */
  model: string | null;
  tokens: TokenTotals;
  longPrompts: LongPrompts | null;
}

/** The parts a digest keeps at most (it is a few hundred bytes). */
const MAX_MODELS = 8;

/**
 * The session's own usage (`total`) by model, in the order the models first ran; null when its turns ran one
 * model (all of it is the session's model's). What the per-turn growth does not account for (counters before
 * the first turn) goes to the model of the last turn that used tokens.
 */
export function usageByModel(model: SessionModel, total: TokenTotals | null): ModelUsage[] | null {
  if (!total || !switchedModels(model)) return null;
  const modelOfTurn = new Map<number, string | null>();
  // usage before any turn named a model is the last model's, as a session of one model is priced
  let current: string | null = model.lastContext?.model ?? null;
  for (const turn of model.turns) {
    current = turn.model ?? current; // a turn_context without a model keeps the one before
    modelOfTurn.set(turn.index, current);
  }
  const parts = new Map<string | null, ModelUsage>();
  let last: ModelUsage | undefined;
  let counted = NO_TOKENS;
  for (const usage of model.tokens.perTurn()) {
    const name = modelOfTurn.get(usage.turn) ?? model.lastContext?.model ?? null;
    const part = parts.get(name) ?? { model: name, tokens: NO_TOKENS, longPrompts: null };
    const { turn: _turn, ...tokens } = usage;
    part.tokens = addTokens(part.tokens, tokens);
    part.longPrompts = merged(part.longPrompts, model.tokens.longPromptsByTurn.get(usage.turn));
    parts.set(name, part);
    counted = addTokens(counted, tokens);
    last = part;
  }
  // more models than any session switches between (a log written to be odd): priced whole, at its last model
  if (!last || parts.size > MAX_MODELS) return null;
  const rest = subtractTokens(total, counted);
  if (Object.values(rest).some((value) => value !== 0)) last.tokens = addTokens(last.tokens, rest);
  // a turn whose counter went back (a restarted segment) gave nothing back: no part is priced below zero
  for (const part of parts.values()) part.tokens = atLeastZero(part.tokens);
  return [...parts.values()];
}

function switchedModels(model: SessionModel): boolean {
  let first: string | undefined;
  for (const turn of model.turns) {
    if (turn.model === undefined) continue;
    first ??= turn.model;
    if (turn.model !== first) return true;
  }
  return false;
}

/** A part cannot have given back what it used. */
function atLeastZero(tokens: TokenTotals): TokenTotals {
  return {
    input: Math.max(0, tokens.input),
    cached_input: Math.max(0, tokens.cached_input),
    output: Math.max(0, tokens.output),
    reasoning_output: Math.max(0, tokens.reasoning_output),
    total: Math.max(0, tokens.total),
  };
}

function merged(sums: LongPrompts | null, more: LongPrompts | undefined): LongPrompts | null {
  if (!more) return sums;
  if (!sums) return more;
  return {
    tokens: addTokens(sums.tokens, more.tokens),
    smallestInput: Math.min(sums.smallestInput, more.smallestInput),
  };
}
