// The requests with a long prompt, as the ledger sums them for the long-context tier: only a counter that
// grew is a request; and a child whose own requests its file does not tell from its parent's is not priced at
// a tier it may not have reached.
import { describe, expect, it } from "vitest";
import type { EventOf, TokenTotals } from "../../../src/sessions/events.js";
import { ReportTally } from "../../../src/sessions/report/aggregate.js";
import { loadPrices } from "../../../src/sessions/report/cost.js";
import { digestOfModel, type SessionDigest } from "../../../src/sessions/report/digest.js";
import { emptyModel } from "../../../src/sessions/session-model.js";
import { TokenLedger } from "../../../src/sessions/usage.js";

const totals = (input: number, output: number): TokenTotals => ({
  input,
  cached_input: 0,
  output,
  reasoning_output: 0,
  total: input + output,
});
const counter = (line: number, total: TokenTotals, last: TokenTotals): EventOf<"token_count"> => ({
  kind: "token_count",
  line,
  total,
  last,
});

describe("the ledger's long requests", () => {
  it("are counters that grew: not one written again, nor a fork's first counter restating its parent's", () => {
    const parent = totals(600_000, 6_000);
    const parentsLast = totals(300_000, 3_000);
    const ledger = new TokenLedger();
    ledger.inherit(parent);
    // the child's first counter restates the parent's total and last request: nothing of the child's yet
    ledger.count(counter(2, parent, parentsLast), 1);
    expect(ledger.longPrompts).toBeUndefined();
    const own = totals(290_000, 1_000);
    ledger.count(counter(3, totals(890_000, 7_000), own), 1);
    ledger.count(counter(4, totals(890_000, 7_000), own), 1); // the same counter again
    expect(ledger.longPrompts).toEqual({ tokens: own, smallestInput: 290_000 });
    // control: a fresh ledger takes a first counter that grew from nothing
    const fresh = new TokenLedger();
    fresh.count(counter(1, parentsLast, parentsLast), 1);
    expect(fresh.longPrompts).toEqual({ tokens: parentsLast, smallestInput: 300_000 });
  });
});

describe("a child whose usage needs its parent's counters", () => {
  /** The digest of a fork whose ledger holds a long request, its file marking its parent's history or not. */
  const digest = (model: string, needsParent: boolean): SessionDigest => {
    const folded = emptyModel();
    folded.lastContext = { kind: "turn_context", line: 2, model };
    folded.lineage = {
      kind: "fork",
      parentId: "0199aaaa-0000-7000-8000-000000000009",
      agentNickname: null,
      inherited: {
        parentId: "0199aaaa-0000-7000-8000-000000000009",
        lines: needsParent ? 0 : 4,
        turns: 0,
        calls: 0,
        tokens: needsParent ? null : totals(0, 0),
        chargedTo: null,
      },
    };
    folded.tokens.count(counter(3, totals(100_000, 1_000), totals(300_000, 3_000)), 1);
    const id = `0199bbbb-0000-7000-8000-00000000000${needsParent ? 1 : 2}`;
    return digestOfModel(folded, { id, path: `/h/rollout-${id}.jsonl`, archived: false, mtimeMs: 0, size: 0 });
  };

  it("is unpriced on a tiered model (its long requests may be its parent's); priced on a flat one", async () => {
    expect([digest("gpt-5.4", true).longPrompts, digest("gpt-5.4", true).needsParent]).toEqual(["unknown", true]);
    const prices = await loadPrices();
    await prices.prepare?.("gpt-5.4", "2026-11-12T08:00:00.000Z");
    const costs = (needsParent: boolean) => {
      const tally = new ReportTally("model", prices);
      for (const model of ["gpt-5.4", "gpt-5.1-codex"]) tally.add(digest(model, needsParent));
      return tally.rowsView().map((row) => [row.key, row.cost.estimate_usd]);
    };
    expect(costs(true)).toEqual([
      ["gpt-5.1-codex", 0.135],
      ["gpt-5.4", null],
    ]);
    // control: a session whose file tells its own requests is priced at the tier for them
    expect(costs(false)).toEqual([
      ["gpt-5.1-codex", 0.135],
      // the long sums, capped at its own usage, all at the tier: 100,000 × $5 + 1,000 × $22.5 per million
      ["gpt-5.4", 0.5225],
    ]);
  });
});

describe("a long request only the records count (0.171's remote compaction, openai provider)", () => {
  // as 0.171 writes them (remote-compaction-usage-only-in-records): each request's token_usage_record comes
  // before its token_count, but the in-band compaction request's only in the records
  const record = (line: number, total: TokenTotals, last: TokenTotals): EventOf<"token_count"> => ({
    ...counter(line, total, last),
    source: "record",
  });
  const compaction = totals(300_000, 70);
  const answer = totals(400, 20);
  const ledgerOf = (compactionCounted: boolean) => {
    const ledger = new TokenLedger();
    ledger.count(record(12, totals(1_200, 60), totals(1_200, 60)), 1);
    ledger.count(counter(15, totals(1_200, 60), totals(1_200, 60)), 1);
    ledger.count(record(16, totals(301_200, 130), compaction), 1);
    if (compactionCounted) ledger.count(counter(17, totals(301_200, 130), compaction), 1);
    ledger.count(record(25, totals(301_600, 150), answer), 1);
    ledger.count(counter(26, totals(compactionCounted ? 301_600 : 1_600, 150), answer), 1);
    return ledger;
  };

  it("is a long request of the session and of its turn", () => {
    const ledger = ledgerOf(false);
    expect([ledger.longPrompts, ledger.longPromptsByTurn.get(1)]).toEqual([
      { tokens: compaction, smallestInput: 300_000 },
      { tokens: compaction, smallestInput: 300_000 },
    ]);
    // control: a long request both sources count is counted once
    expect(ledgerOf(true).longPrompts).toEqual({ tokens: compaction, smallestInput: 300_000 });
  });
});
