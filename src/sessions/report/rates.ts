// Rates per million tokens and what a session's usage costs at them. A long-context tier (GPT-5.4, 5.5 and
// later: a request whose prompt is over 272K tokens is priced higher, the whole request) is a request's, not a
// session's: the requests the ledger counted as long (usage.ts LONG_PROMPT_TOKENS) are priced at the tier and
// the rest at the base. Pure functions.
import type { TokenTotals } from "../events.js";
import { LONG_PROMPT_TOKENS, subtractTokens, type LongPrompts } from "../usage.js";

export interface FlatRates {
  input: number;
  cached: number;
  output: number;
  /** Input written to the prompt cache, where its price differs (GPT-5.6, GPT-6: 1.25× input); absent: as input. */
  cacheWrite?: number;
}

/**
 * What is priced: a session's counters, with the part of its input Codex reports as written to the prompt
 * cache (`cache_write_input_tokens`, 0.14x+; like `cached_input_tokens`, part of `input_tokens`: Codex's
 * `total_tokens` is input + output, and the price package reads input the same way).
 */
export type PricedTokens = TokenTotals & { cache_write_input?: number };

/** `long`: the rates of a request whose prompt has more than `above` input tokens. */
export interface Rates extends FlatRates {
  long?: FlatRates & { above: number };
}

const MILLION = 1_000_000;

/** What a price table says of one kind of token: a flat rate, or a base and the tiers above it. */
export type TieredPrice = number | { base: number; tiers: Array<{ start: number; price: number }> } | undefined;

/**
 * The rates of a model whose input, cached-input and output prices may each be tiered; undefined when the
 * tiers are of a shape these rates cannot hold exactly (more than one, or at different starts).
 */
export function ratesOfPrices(
  input: TieredPrice,
  cached: TieredPrice,
  output: TieredPrice,
  cacheWrite?: TieredPrice,
): Rates | undefined {
  const prices = [input, cached ?? input, output, cacheWrite ?? input];
  const tiered = prices.filter((price): price is Exclude<TieredPrice, number | undefined> => typeof price === "object");
  const base = prices.map((price) => (typeof price === "object" ? price.base : price));
  const [baseInput, baseCached, baseOutput, baseWrite] = base;
  if (baseInput === undefined || baseCached === undefined || baseOutput === undefined) return undefined;
  const flat = { input: baseInput, cached: baseCached, output: baseOutput, ...writeRate(cacheWrite, baseWrite) };
  if (tiered.length === 0) return flat;
  const above = tiered[0]?.tiers[0]?.start;
  if (above === undefined || tiered.some((price) => price.tiers.length !== 1 || price.tiers[0]?.start !== above))
    return undefined;
  const [longInput, longCached, longOutput, longWrite] = prices.map((price) =>
    typeof price === "object" ? price.tiers[0]?.price : price,
  );
  if (longInput === undefined || longCached === undefined || longOutput === undefined) return undefined;
  return {
    ...flat,
    long: { above, input: longInput, cached: longCached, output: longOutput, ...writeRate(cacheWrite, longWrite) },
  };
}

/** A cache-write rate only where the price names one (else cache writes are input, at its rate). */
function writeRate(price: TieredPrice, rate: number | undefined): { cacheWrite?: number } {
  return price !== undefined && rate !== undefined ? { cacheWrite: rate } : {};
}

/**
 * USD for a session's usage; undefined when its long requests cannot be told apart at this tier's start, or
 * are `unknown` (a child whose own requests its file does not tell from its parent's).
 */
export function costAt(
  rates: Rates,
  tokens: PricedTokens,
  longPrompts: LongPrompts | null | "unknown",
): number | undefined {
  const { long } = rates;
  if (!long) return costOf(rates, tokens);
  if (longPrompts === "unknown") return undefined;
  // the ledger sums requests from LONG_PROMPT_TOKENS on: a tier that starts lower, or a long request at or
  // below this tier's start, cannot be priced from the sums (never guessed)
  if (long.above < LONG_PROMPT_TOKENS - 1) return undefined;
  if (longPrompts && longPrompts.smallestInput <= long.above) return undefined;
  if (!longPrompts) return costOf(rates, tokens);
  const longTokens = atMost(longPrompts.tokens, tokens);
  return costOf(rates, subtractTokens(tokens, longTokens)) + costOf(long, longTokens);
}

function costOf(rates: FlatRates, tokens: PricedTokens): number {
  const cached = Math.min(tokens.cached_input, tokens.input);
  // written to the cache: part of the input, priced apart only where the model's price names a rate for it
  const written = rates.cacheWrite !== undefined ? Math.min(tokens.cache_write_input ?? 0, tokens.input - cached) : 0;
  return (
    ((tokens.input - cached - written) * rates.input +
      cached * rates.cached +
      written * (rates.cacheWrite ?? rates.input) +
      tokens.output * rates.output) /
    MILLION
  );
}

function atMost(part: TokenTotals, whole: TokenTotals): TokenTotals {
  return {
    input: Math.min(part.input, whole.input),
    cached_input: Math.min(part.cached_input, whole.cached_input),
    output: Math.min(part.output, whole.output),
    reasoning_output: Math.min(part.reasoning_output, whole.reasoning_output),
    total: Math.min(part.total, whole.total),
    ...(part.cache_write_input !== undefined && {
      cache_write_input: Math.min(part.cache_write_input, whole.cache_write_input ?? 0),
    }),
  };
}
