// Adding and subtracting token figures, field by field (a session's totals, a turn's, a day's).
import type { TokenTotals } from "./events.js";

export const ZERO: TokenTotals = { input: 0, cached_input: 0, output: 0, reasoning_output: 0, total: 0 };

export function add(a: TokenTotals, b: TokenTotals): TokenTotals {
  const sum: TokenTotals = {
    input: a.input + b.input,
    cached_input: a.cached_input + b.cached_input,
    output: a.output + b.output,
    reasoning_output: a.reasoning_output + b.reasoning_output,
    total: a.total + b.total,
  };
  // counted by either: a session an older CLI began and 0.14x+ resumed counts it from then on
  if (a.cache_write_input !== undefined || b.cache_write_input !== undefined)
    sum.cache_write_input = (a.cache_write_input ?? 0) + (b.cache_write_input ?? 0);
  return sum;
}

/** Token figures with or without a `total`: a turn's span carries none (export/span-usage.ts). */
export type TokenFigures = Omit<TokenTotals, "total"> & { total?: number };

/**
 * `a` less `b`, field by field; `total` and `cache_write_input` only where `a` counts them: what `a` does not
 * count is not known below it either (a parent's writes are not a child's negative ones), and a `b` that does
 * not count its writes took none from `a`'s.
 */
export function subtract<T extends TokenFigures>(a: T, b: TokenFigures): T {
  const difference: TokenFigures = {
    input: a.input - b.input,
    cached_input: a.cached_input - b.cached_input,
    output: a.output - b.output,
    reasoning_output: a.reasoning_output - b.reasoning_output,
  };
  if (a.total !== undefined) difference.total = a.total - (b.total ?? 0);
  if (a.cache_write_input !== undefined)
    difference.cache_write_input = a.cache_write_input - (b.cache_write_input ?? 0);
  return difference as T;
}
