// What dating a trimmed log's usage by its counters costs: the ledger's days were made twice per digest (once to
// ask whether the log had counters on two days, once for its parts), and past 400 days a counter copied all 400
// days to find the newest, for each counter.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EventOf, TokenTotals } from "../../../src/sessions/events.js";
import { digestOfModel } from "../../../src/sessions/report/digest.js";
import { emptyModel } from "../../../src/sessions/session-model.js";
import { TokenLedger } from "../../../src/sessions/usage.js";

const totals = (input: number, output: number): TokenTotals => ({
  input,
  cached_input: 0,
  output,
  reasoning_output: 0,
  total: input + output,
});
const counter = (line: number, timestamp: string, total: TokenTotals): EventOf<"token_count"> => ({
  kind: "token_count",
  line,
  timestamp,
  total,
});
const DAY_MS = 86_400_000;
const dayAt = (n: number) => new Date(Date.parse("2026-01-01T10:00:00.000Z") + n * DAY_MS).toISOString();

afterEach(() => vi.restoreAllMocks());

describe("a trimmed log's counter days", () => {
  it("are made once per digest", () => {
    const model = emptyModel();
    model.meta = {
      kind: "meta",
      line: 1,
      id: "0199cccc-0000-7000-8000-000000000001",
      timestamp: dayAt(0),
      sessionKind: "session",
      inGitRepo: false,
    };
    model.lastContext = { kind: "turn_context", line: 2, model: "gpt-5.1-codex" };
    model.tokens.count(counter(3, dayAt(0), totals(1000, 10)), 0);
    model.tokens.count(counter(4, dayAt(2), totals(3000, 50)), 0);
    const made = vi.spyOn(TokenLedger.prototype, "byCounterDay");
    const id = "0199cccc-0000-7000-8000-000000000001";
    const digest = digestOfModel(model, { id, path: `/h/rollout-${id}.jsonl`, archived: false, mtimeMs: 0, size: 0 });
    expect(digest.days?.map((part) => [part.day, part.usage?.[0]?.tokens.input])).toEqual([
      ["2026-01-01", 1000],
      ["2026-01-03", 2000],
    ]);
    expect(made).toHaveBeenCalledTimes(1);
  });

  it("past 400 days, merge a counter into the newest without going through them", () => {
    const ledger = new TokenLedger();
    for (let n = 0; n < 400; n++) ledger.count(counter(n, dayAt(n), totals(1000 * (n + 1), 0)), 0);
    const walks = vi.spyOn(Map.prototype, "values");
    for (let n = 400; n < 1000; n++) ledger.count(counter(n, dayAt(n), totals(1000 * (n + 1), 0)), 0);
    expect(walks).toHaveBeenCalledTimes(0);
    walks.mockRestore();
    const days = ledger.byCounterDay(totals(1_000_000, 0));
    expect([days?.length, days?.at(-1)?.at, days?.at(-1)?.tokens.input, days?.at(-2)?.tokens.input]).toEqual([
      400,
      dayAt(399),
      601_000,
      1000,
    ]);
  });
});
