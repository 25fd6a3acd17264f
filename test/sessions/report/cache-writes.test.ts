// Input written to the prompt cache (`cache_write_input_tokens`, in every token_count since 0.14x): part of
// `input_tokens`, as cached input is. Seen with the real Codex 0.171 against a local model answering
// `usage: {input_tokens: 1000, input_tokens_details: {cached_tokens: 200, cache_write_tokens: 300},
// output_tokens: 50}`: it logged input 1000, cached 200, cache_write 300, total 1050 (= input + output), so
// nothing is counted twice. The price package reads input the same way (calcPrice with input 1,000,000 of
// which 1,000,000 written costs the cache-write rate alone), and prices cache writes apart for the models
// whose price names a rate (GPT-5.6 and GPT-6: 1.25× input); elsewhere they are input, at its rate.
// Before: every cache write was priced at the input rate (the package's cache_write_mtok was not read).
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPrices } from "../../../src/sessions/index.js";
import { costAt, ratesOfPrices } from "../../../src/sessions/report/rates.js";

const AT = "2026-11-13T08:00:00.000Z";
// below the long-prompt tier (272K): one request of 100,000 input tokens
const tokens = { input: 100_000, cached_input: 20_000, output: 1_000, reasoning_output: 0, total: 101_000 };
const written = { ...tokens, cache_write_input: 30_000 };

describe("cache writes", () => {
  it("are priced at the model's cache-write rate where the package names one (gpt-5.6-luna)", async () => {
    const prices = await loadPrices();
    await prices.prepare?.("gpt-5.6-luna", AT);
    // since 2026-07-30 per million: input 0.2, cache write 0.25, cached 0.02, output 1.2
    // 50,000 × 0.2 + 30,000 × 0.25 + 20,000 × 0.02 + 1,000 × 1.2 = 19,100 per million
    expect(prices.estimate("gpt-5.6-luna", written, AT)).toBeCloseTo(0.0191, 12);
    // the package's own calculation agrees
    const { calcPrice } = await import("@pydantic/genai-prices");
    const own = calcPrice(
      { input_tokens: 100_000, cache_read_tokens: 20_000, cache_write_tokens: 30_000, output_tokens: 1_000 },
      "gpt-5.6-luna",
      { providerId: "openai", timestamp: new Date(AT) },
    );
    expect(own?.total_price).toBeCloseTo(0.0191, 12);
    // none written: 80,000 × 0.2 + 20,000 × 0.02 + 1,000 × 1.2
    expect(prices.estimate("gpt-5.6-luna", tokens, AT)).toBeCloseTo(0.0176, 12);
  });

  it("are input, at its rate, for a model whose price names no cache-write rate (gpt-5.1-codex)", async () => {
    const prices = await loadPrices();
    // 80,000 × 1.25 + 20,000 × 0.125 + 1,000 × 10 per million, written or not
    expect(prices.estimate("gpt-5.1-codex", written, AT)).toBeCloseTo(0.1125, 12);
    expect(prices.estimate("gpt-5.1-codex", tokens, AT)).toBeCloseTo(0.1125, 12);
  });

  it("never make a price below what was read, and a tiered rate holds its tier", () => {
    const tier = (base: number, price: number) => ({ base, tiers: [{ start: 271_999, price }] });
    expect(ratesOfPrices(tier(0.2, 0.4), tier(0.02, 0.04), tier(1.2, 1.8), tier(0.25, 0.5))).toEqual({
      input: 0.2,
      cached: 0.02,
      output: 1.2,
      cacheWrite: 0.25,
      long: { above: 271_999, input: 0.4, cached: 0.04, output: 1.8, cacheWrite: 0.5 },
    });
    // more written than the uncached input (a log written to be odd): at most that is priced as written
    const rates = { input: 1, cached: 0.1, output: 2, cacheWrite: 1.25 };
    expect(costAt(rates, { ...tokens, cache_write_input: 500_000 }, null)).toBeCloseTo(
      (80_000 * 1.25 + 20_000 * 0.1 + 1_000 * 2) / 1e6,
      12,
    );
  });

  it("in the operator's prices file, an optional cache_write_input rate", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-cache-writes-"));
    const file = join(dir, "prices.json");
    await writeFile(
      file,
      JSON.stringify({
        models: { "house-model": { input: 1, cached_input: 0.1, output: 2, cache_write_input: 1.25 } },
      }),
    );
    const prices = await loadPrices(file);
    // 50,000 × 1 + 30,000 × 1.25 + 20,000 × 0.1 + 1,000 × 2
    expect(prices.estimate("house-model", written, AT)).toBeCloseTo(0.0915, 12);
  });
});
