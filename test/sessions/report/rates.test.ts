// Rates from a price table's tiers, and a session's cost at them: what cannot be priced exactly is unpriced.
import { describe, expect, it } from "vitest";
import { costAt, ratesOfPrices } from "../../../src/sessions/report/rates.js";

/** Rates the test needs to exist: a missing one fails here, never passes an assertion by being undefined. */
const ratesOf = (...prices: Parameters<typeof ratesOfPrices>) => {
  const rates = ratesOfPrices(...prices);
  if (!rates) throw new Error(`no rates for ${JSON.stringify(prices)}`);
  return rates;
};
const tier = (base: number, price: number, start = 271_999) => ({ base, tiers: [{ start, price }] });
const tokens = { input: 1_000_000, cached_input: 600_000, output: 20_000, reasoning_output: 5_000, total: 1_020_000 };
const long = {
  tokens: { input: 300_000, cached_input: 200_000, output: 4_000, reasoning_output: 1_000, total: 304_000 },
  smallestInput: 300_000,
};

describe("rates of a price table", () => {
  it("keep a flat model flat, and a long-prompt tier with its start", () => {
    expect(ratesOfPrices(1.25, 0.125, 10)).toEqual({ input: 1.25, cached: 0.125, output: 10 });
    expect(ratesOfPrices(2, undefined, 8)).toEqual({ input: 2, cached: 2, output: 8 });
    expect(ratesOfPrices(tier(2.5, 5), tier(0.25, 0.5), tier(15, 22.5))).toEqual({
      input: 2.5,
      cached: 0.25,
      output: 15,
      long: { above: 271_999, input: 5, cached: 0.5, output: 22.5 },
    });
  });

  it("are none for tiers they cannot hold: two of them, or at different starts", () => {
    const two = {
      base: 2.5,
      tiers: [
        { start: 128_000, price: 4 },
        { start: 271_999, price: 5 },
      ],
    };
    expect(ratesOfPrices(two, 0.25, 15)).toBeUndefined();
    expect(ratesOfPrices(tier(2.5, 5), tier(0.25, 0.5, 200_000), 15)).toBeUndefined();
  });
});

describe("a session's cost", () => {
  const rates = ratesOf(tier(2.5, 5), tier(0.25, 0.5), tier(15, 22.5));

  it("prices its long requests at the tier and the rest at the base", () => {
    // base: 300,000 × 2.5 + 400,000 × 0.25 + 16,000 × 15; long: 100,000 × 5 + 200,000 × 0.5 + 4,000 × 22.5
    expect(costAt(rates, tokens, long)).toBeCloseTo(
      (750_000 + 100_000 + 240_000 + 500_000 + 100_000 + 90_000) / 1e6,
      12,
    );
    expect(costAt(rates, tokens, null)).toBeCloseTo((1_000_000 + 150_000 + 300_000) / 1e6, 12);
  });

  it("is unknown where the ledger's long requests cannot be split at the tier's start", () => {
    // a tier from 400K: the 300K request is under it, but the sums cannot say which requests were
    const higher = ratesOf(tier(2.5, 5, 400_000), tier(0.25, 0.5, 400_000), tier(15, 22.5, 400_000));
    expect(costAt(higher, tokens, long)).toBeUndefined();
    // without a long request, any start is exact
    expect(costAt(higher, tokens, null)).toBeCloseTo(1.45, 12);
    // a tier from 128K: requests between 128K and 272K are not in the ledger's long sums
    const lower = ratesOf(tier(2.5, 5, 128_000), tier(0.25, 0.5, 128_000), tier(15, 22.5, 128_000));
    expect(costAt(lower, tokens, null)).toBeUndefined();
    // and a child's long requests that its file cannot tell from its parent's
    expect(costAt(rates, tokens, "unknown")).toBeUndefined();
    // a flat model has no tier to tell them apart for: 400,000 × 1.25 + 600,000 × 0.125 + 20,000 × 10 per million
    expect(costAt(ratesOf(1.25, 0.125, 10), tokens, "unknown")).toBeCloseTo(0.775, 12);
  });
});
