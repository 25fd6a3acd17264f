// The OpenAI part of @pydantic/genai-prices kept in src/sessions/report/openai-prices.json (so a report does
// not load the package's whole table): it is the installed package's data, and pricing from it gives what the
// package itself gives, for every OpenAI model name the package knows (and names it does not).
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { extractOpenAiPrices, PRICES_FILE, pricesFileText } from "../../../scripts/prices.js";
import { loadPrices, PRICE_PACKAGE } from "../../../src/sessions/report/cost.js";

const tokens = { input: 1_234_567, cached_input: 345_678, output: 98_765, reasoning_output: 40_000, total: 1_333_332 };

type Match = Record<string, unknown>;

/** Model names the table's match rules name, plus the ways a log may spell them. */
function namesIn(match: Match, into: Set<string>): void {
  for (const each of [...((match.or as Match[]) ?? []), ...((match.and as Match[]) ?? [])]) namesIn(each, into);
  if (typeof match.equals === "string") into.add(match.equals);
  if (typeof match.starts_with === "string") into.add(`${match.starts_with}-x`).add(match.starts_with);
  if (typeof match.ends_with === "string") into.add(`x-${match.ends_with}`);
  if (typeof match.contains === "string") into.add(`x-${match.contains}-y`);
  if (typeof match.regex === "string")
    into.add(
      match.regex
        .replace(/^\^|\$$/g, "")
        .replace(/\\d\{(\d)\}/g, (_, n: string) => "2".repeat(Number(n)))
        .replace(/\\\./g, "."),
    );
}

describe("the prices table", () => {
  it("loads the package only for a model the table leaves to it", async () => {
    // first in this file: the package is loaded once per process
    const prices = await loadPrices();
    expect(prices.prepare?.("gpt-5.1-codex", "2026-11-10T08:00:00Z")).toBeUndefined();
    expect(prices.prepare?.("house-model", "2026-11-10T08:00:00Z")).toBeUndefined();
    expect(prices.estimate("gpt-5.1-codex", tokens, "2026-11-10T08:00:00Z")).toBeCloseTo(
      ((1_234_567 - 345_678) * 1.25 + 345_678 * 0.125 + 98_765 * 10) / 1e6,
      12,
    );
    // gpt-5.5's prices are tiered: the package computes them
    expect(() => prices.estimate("gpt-5.5", tokens, "2026-11-10T08:00:00Z")).toThrow(/not loaded/);
    const loading = prices.prepare?.("gpt-5.5", "2026-11-10T08:00:00Z");
    expect(loading).toBeInstanceOf(Promise);
    await loading;
    expect(prices.estimate("gpt-5.5", tokens, "2026-11-10T08:00:00Z")).toBeGreaterThan(0);
  });

  it("is the installed package's OpenAI data (else: npx tsx scripts/prices.ts)", async () => {
    expect(await readFile(PRICES_FILE, "utf8")).toBe(await pricesFileText());
    expect((JSON.parse(await readFile(PRICES_FILE, "utf8")) as { package: string }).package).toBe(PRICE_PACKAGE);
  });

  it("prices every OpenAI model name as the package does, at every date", async () => {
    const table = (await extractOpenAiPrices()) as { models: Array<{ id: string; match: Match }> };
    const names = new Set<string>(["house-model", "gpt-5.1-codex-20251113", "gpt-4o-20240806", "gpt-5-20250807"]);
    for (const model of table.models) namesIn(model.match, names.add(model.id));
    for (const name of [...names]) names.add(name.toUpperCase()).add(` ${name} `);
    const fromTable = await loadPrices();
    const fromPackage = await loadPrices(undefined, { table: false });
    const dates = [
      null,
      "2024-01-01T00:00:00Z",
      "2025-06-09T23:59:59Z",
      "2025-06-10T00:00:00Z",
      "2026-07-30T12:00:00Z",
      "2026-11-10T08:00:00Z",
    ];
    let priced = 0;
    for (const name of names)
      for (const at of dates) {
        await fromTable.prepare?.(name, at);
        const expected = fromPackage.estimate(name, tokens, at);
        expect([name, at, fromTable.estimate(name, tokens, at)]).toEqual([name, at, expected]);
        if (expected !== undefined) priced += 1;
      }
    // the comparison is not vacuous: most names are priced, some are not
    expect(priced).toBeGreaterThan(names.size * 4);
    expect(priced).toBeLessThan(names.size * dates.length);
  });
});
