// The cost estimate on sessions of a known price, the operator's override file, and the report command.
import { execFileSync } from "node:child_process";
import { readFile, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { PRICE_PACKAGE } from "../../../src/sessions/report/cost.js";
import { makeHome, runCli, writeSession, type SessionSpec } from "../../support/report-homes.js";

const million: SessionSpec = {
  id: "0199dddd-0000-7000-8000-000000000031",
  start: "2026-11-10T08:00:00.000Z",
  model: "gpt-5.1-codex",
  // 1,000,000 input of which 400,000 cached, 100,000 output of which 50,000 reasoning
  turns: [{ prompt: "big", total: { input: 1_000_000, cached: 400_000, output: 100_000, reasoning: 50_000 } }],
};
const own: SessionSpec = {
  ...million,
  id: "0199dddd-0000-7000-8000-000000000032",
  start: "2026-11-11T08:00:00.000Z",
  model: "house-model",
};

let home: string;
beforeAll(async () => {
  home = await makeHome();
  await writeSession(home, million);
  await writeSession(home, own);
});

const request = { includeArchived: false, groupBy: "model" as const };

describe("the cost estimate", () => {
  it("prices input, cached input and output at the package's rates, reasoning once as output", async () => {
    const report = await sessionsReport(new SessionStore(home), request, { prices: await loadPrices() });
    // gpt-5.1-codex: 600,000 × $1.25 + 400,000 × $0.125 + 100,000 × $10 per million = $0.75 + $0.05 + $1.00
    expect(report.rows.find((row) => row.key === "gpt-5.1-codex")?.cost).toEqual({
      estimate_usd: 1.8,
      priced_sessions: 1,
      unpriced_sessions: 0,
      unpriced_models: [],
    });
    // never guessed
    expect(report.rows.find((row) => row.key === "house-model")?.cost).toEqual({
      estimate_usd: null,
      priced_sessions: 0,
      unpriced_sessions: 1,
      unpriced_models: ["house-model"],
    });
    expect(report.price_source).toBe(PRICE_PACKAGE);
  });

  it("prices a model named as OpenRouter and LiteLLM name it (openai/gpt-5.5) by the package's rule for such names", async () => {
    const prefixedHome = await makeHome();
    const usage = { input: 100_000, cached: 40_000, output: 10_000, reasoning: 0 };
    const spec = (n: number, model: string): SessionSpec => ({
      id: `0199dddd-0000-7000-8000-00000000004${n}`,
      start: "2026-11-12T08:00:00.000Z",
      model,
      turns: [{ prompt: "hi", total: usage }],
    });
    await writeSession(prefixedHome, spec(1, "openai/gpt-5.5"));
    await writeSession(prefixedHome, spec(2, "gpt-5.5"));
    await writeSession(prefixedHome, spec(3, "meta-llama/llama-3.1-8b"));
    const report = await sessionsReport(new SessionStore(prefixedHome), request, { prices: await loadPrices() });
    const { calcPrice } = await import("@pydantic/genai-prices");
    const oracle = calcPrice(
      { input_tokens: usage.input, cache_read_tokens: usage.cached, output_tokens: usage.output },
      "openai/gpt-5.5",
      { providerId: "litellm", timestamp: new Date("2026-11-12T08:00:00.000Z") },
    );
    // OpenAI's gpt-5.5: 60,000 × $5 + 40,000 × $0.5 + 10,000 × $30 per million
    expect([oracle?.provider.id, oracle?.model.id, oracle?.total_price]).toEqual(["openai", "gpt-5.5", 0.62]);
    const costOf = (key: string) => report.rows.find((row) => row.key === key)?.cost;
    expect(costOf("openai/gpt-5.5")).toEqual({
      estimate_usd: 0.62,
      priced_sessions: 1,
      unpriced_sessions: 0,
      unpriced_models: [],
    });
    expect(costOf("gpt-5.5")?.estimate_usd).toBe(0.62);
    // a provider the package does not know: unpriced, never guessed
    expect(costOf("meta-llama/llama-3.1-8b")?.unpriced_models).toEqual(["meta-llama/llama-3.1-8b"]);
  });

  it("names the installed package version", async () => {
    const installed = JSON.parse(
      await readFile(
        join(
          dirname(fileURLToPath(import.meta.url)),
          "..",
          "..",
          "..",
          "node_modules",
          "@pydantic",
          "genai-prices",
          "package.json",
        ),
        "utf8",
      ),
    ) as { version: string };
    expect(PRICE_PACKAGE).toBe(`@pydantic/genai-prices ${installed.version}`);
  });

  it("takes the operator's file first, for the models it lists", async () => {
    const file = join(dirname(home), "prices.json");
    await writeFile(
      file,
      JSON.stringify({
        as_of: "2026-12-01",
        models: {
          "house-model": { input: 2, cached_input: 0.5, output: 8 },
          "gpt-5.1-codex": { input: 1, output: 10 },
        },
      }),
    );
    const report = await sessionsReport(new SessionStore(home), request, { prices: await loadPrices(file) });
    // 600,000 × 2 + 400,000 × 0.5 + 100,000 × 8 = 1.2 + 0.2 + 0.8
    expect(report.rows.find((row) => row.key === "house-model")?.cost.estimate_usd).toBe(2.2);
    // no cached rate given: cached input at the input rate
    expect(report.rows.find((row) => row.key === "gpt-5.1-codex")?.cost.estimate_usd).toBe(2);
    expect(report.price_source).toBe(`${file} (as of 2026-12-01), then ${PRICE_PACKAGE}`);
  });

  it("prices no model a log names like an object's key (constructor, input) from the operator's file", async () => {
    // before: `constructor` was found on the models object's prototype, "priced" at NaN, and the total's
    // estimate became null; a `__proto__` key in the file made `input` a model it priced
    const odd = await makeHome();
    await writeSession(odd, million);
    for (const [index, model] of ["constructor", "input"].entries())
      await writeSession(odd, { ...million, id: `0199dddd-0000-7000-8000-00000000004${index}`, model });
    const file = join(dirname(odd), "prices.json");
    await writeFile(
      file,
      `{"models": {"__proto__": {"input": 1, "output": 1}, "gpt-5.1-codex": {"input": 1, "output": 10}}}`,
    );
    const report = await sessionsReport(new SessionStore(odd), request, { prices: await loadPrices(file) });
    expect(report.rows.map((row) => [row.key, row.cost])).toEqual([
      [
        "constructor",
        { estimate_usd: null, priced_sessions: 0, unpriced_sessions: 1, unpriced_models: ["constructor"] },
      ],
      ["gpt-5.1-codex", { estimate_usd: 2, priced_sessions: 1, unpriced_sessions: 0, unpriced_models: [] }],
      ["input", { estimate_usd: null, priced_sessions: 0, unpriced_sessions: 1, unpriced_models: ["input"] }],
    ]);
    // 1,000,000 × 1 + 100,000 × 10 per million
    expect(report.total.cost).toEqual({
      estimate_usd: 2,
      priced_sessions: 1,
      unpriced_sessions: 2,
      unpriced_models: ["constructor", "input"],
    });
  });

  it("refuses a prices file it cannot trust, saying what to fix", async () => {
    const dir = dirname(home);
    await writeFile(join(dir, "bad.json"), JSON.stringify({ models: { m: { input: -1, output: 1 } } }));
    await expect(loadPrices(join(dir, "bad.json"))).rejects.toThrow(
      /not in the expected format \(models\.m\.input: .*\); expected \{"models"/,
    );
    await writeFile(join(dir, "torn.json"), "{");
    await expect(loadPrices(join(dir, "torn.json"))).rejects.toThrow(/is not JSON/);
    await symlink(join(dir, "prices.json"), join(dir, "link.json")).catch(() => undefined);
    await expect(loadPrices(join(dir, "link.json"))).rejects.toThrow(/symlinks are not followed/);
    await expect(loadPrices(join(dir, "missing.json"))).rejects.toThrow(/does not exist/);
    // a FIFO is refused, not waited on; a file over 256 KB is refused, not read whole
    execFileSync("mkfifo", [join(dir, "fifo.json")]);
    await expect(loadPrices(join(dir, "fifo.json"))).rejects.toThrow(/fifo\.json is not a regular file/);
    await writeFile(join(dir, "large.json"), `{"models": {}}${" ".repeat(256 * 1024)}`);
    await expect(loadPrices(join(dir, "large.json"))).rejects.toThrow(/large\.json is larger than 256 KB/);
    // a file whose text is one of the reader's own answers is read as text
    await writeFile(join(dir, "words.json"), "absent");
    await expect(loadPrices(join(dir, "words.json"), { optional: true })).rejects.toThrow(/words\.json is not JSON/);
    // control: under the limit, the same file is read
    await writeFile(join(dir, "large.json"), `{"models": {}}${" ".repeat(256 * 1024 - 20)}`);
    expect((await loadPrices(join(dir, "large.json"))).source).toMatch(/large\.json \(as of an unstated date\)/);
    // the server's default file is optional
    expect((await loadPrices(join(dir, "missing.json"), { optional: true })).source).toBe(PRICE_PACKAGE);
  });
});

describe("a long-context tier is a request's, not a session's", () => {
  const at = "2026-11-12T08:00:00.000Z";
  const request = (input: number, cached: number, output: number) => ({ input, cached, output, reasoning: 0 });
  /** A session of one request per turn, its counters cumulative as Codex writes them. */
  const sessionOf = (id: string, requests: Array<ReturnType<typeof request>>): SessionSpec => {
    const total = request(0, 0, 0);
    return {
      id,
      start: at,
      model: "gpt-5.4",
      turns: requests.map((last, index) => {
        total.input += last.input;
        total.cached += last.cached;
        total.output += last.output;
        return { prompt: `turn ${index + 1}`, total: { ...total }, last };
      }),
    };
  };
  /** The package's own price of one request (the oracle), and of the same usage summed as one. */
  const packagePrice = async (requests: Array<ReturnType<typeof request>>) => {
    const { calcPrice } = await import("@pydantic/genai-prices");
    const price = (usage: ReturnType<typeof request>) =>
      calcPrice(
        { input_tokens: usage.input, cache_read_tokens: usage.cached, output_tokens: usage.output },
        "gpt-5.4",
        { providerId: "openai", timestamp: new Date(at) },
      )?.total_price ?? NaN;
    const summed = requests.reduce((sum, each) =>
      request(sum.input + each.input, sum.cached + each.cached, sum.output + each.output),
    );
    return { perRequest: requests.reduce((sum, each) => sum + price(each), 0), asOne: price(summed) };
  };
  const costOf = async (spec: SessionSpec, append?: (path: string) => Promise<void>) => {
    const tierHome = await makeHome();
    const path = await writeSession(tierHome, spec);
    await append?.(path);
    const report = await sessionsReport(new SessionStore(tierHome), request0, { prices: await loadPrices() });
    return report.total.cost.estimate_usd;
  };
  const request0 = { includeArchived: false, groupBy: "model" as const };
  const round = (usd: number) => Math.round(usd * 10_000) / 10_000;

  it("prices 20 requests under 272K at the base rate, however much the session adds up to", async () => {
    const requests = Array.from({ length: 20 }, () => request(250_000, 200_000, 2_500));
    const { perRequest, asOne } = await packagePrice(requests);
    expect(await costOf(sessionOf("0199dddd-0000-7000-8000-000000000041", requests))).toBe(round(perRequest));
    // control: the session's 5M input priced as one request is the tier's, nearly twice as much
    expect(round(perRequest)).toBe(4.25);
    expect(round(asOne)).toBe(8.125);
  });

  it("prices a request over 272K at the tier and the others at the base, a counter written twice once", async () => {
    const requests = [request(100_000, 80_000, 1_000), request(300_000, 250_000, 3_000)];
    const { perRequest, asOne } = await packagePrice(requests);
    const spec = sessionOf("0199dddd-0000-7000-8000-000000000042", requests);
    // Codex writes a counter again unchanged (the same request): appended, it must not count twice
    const again = async (path: string) => {
      const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
      const counter = lines.filter((line) => line.includes('"token_count"')).at(-1) ?? "";
      await writeFile(path, `${[...lines, counter].join("\n")}\n`);
    };
    expect(await costOf(spec, again)).toBe(round(perRequest));
    expect(round(perRequest)).not.toBe(round(asOne));
  });
});

describe("a session that switched models", () => {
  const usage = (input: number, output: number) => ({
    input,
    cached_input: 0,
    output,
    reasoning_output: 0,
    total: input + output,
  });
  const switched: SessionSpec = {
    id: "0199dddd-0000-7000-8000-000000000051",
    start: "2026-11-13T08:00:00.000Z",
    model: "gpt-5.1-codex",
    turns: [
      {
        prompt: "big",
        model: "gpt-5.1-codex-mini",
        total: { input: 1_000_000, cached: 0, output: 100_000, reasoning: 0 },
      },
      { prompt: "small", total: { input: 1_010_000, cached: 0, output: 101_000, reasoning: 0 } },
    ],
  };

  it("prices each turn at the model it ran, each model's usage in its own row", async () => {
    const switchHome = await makeHome();
    await writeSession(switchHome, switched);
    const prices = await loadPrices();
    const at = switched.start;
    const expected =
      (prices.estimate("gpt-5.1-codex-mini", usage(1_000_000, 100_000), at) ?? NaN) +
      (prices.estimate("gpt-5.1-codex", usage(10_000, 1_000), at) ?? NaN);
    const report = await sessionsReport(new SessionStore(switchHome), request, { prices });
    // mini: 1,000,000 × $0.25 + 100,000 × $2 per million; codex: 10,000 × $1.25 + 1,000 × $10. Before, the
    // whole session was one row, under its last model (rows by model did not say what each model used)
    expect(
      [...report.rows, report.total].map((row) => [
        row.key,
        row.sessions,
        row.turns,
        row.categories,
        row.tokens.total,
        row.cost.estimate_usd,
      ]),
    ).toEqual([
      ["gpt-5.1-codex", 1, 1, { completed: 1 }, 11_000, 0.0225],
      ["gpt-5.1-codex-mini", 1, 1, {}, 1_100_000, 0.45],
      ["total", 1, 2, { completed: 1 }, 1_111_000, 0.4725],
    ]);
    expect(report.total.cost.estimate_usd).toBe(Math.round(expected * 10_000) / 10_000);
    // control: the whole session at its last model costs several times as much
    expect(prices.estimate("gpt-5.1-codex", usage(1_010_000, 101_000), at)).toBeGreaterThan(expected * 3);
  });

  it("is unpriced when one of its models is, and names that model", async () => {
    const switchHome = await makeHome();
    await writeSession(switchHome, {
      ...switched,
      id: "0199dddd-0000-7000-8000-000000000052",
      turns: [{ ...switched.turns[0], prompt: "big", model: "house-model" }, switched.turns[1] ?? { prompt: "" }],
    });
    const report = await sessionsReport(new SessionStore(switchHome), request, { prices: await loadPrices() });
    expect(report.total.cost).toEqual({
      estimate_usd: null,
      priced_sessions: 0,
      unpriced_sessions: 1,
      unpriced_models: ["house-model"],
    });
    // by model, the priced model's part is priced in its row: the session is unpriced as a whole only
    expect(report.rows.map((row) => [row.key, row.cost.estimate_usd, row.cost.unpriced_models])).toEqual([
      ["gpt-5.1-codex", 0.0225, []],
      ["house-model", null, ["house-model"]],
    ]);
  });
});

describe("codex-control-mcp report", () => {
  const run = (args: string[]) => runCli(home, args);

  it("prints the report, --json as the tool's structuredContent", async () => {
    const text = await run(["report", "--by", "model"]);
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")[0]).toBe(
      "2 sessions, by model: 2 turns, 2,200,000 tokens, estimated cost ~$1.80 (+1 unpriced).",
    );
    const json = await run(["report", "--by", "month", "--json"]);
    expect(
      (JSON.parse(json.stdout) as { rows: Array<{ key: string; sessions: number }> }).rows.map((row) => [
        row.key,
        row.sessions,
      ]),
    ).toEqual([["2026-11", 2]]);
  });

  it("exits 2 on a bad filter or prices file, naming the fix", async () => {
    const since = await run(["report", "--since", "last tuesday"]);
    expect([since.code, since.stderr.split("\n")[0]]).toEqual([
      2,
      'codex-control-mcp: since "last tuesday" is not a date: use ISO 8601 (2026-11-23 or 2026-11-23T10:00:00Z) or a span back from now (7d, 24h).',
    ]);
    const by = await run(["report", "--by", "year"]);
    expect([by.code, by.stderr.split("\n")[0]]).toEqual([
      2,
      'codex-control-mcp: --by "year" is not one of day, week, month, model, cwd, category.',
    ]);
    const prices = await run(["report", "--prices", join(dirname(home), "nowhere.json")]);
    expect(prices.code).toBe(2);
    expect(prices.stderr).toContain("does not exist: name an existing JSON file");
  });
});
