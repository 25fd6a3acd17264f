// npx tsx scripts/prices.ts: writes src/sessions/report/openai-prices.json, the OpenAI part of the pinned
// @pydantic/genai-prices table, so that a report does not load the package's 800 KB table (45 ms of a
// cold report) for the models Codex runs. test/sessions/report/prices.test.ts fails when the file no longer
// matches the installed package (run this after upgrading it) and holds the two ways of pricing equal.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";

export const PRICES_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "src",
  "sessions",
  "report",
  "openai-prices.json",
);

/** Price keys the report prices itself; a model with any other (audio, images, tiers) is left to the package. */
const TOKEN_KEYS = new Set(["input_mtok", "cache_read_mtok", "output_mtok"]);
/** Prices per search: no Codex token count is one, so they price nothing here (as in the package, given tokens only). */
const COUNT_KEYS = new Set(["web_searches_kcount", "storage_searches_kcount"]);

type Prices = Record<string, unknown>;

function simple(prices: Prices): boolean {
  return (
    typeof prices.input_mtok === "number" &&
    typeof prices.output_mtok === "number" &&
    Object.entries(prices).every(
      ([key, value]) => (TOKEN_KEYS.has(key) || COUNT_KEYS.has(key)) && typeof value === "number",
    )
  );
}

function tokenPrices(prices: Prices): Prices {
  return Object.fromEntries(Object.entries(prices).filter(([key]) => TOKEN_KEYS.has(key)));
}

/** The table as the report keeps it: every OpenAI model in the package's order (the first match wins), with its prices when they are simple. */
export async function extractOpenAiPrices(): Promise<unknown> {
  const { findProvider } = await import("@pydantic/genai-prices");
  const provider = findProvider({ providerId: "openai" });
  if (!provider) throw new Error("@pydantic/genai-prices has no provider openai");
  if (provider.fallback_model_providers?.length)
    throw new Error("the openai provider now falls back to other providers: extend the extraction");
  const installed = JSON.parse(
    await readFile(
      join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", "@pydantic", "genai-prices", "package.json"),
      "utf8",
    ),
  ) as { version: string };
  return {
    package: `@pydantic/genai-prices ${installed.version}`,
    provider: provider.id,
    models: provider.models.map((model) => {
      const entries = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
      const plain = entries.every(
        (entry) =>
          simple(entry.prices as Prices) && (entry.constraint === undefined || entry.constraint.type === "start_date"),
      );
      // null: priced by the package itself (loaded then)
      if (!plain) return { id: model.id, match: model.match, prices: null };
      const prices = Array.isArray(model.prices)
        ? model.prices.map((entry) => ({ ...entry, prices: tokenPrices(entry.prices as Prices) }))
        : tokenPrices(model.prices as Prices);
      return { id: model.id, match: model.match, prices };
    }),
  };
}

export async function pricesFileText(): Promise<string> {
  const options = (await resolveConfig(PRICES_FILE)) ?? {};
  return format(JSON.stringify(await extractOpenAiPrices()), { ...options, parser: "json" });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(PRICES_FILE, await pricesFileText());
}
