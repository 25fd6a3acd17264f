// The cost estimate: list prices in USD per million tokens, from @pydantic/genai-prices (a maintained price
// table that covers OpenAI's Codex models: gpt-5-codex, gpt-5.1-codex, -mini, -max, gpt-5.2-codex, …), or
// from a JSON file the operator names, which wins for the models it lists. Cached input is priced at the
// cached rate; reasoning tokens are part of Codex's output count (`reasoning_output_tokens` is a subset of
// `output_tokens`), so they are priced once, as output, as OpenAI bills them. A model neither knows is
// unpriced: never guessed from a similar name here (the package's own matching rules apply to its table).
import { lstat, readFile } from "node:fs/promises";
import { z } from "zod";
import type { TokenTotals } from "../events.js";
import { ExplainedError } from "../../shared/errors.js";

/** The package and version the prices come from (test/sessions/report/cost.test.ts checks it against the installed one). */
export const PRICE_PACKAGE = "@pydantic/genai-prices 0.1.8";

const perMillion = z.number().finite().min(0).max(10_000);

/** The override file: `{ "as_of": "2026-12-01", "models": { "<model>": { "input": 1.25, "cached_input": 0.125, "output": 10 } } }` (USD per million tokens). */
export const priceFileSchema = z.object({
  as_of: z.string().max(64).optional(),
  models: z.record(
    z.string().min(1).max(200),
    z.object({ input: perMillion, cached_input: perMillion.optional(), output: perMillion }).strict(),
  ),
});
export type PriceFile = z.infer<typeof priceFileSchema>;

export interface Prices {
  source: string;
  /** USD for the tokens of one session of `model` started at `at`; undefined: no price known. */
  estimate(model: string | null, tokens: TokenTotals, at: string | null): number | undefined;
}

const MAX_PRICE_FILE_BYTES = 256 * 1024;
const MILLION = 1_000_000;

/** The prices: the package's, with the override file's models first (a missing file is no error when `optional`). */
export async function loadPrices(overridePath?: string, options: { optional?: boolean } = {}): Promise<Prices> {
  // the price table is large (800 KB): loaded by the report only, not at every server start
  calcPrice ??= (await import("@pydantic/genai-prices")).calcPrice;
  const override =
    overridePath !== undefined ? await readPriceFile(overridePath, options.optional ?? false) : undefined;
  const known = new Map<string, Rates | undefined>();
  return {
    source: override
      ? `${overridePath} (as of ${override.as_of ?? "an unstated date"}), then ${PRICE_PACKAGE}`
      : PRICE_PACKAGE,
    estimate(model, tokens, at) {
      if (model === null) return undefined;
      const own = override?.models[model];
      if (own) {
        const cached = Math.min(tokens.cached_input, tokens.input);
        return (
          ((tokens.input - cached) * own.input +
            cached * (own.cached_input ?? own.input) +
            tokens.output * own.output) /
          MILLION
        );
      }
      // the package's rates per model and day, looked up once: a report prices thousands of sessions of a few models
      const key = `${model}\u0000${at?.slice(0, 10) ?? ""}`;
      let rates = known.get(key);
      if (!known.has(key)) {
        rates = packageRates(model, at);
        known.set(key, rates);
      }
      if (rates === undefined) return undefined;
      const cached = Math.min(tokens.cached_input, tokens.input);
      if (rates === "tiered")
        return safeCalc(
          { input_tokens: tokens.input, cache_read_tokens: cached, output_tokens: tokens.output },
          model,
          at,
        );
      return ((tokens.input - cached) * rates.input + cached * rates.cached + tokens.output * rates.output) / MILLION;
    },
  };
}

let calcPrice: typeof import("@pydantic/genai-prices").calcPrice | undefined;

type Rates = { input: number; cached: number; output: number } | "tiered";

/** The package's flat rates for `model` (USD per million), "tiered" when they depend on the amount, undefined when unpriced. */
function packageRates(model: string, at: string | null): Rates | undefined {
  const found = calc({ input_tokens: MILLION, output_tokens: 0 }, model, at);
  if (!found) return undefined;
  const { input_mtok: input, cache_read_mtok: cached, output_mtok: output } = found.model_price;
  if (typeof input !== "number" || typeof output !== "number" || (cached !== undefined && typeof cached !== "number"))
    return "tiered";
  return { input, cached: cached ?? input, output };
}

function safeCalc(usage: Record<string, number>, model: string, at: string | null): number | undefined {
  return calc(usage, model, at)?.total_price;
}

function calc(
  usage: Record<string, number>,
  model: string,
  at: string | null,
): ReturnType<typeof import("@pydantic/genai-prices").calcPrice> | undefined {
  if (!calcPrice) return undefined;
  try {
    const when = at !== null && Number.isFinite(Date.parse(at)) ? new Date(at) : undefined;
    return calcPrice(usage, model, { providerId: "openai", ...(when && { timestamp: when }) }) ?? undefined;
  } catch {
    return undefined;
  }
}

async function readPriceFile(path: string, optional: boolean): Promise<PriceFile | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) {
    if (optional) return undefined;
    throw new ExplainedError(
      `the prices file ${path} does not exist: name an existing JSON file (see docs/fleet.md for its format).`,
    );
  }
  if (!info.isFile())
    throw new ExplainedError(
      `the prices file ${path} is not a regular file (symlinks are not followed): name the file itself.`,
    );
  if (info.size > MAX_PRICE_FILE_BYTES)
    throw new ExplainedError(
      `the prices file ${path} is larger than ${MAX_PRICE_FILE_BYTES / 1024} KB: keep only the models you price.`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new ExplainedError(
      `the prices file ${path} is not JSON (${(error as Error).message}): see docs/fleet.md for its format.`,
    );
  }
  const checked = priceFileSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new ExplainedError(
      `the prices file ${path} is not in the expected format (${issue?.path.join(".") || "top level"}: ${issue?.message ?? "invalid"}); expected {"models": {"<model>": {"input": <USD per 1M>, "cached_input": <USD per 1M>, "output": <USD per 1M>}}}.`,
    );
  }
  return checked.data;
}
