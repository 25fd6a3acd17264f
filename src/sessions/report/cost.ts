// The cost estimate: list prices in USD per million tokens, from @pydantic/genai-prices (a maintained price
// table that covers OpenAI's Codex models: gpt-5-codex, gpt-5.1-codex, -mini, -max, gpt-5.2-codex, …), or
// from a JSON file the operator names, which wins for the models it lists. Cached input is priced at the
// cached rate; reasoning tokens are part of Codex's output count (`reasoning_output_tokens` is a subset of
// `output_tokens`), so they are priced once, as output, as OpenAI bills them. A model neither knows is
// unpriced: never guessed from a similar name here (the package's own matching rules apply to its table, and
// its rule for `provider/model` names to those).
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { z } from "zod";
import { ExplainedError } from "../../shared/errors.js";
import type { LongPrompts } from "../usage.js";
import { costAt, ratesOfPrices, type PricedTokens, type Rates } from "./rates.js";

/** The package and version the prices come from (test/sessions/report/prices.test.ts checks it against the installed one and the extracted table). */
export const PRICE_PACKAGE = "@pydantic/genai-prices 0.1.8";

const perMillion = z.number().finite().min(0).max(10_000);

/** The override file: `{ "as_of": "2026-12-01", "models": { "<model>": { "input": 1.25, "cached_input": 0.125, "output": 10 } } }` (USD per million tokens). */
export const priceFileSchema = z.object({
  as_of: z.string().max(64).optional(),
  models: z.record(
    z.string().min(1).max(200),
    z
      .object({
        input: perMillion,
        cached_input: perMillion.optional(),
        output: perMillion,
        cache_write_input: perMillion.optional(),
      })
      .strict(),
  ),
});
export type PriceFile = z.infer<typeof priceFileSchema>;

export interface Prices {
  source: string;
  /**
   * USD for the tokens of one session of `model` started at `at`, of which `longPrompts` were spent by requests
   * with a long prompt (a tier of their own where the model has one); undefined: no price known.
   */
  estimate(
    model: string | null,
    tokens: PricedTokens,
    at: string | null,
    longPrompts?: LongPrompts | null | "unknown",
  ): number | undefined;
  /**
   * Loads what pricing `model` at `at` needs beyond the table in hand (the package, for a model the table
   * leaves to it); undefined when nothing: await it before `estimate`.
   */
  prepare?(model: string | null, at: string | null): Promise<void> | undefined;
  /** Names these prices (the package and the override file's content): tallies made with equal keys are reused. */
  key?: string;
}

const MAX_PRICE_FILE_BYTES = 256 * 1024;
const MILLION = 1_000_000;

/**
 * The prices: the package's, with the override file's models first (a missing file is no error when
 * `optional`). `table: false` asks the package for every model (the test holding both ways equal).
 */
