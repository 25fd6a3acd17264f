// `cache_write_input_tokens` read from the log (Codex 0.171 writes it in every token_count and
// token_usage_record: the input written to the prompt cache, part of input_tokens) and carried through a
// session's usage, a paginated fork's inherited history (subtracted: the parent's writes are the parent's)
// and the report's rows, so a model whose price names a cache-write rate (gpt-5.6-luna) is priced at it.
// A log that counts none (0, what a model reporting no cache writes gets) reads as before: no field.
// Before: the field was not read, and every written token was priced at the input rate.
import { writeFile } from "node:fs/promises";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sessionTokenUsage, SessionStore } from "../../../src/sessions/index.js";
import { makeHome, reportOf } from "../../support/report-homes.js";

const PARENT = "01a20b00-0000-7000-8000-00000000c0a1";
const CHILD = "01a20b00-0000-7000-8000-00000000c0a2";
const MODEL = "gpt-5.6-luna";

interface Usage {
  input: number;
  cached: number;
  written: number;
  output: number;
}
const tokenUsage = (u: Usage) => ({
  input_tokens: u.input,
  cached_input_tokens: u.cached,
  cache_write_input_tokens: u.written,
  output_tokens: u.output,
  reasoning_output_tokens: 0,
  total_tokens: u.input + u.output,
});
const plus = (a: Usage, b: Usage): Usage => ({
  input: a.input + b.input,
  cached: a.cached + b.cached,
  written: a.written + b.written,
  output: a.output + b.output,
});

/** A 0.171-shaped log (ordinals, token_usage_record then token_count per response); each turn one response. */
function log(
  id: string,
  start: string,
  turns: Usage[],
  options: { base?: Usage; firstOrdinal?: number; fork?: object } = {},
): string {
  const lines: object[] = [];
  let ordinal = options.firstOrdinal ?? 0;
  let clock = Date.parse(start);
  const line = (type: string, payload: object) =>
    lines.push({ timestamp: new Date(clock).toISOString(), ordinal: ordinal++, type, payload });
  line("session_meta", {
    session_id: id,
    id,
    timestamp: start,
    cwd: "/srv/proj",
    originator: "codex_exec",
    cli_version: "0.171.0",
    source: "exec",
    model_provider: "openai",
    ...options.fork,
  });
  let thread = options.base ?? { input: 0, cached: 0, written: 0, output: 0 };
  turns.forEach((usage, index) => {
    const turnId = `${id.slice(-4)}-turn-${index + 1}`;
    clock += 1000;
    line("event_msg", { type: "task_started", turn_id: turnId, model_context_window: 258400 });
    line("turn_context", { turn_id: turnId, cwd: "/srv/proj", approval_policy: "never", model: MODEL });
    line("event_msg", { type: "user_message", message: `task ${index + 1}` });
    clock += 5000;
    thread = plus(thread, usage);
    line("token_usage_record", {
      thread_id: id,
      turn_id: turnId,
      session_id: id,
      response_id: `resp_${id.slice(-4)}_${index + 1}`,
      usage: tokenUsage(usage),
      turn_token_usage: tokenUsage(usage),
      thread_token_usage: tokenUsage(thread),
    });
    line("event_msg", {
      type: "token_count",
      info: {
        total_token_usage: tokenUsage(thread),
        last_token_usage: tokenUsage(usage),
        last_usage_includes_reasoning: false,
        model_context_window: 258400,
      },
      rate_limits: null,
    });
    line("event_msg", { type: "agent_message", message: `done ${index + 1}` });
    line("event_msg", { type: "task_complete", turn_id: turnId, last_agent_message: `done ${index + 1}` });
  });
  return `${lines.map((each) => JSON.stringify(each)).join("\n")}\n`;
}

const turn1 = { input: 100_000, cached: 20_000, written: 30_000, output: 1_000 };
const turn2 = { input: 50_000, cached: 40_000, written: 0, output: 500 };
const childTurn = { input: 60_000, cached: 50_000, written: 5_000, output: 200 };

async function home(): Promise<string> {
  const dir = await makeHome();
  const day = join(dir, "sessions", "2026", "11", "13");
  await mkdir(day, { recursive: true });
  const parent = log(PARENT, "2026-11-13T08:00:00.000Z", [turn1, turn2]);
  await writeFile(join(day, `rollout-2026-11-13T08-00-00-${PARENT}.jsonl`), parent);
  // a paginated fork (0.169+): its counters go on from the parent's thread total
  const history = parent.trimEnd().split("\n").length;
  const child = log(CHILD, "2026-11-13T08:30:00.000Z", [childTurn], {
    base: plus(turn1, turn2),
    firstOrdinal: history,
    fork: {
      forked_from_id: PARENT,
      forked_from_ordinal_exclusive: history,
      history_mode: "paginated",
      history_base: { thread_id: PARENT, end_ordinal_exclusive: history, end_byte_offset: Buffer.byteLength(parent) },
    },
  });
  await writeFile(join(day, `rollout-2026-11-13T08-30-00-${CHILD}.jsonl`), child);
  // the same session shape, counting no cache writes (0 in every counter, as most models answer)
  const none = log("01a20b00-0000-7000-8000-00000000c0a3", "2026-11-13T09:00:00.000Z", [
    { ...turn2, written: 0 },
  ]).replace(/"model":"gpt-5.6-luna"/g, '"model":"gpt-5.1-codex"');
  await writeFile(join(day, "rollout-2026-11-13T09-00-00-01a20b00-0000-7000-8000-00000000c0a3.jsonl"), none);
  return dir;
}

describe("cache writes read from a 0.171 log", () => {
  it("token_usage: the session's, each turn's, a fork's own (its parent's subtracted); none where 0", async () => {
    const store = new SessionStore(await home());
    const parent = await sessionTokenUsage(store, PARENT);
    expect(parent.total).toEqual({
      input: 150_000,
      cached_input: 60_000,
      output: 1_500,
      reasoning_output: 0,
      total: 151_500,
      cache_write_input: 30_000,
    });
    expect(parent.per_turn.map((turn) => [turn.turn, turn.cache_write_input])).toEqual([
      [1, 30_000],
      [2, undefined], // Codex's own record of the turn: 0 written
    ]);
    const child = await sessionTokenUsage(store, CHILD);
    expect(child.total).toEqual({
      input: 60_000,
      cached_input: 50_000,
      output: 200,
      reasoning_output: 0,
      total: 60_200,
      cache_write_input: 5_000,
    });
    expect(child.inherited?.tokens).toMatchObject({ total: 151_500, cache_write_input: 30_000 });
    const none = await sessionTokenUsage(store, "01a20b00-0000-7000-8000-00000000c0a3");
    expect(none.total).toEqual({
      input: 50_000,
      cached_input: 40_000,
      output: 500,
      reasoning_output: 0,
      total: 50_500,
    });
  });

  it("report: rows sum them, and price them at the model's cache-write rate", async () => {
    const dir = await home();
    const result = await reportOf(dir, { groupBy: "model" });
    // gpt-5.6-luna since 2026-07-30, per million: input 0.2, cache write 0.25, cached 0.02, output 1.2
    // parent: 60,000 × 0.2 + 30,000 × 0.25 + 60,000 × 0.02 + 1,500 × 1.2 = 22,500
    // fork's own: 5,000 × 0.2 + 5,000 × 0.25 + 50,000 × 0.02 + 200 × 1.2 = 3,490
    // (as input: 21,000 and 3,240, 0.0242 in all)
    // gpt-5.1-codex: 10,000 × 1.25 + 40,000 × 0.125 + 500 × 10 = 22,500
    expect(
      [...result.rows, result.total].map((row) => [
        row.key,
        row.sessions,
        row.tokens.input,
        row.tokens.cache_write_input,
        row.cost.estimate_usd,
      ]),
    ).toEqual([
      [MODEL, 2, 210_000, 35_000, 0.026],
      ["gpt-5.1-codex", 1, 50_000, undefined, 0.0225],
      ["total", 3, 260_000, 35_000, 0.0485],
    ]);
    expect(Object.keys(result.rows[1]?.tokens ?? {})).not.toContain("cache_write_input");
  });
});

describe("cache writes in a session with a long prompt (a tiered price)", () => {
  it("are priced at each request's tier, as the package prices each request", async () => {
    const dir = await makeHome();
    const day = join(dir, "sessions", "2026", "11", "13");
    await mkdir(day, { recursive: true });
    const long = { input: 300_000, cached: 100_000, written: 50_000, output: 2_000 };
    const id = "01a20b00-0000-7000-8000-00000000c0a4";
    await writeFile(
      join(day, `rollout-2026-11-13T10-00-00-${id}.jsonl`),
      log(id, "2026-11-13T10:00:00.000Z", [long, turn1]),
    );
    const result = await reportOf(dir);
    const { calcPrice } = await import("@pydantic/genai-prices");
    const at = { providerId: "openai", timestamp: new Date("2026-11-13T10:00:00.000Z") };
    const priceOf = (u: Usage) =>
      calcPrice(
        {
          input_tokens: u.input,
          cache_read_tokens: u.cached,
          cache_write_tokens: u.written,
          output_tokens: u.output,
        },
        MODEL,
        at,
      )?.total_price ?? Number.NaN;
    // the package, request by request: 300,000 (long) at the tier, 100,000 at the base
    const oracle = priceOf(long) + priceOf(turn1);
    expect(result.total.tokens.cache_write_input).toBe(80_000);
    expect(result.total.cost.estimate_usd).toBe(Math.round(oracle * 10_000) / 10_000);
    // above 272K (per million) input 0.4, cache write 0.5, cached 0.04, output 1.8:
    // 150,000 × 0.4 + 50,000 × 0.5 + 100,000 × 0.04 + 2,000 × 1.8 = 92,600; the short one 19,100 (above)
    // (the writes as input: 0.1052; before, with the writes read but not split by tier: unpriced)
    expect(result.total.cost.estimate_usd).toBe(0.1117);
  });
});