export async function loadPrices(
  overridePath?: string,
  options: { optional?: boolean; table?: boolean } = {},
): Promise<Prices> {
  // the package's table is large (800 KB, 45 ms to load): its OpenAI part is in openai-prices.json, and the
  // package is loaded only for a model that part leaves to it (tiered, audio or image prices)
  const useTable = options.table ?? true;
  if (!useTable) await loadPackage();
  // its own chunk: a server that never reports does not parse it
  table ??= (await import("./openai-prices.json", { with: { type: "json" } })).default as unknown as PriceTable;
  const override = overridePath !== undefined ? readPriceFile(overridePath, options.optional ?? false) : undefined;
  // the file's own models only: a model a log names `constructor` or `toString` is no key of a plain object's
  // prototype (before, it was "priced" at NaN, which made the whole report's estimate null)
  const overrides = new Map(Object.entries(override?.models ?? {}));
  // the rates per model and day, looked up once: a report prices thousands of sessions of a few models
  const known = new Map<string, Map<string, Rates | null>>();
  const ratesOf = (model: string, at: string | null): Rates | undefined => {
    const day = at?.slice(0, 10) ?? "";
    let ofModel = known.get(model);
    if (!ofModel) {
      ofModel = new Map();
      known.set(model, ofModel);
    }
    const kept = ofModel.get(day);
    if (kept !== undefined) return kept ?? undefined;
    const found = useTable ? tableRates(model, at) : packageRates(model, at);
    const rates = found === "package" ? packageRates(model, at) : found;
    ofModel.set(day, rates ?? null);
    return rates;
  };
  return {
    source: override
      ? `${overridePath} (as of ${override.as_of ?? "an unstated date"}), then ${PRICE_PACKAGE}`
      : PRICE_PACKAGE,
    key: JSON.stringify([PRICE_PACKAGE, useTable, override ?? null]),
    prepare(model, at) {
      if (model === null || overrides.has(model) || calcPrice) return undefined;
      if (known.get(model)?.has(at?.slice(0, 10) ?? "")) return undefined;
      return tableRates(model, at) === "package" ? loadPackage() : undefined;
    },
    estimate(model, tokens, at, longPrompts = null) {
      if (model === null) return undefined;
      const own = overrides.get(model);
      // the operator's rates are flat: every request at them
      if (own)
        return costAt(
          {
            input: own.input,
            cached: own.cached_input ?? own.input,
            output: own.output,
            ...(own.cache_write_input !== undefined && { cacheWrite: own.cache_write_input }),
          },
          tokens,
          null,
        );
      const rates = ratesOf(model, at);
      return rates && costAt(rates, tokens, longPrompts);
    },
  };
}

let calcPrice: typeof import("@pydantic/genai-prices").calcPrice | undefined;

async function loadPackage(): Promise<void> {
  calcPrice ??= (await import("@pydantic/genai-prices")).calcPrice;
}

/** The package's rates for `model` (USD per million, with its long-prompt tier if any); undefined when unpriced. */
function packageRates(model: string, at: string | null): Rates | undefined {
  if (!calcPrice) throw new Error(`the price package is not loaded: await prices.prepare("${model}") first`);
  const found = calc({ input_tokens: MILLION, output_tokens: 0 }, model, at);
  if (!found) return undefined;
  const {
    input_mtok: input,
    cache_read_mtok: cached,
    output_mtok: output,
    cache_write_mtok: write,
  } = found.model_price;
  return ratesOfPrices(input, cached, output, write);
}

function calc(
  usage: Record<string, number>,
  model: string,
  at: string | null,
): ReturnType<typeof import("@pydantic/genai-prices").calcPrice> | undefined {
  if (!calcPrice) return undefined;
  try {
    const providerId = isProviderPrefixed(model) ? "litellm" : "openai";
    return calcPrice(usage, model, { providerId, ...(timeOf(at) && { timestamp: timeOf(at) }) }) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * A model named `provider/model`, as OpenRouter and LiteLLM name them (`openai/gpt-5.5`, a Codex whose
 * model_provider is one of them): priced as that provider's model by the package's own rule for such names
 * (its `litellm` provider splits them), or unpriced when the package knows no such provider or model.
 */
function isProviderPrefixed(model: string): boolean {
  return model.includes("/");
}

function timeOf(at: string | null): Date | undefined {
  return at !== null && Number.isFinite(Date.parse(at)) ? new Date(at) : undefined;
}

// The package's OpenAI table (scripts/prices.ts extracts it; test/sessions/report/prices.test.ts holds it
// equal to the installed package and this lookup equal to the package's own): its matching rules, in order.
type Match =
  | { or: Match[] }
  | { and: Match[] }
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string };
type TokenPrices = { input_mtok: number; cache_read_mtok?: number; output_mtok: number };
interface TableModel {
  id: string;
  match: Match;
  /** null: the package prices it (tiers, audio, images). */
  prices: TokenPrices | Array<{ constraint?: { start_date: string; type: string }; prices: TokenPrices }> | null;
}
interface PriceTable {
  package: string;
  models: TableModel[];
}
let table: PriceTable | undefined;

function matches(match: Match, id: string): boolean {
  if ("or" in match) return match.or.some((each) => matches(each, id));
  if ("and" in match) return match.and.every((each) => matches(each, id));
  if ("equals" in match) return id.toLowerCase() === match.equals.toLowerCase();
  if ("starts_with" in match) return id.toLowerCase().startsWith(match.starts_with.toLowerCase());
  if ("ends_with" in match) return id.toLowerCase().endsWith(match.ends_with.toLowerCase());
  if ("contains" in match) return id.toLowerCase().includes(match.contains.toLowerCase());
  if ("regex" in match) return new RegExp(match.regex).test(id);
  return false;
}

/** A date in a model name as the package normalises it before a second look (`-20250807` → `-2025-08-07`). */
const COMPACT_DATE = /(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

function withDashedDate(id: string): string {
  return id.replace(COMPACT_DATE, (whole, dash: string, year: string, month: string, day: string) => {
    const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    return date.getUTCFullYear() !== Number(year) ||
      date.getUTCMonth() !== Number(month) - 1 ||
      date.getUTCDate() !== Number(day)
      ? whole
      : `${dash}${year}-${month}-${day}`;
  });
}

/** Rates from the table, "package" for a model it leaves to the package, undefined when OpenAI has no such model. */
function tableRates(model: string, at: string | null): Rates | "package" | undefined {
  if (isProviderPrefixed(model)) return "package";
  const id = model.toLowerCase().trim();
  const dashed = withDashedDate(id);
  const models = table?.models ?? [];
  const found =
    models.find((entry) => matches(entry.match, id)) ??
    (dashed !== id ? models.find((entry) => matches(entry.match, dashed)) : undefined);
  if (!found) return undefined;
  if (found.prices === null) return "package";
  let prices: TokenPrices | undefined;
  if (!Array.isArray(found.prices)) prices = found.prices;
  else {
    const when = timeOf(at) ?? new Date();
    // the newest price whose start has come, else the first (as the package picks them)
    for (let i = found.prices.length - 1; i >= 0 && !prices; i--) {
      const entry = found.prices[i];
      if (!entry) continue;
      if (entry.constraint === undefined) prices = entry.prices;
      else if (entry.constraint.type !== "start_date") return "package";
      else if (when >= new Date(entry.constraint.start_date)) prices = entry.prices;
    }
    prices ??= found.prices[0]?.prices;
  }
  if (!prices) return "package";
  return { input: prices.input_mtok, cached: prices.cache_read_mtok ?? prices.input_mtok, output: prices.output_mtok };
}

/**
 * Read synchronously (at most 256 KB, once per report), so that a report loads no `node:fs/promises` for it
 * (~3 ms of a cold one); opened without following a link or waiting on a FIFO, so what is checked is what is read.
 */
function readPriceFile(path: string, optional: boolean): PriceFile | undefined {
  const read = readRegularText(path, MAX_PRICE_FILE_BYTES);
  if (read === "absent") {
    if (optional) return undefined;
    throw new ExplainedError(
      `the prices file ${path} does not exist: name an existing JSON file (see docs/fleet.md for its format).`,
    );
  }
  if (read === "not a regular file")
    throw new ExplainedError(
      `the prices file ${path} is not a regular file (symlinks are not followed): name the file itself.`,
    );
  if (read === "too large")
    throw new ExplainedError(
      `the prices file ${path} is larger than ${MAX_PRICE_FILE_BYTES / 1024} KB: keep only the models you price.`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text);
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

/** The file's text, or why not: a link or a FIFO is "not a regular file", never followed or waited on. */
function readRegularText(
  path: string,
  maxBytes: number,
): { text: string } | "absent" | "not a regular file" | "too large" {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return "absent";
    if (code === "ELOOP") return "not a regular file";
    throw new ExplainedError(
      `the prices file ${path} cannot be read (${code ?? String(error)}): make it readable or name another.`,
    );
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return "not a regular file";
    // the size is checked again as it is read: the file may grow meanwhile
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) return { text: buffer.toString("utf8", 0, length) };
      length += read;
      if (length > maxBytes) return "too large";
    }
  } finally {
    closeSync(fd);
  }
}
