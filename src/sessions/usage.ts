// Token usage and rate limits from a session's own counters (`token_count` events, `token_usage_record`).
//
// `total_token_usage` is cumulative per process run of a thread: 0.100+ carry it across resumes, but
// 0.39–0.63 start again from zero in a resumed process. A drop in the counter therefore opens a new
// segment, and the session total is the sum of each segment's last value. A counter emitted again
// unchanged is the same usage, not more. Nothing is estimated: no counters, no numbers.
//
// When a request overflows the window, Codex writes a "window full" marker: a counter whose total is the
// window size with 0 input and 0 output (`set_total_tokens_full`). It is not usage: it is skipped for the
// numbers and remembered as the fact that the window filled up.
//
// `token_usage_record.thread_token_usage` (0.160+) is a second source of the same numbers, and of a request
// the events leave out (0.171's remote compaction): each source keeps its own segments, and where a file has
// records they are the total and tell the requests (never added to the events).
//
// TokenLedger is fed as the log is folded, so a cached fold answers at once however long the log is.
import type { EventOf, RateLimits, TokenTotals } from "./events.js";
import { inheritedView } from "./lineage.js";
import type { SessionModel } from "./session-model.js";
import type { TokenUsageReport, TurnUsage } from "./views/usage.js";
import { add, subtract, ZERO } from "./token-math.js";

export type { TokenUsageReport, TurnUsage } from "./views/usage.js";

/**
 * A prompt of this many input tokens or more is a long one: OpenAI prices a request whose prompt is over
 * 272K tokens (GPT-5.4, 5.5 and later) at a higher tier, the whole request. The tier is a request's, never a
 * session's: the ledger sums the long requests apart (`longPrompts`) so that the rest is priced at the base.
 */
export const LONG_PROMPT_TOKENS = 272_000;

/** The requests whose prompt was long: their usage summed, and the smallest of their prompts. */
export interface LongPrompts {
  tokens: TokenTotals;
  smallestInput: number;
}

/** A request above this share of the window is close to overflowing it. */
export const CONTEXT_NEARLY_FULL_PERCENT = 80;

export const PER_TURN_SHOWN = 100;
const MAX_COUNTERS_KEPT = 100_000;

/**
 * One source's cumulative counter: a drop opens a new segment (a resumed process that started again from
 * zero), and the total is the sum of each segment's last value. Plain data, so a saved fold restores it.
 */
interface CounterSegments {
  finished: TokenTotals;
  last: TokenTotals | undefined;
  segments: number;
  /** Cumulative usage at the newest counter of each turn. */
  readonly byTurn: Map<number, TokenTotals>;
  /**
   * The counters by the UTC day of their time: the first one's time, the cumulative usage at the newest and
   * the turn it was in. A log without task_started (trimmed to its counters, as published logs are) has no
   * turn that says when its usage was spent: a report dates it by its counters (ccusage's rule). At most
   * MAX_COUNTER_DAYS, later ones merged into the last.
   */
  readonly days: Map<string, { at: string; cumulative: TokenTotals; turn: number }>;
  /** The newest day's key: past MAX_COUNTER_DAYS a counter is merged into it at once, not looked up by copying them. */
  lastDay: string | undefined;
}

const MAX_COUNTER_DAYS = 400;

function newSegments(): CounterSegments {
  return { finished: ZERO, last: undefined, segments: 0, byTurn: new Map(), days: new Map(), lastDay: undefined };
}

/** A UTC time as Codex writes it (`2026-11-10T09:00:00.123Z`): its day is its first ten characters. */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?Z$/;

/** `cumulative`: the counter's total after this counter (addCounter's). */
function noteDay(counter: CounterSegments, at: string, turn: number, cumulative: TokenTotals): void {
  // a counter on the same UTC day as the one before (most logs are one day's): nothing parsed or copied
  const newest = counter.lastDay === undefined ? undefined : counter.days.get(counter.lastDay);
  const sameDay = newest !== undefined && at.startsWith(counter.lastDay as string) && UTC_TIME.test(at);
  const ms = sameDay ? 0 : Date.parse(at);
  if (!Number.isFinite(ms)) return;
  const iso = sameDay ? at : new Date(ms).toISOString();
  const known = sameDay
    ? newest
    : (counter.days.get(iso.slice(0, 10)) ?? (counter.days.size >= MAX_COUNTER_DAYS ? newest : undefined));
  if (known) {
    known.cumulative = cumulative;
    known.turn = turn;
  } else {
    counter.days.set(iso.slice(0, 10), { at: iso, cumulative, turn });
    counter.lastDay = iso.slice(0, 10);
  }
}

/** Adds a counter; returns the cumulative usage it brings the counter to. */
function addCounter(counter: CounterSegments, total: TokenTotals, turn: number): TokenTotals {
  if (counter.last && total.total < counter.last.total) {
    counter.finished = add(counter.finished, counter.last);
    counter.last = undefined;
  }
  if (!counter.last) counter.segments += 1;
  counter.last = total;
  const cumulative = add(counter.finished, total);
  counter.byTurn.set(turn, cumulative);
  return cumulative;
}

function counterTotal(counter: CounterSegments): TokenTotals | undefined {
  return counter.last ? add(counter.finished, counter.last) : undefined;
}

export class TokenLedger {
  /** `token_count` events. */
  private readonly events = newSegments();
  /**
   * `token_usage_record.thread_token_usage` (0.160+): the events' numbers and more, so never added to them.
   * Where a file has both, the records are the source: a Desktop 0.153 file's `token_count` restarted at a
   * later turn while its records kept counting the thread.
   */
  private readonly records = newSegments();
  /** What the events had counted when the first record came (a session an older CLI began, resumed by 0.160+). */
  private eventsBeforeRecords: TokenTotals | undefined;
  /** The first record's thread counter: at or above eventsBeforeRecords when the records carried the count on. */
  private firstRecord: TokenTotals | undefined;
  lastUsage: TokenTotals | undefined;
  contextWindow: number | undefined;
  observedAt: string | undefined;
  rateLimits: RateLimits | undefined;
  rateLimitsAt: string | undefined;
  /** Time of the newest window-full marker not followed by a real counter; undefined when there is none. */
  windowFullAt: string | null | undefined;
  /** The session's own requests with a long prompt (a counter that grew, its `last` usage at or over LONG_PROMPT_TOKENS). */
  longPrompts: LongPrompts | undefined;
  /** The same, by the turn they were made in (a session's turns may run different models). */
  readonly longPromptsByTurn = new Map<number, LongPrompts>();
  /** Per-turn usage Codex recorded itself (`token_usage_record.turn_token_usage`, 0.160+). */
  private readonly recordedByTurn = new Map<number, TokenTotals>();

  /** The parent's cumulative usage replayed into a fork or sub-agent (lineage.ts): not this session's. */
  private inheritedBase: TokenTotals | undefined;

  inherit(total: TokenTotals): void {
    this.inheritedBase = total;
  }

  /** What inherit() was told was the parent's turned out to be this session's own. */
  forgetInherited(): void {
    this.inheritedBase = undefined;
  }

  /** Every counter's raw cumulative total, in order: a fork's child matches its copied prefix against them. */
  readonly counterTotals: number[] = [];

  get segments(): number {
    return this.records.segments > 0
      ? this.records.segments + (this.prefixBeforeRecords() ? 1 : 0)
      : this.events.segments;
  }

  /** Counts the counters and records folded: perTurn's answer is kept while it does not change. */
  private changes = 0;

  count(event: EventOf<"token_count">, turn: number): void {
    this.changes += 1;
    if (event.modelContextWindow !== undefined) this.contextWindow = event.modelContextWindow;
    if (event.rateLimits && (event.rateLimits.primary || event.rateLimits.secondary)) {
      this.rateLimits = event.rateLimits;
      this.rateLimitsAt = event.timestamp;
    }
    let total = event.total;
    if (!total) return;
    if (isWindowFullMarker(event)) {
      this.windowFullAt = event.timestamp ?? null;
      return;
    }
    this.windowFullAt = undefined;
    if (this.counterTotals.length < MAX_COUNTERS_KEPT) this.counterTotals.push(total.total);
    if (this.inheritedBase) {
      // a counter that continues from the parent's total: only the growth is this session's; one that
      // restarted below it counts this session alone (not a resumed segment on top of the parent's)
      if (total.total >= this.inheritedBase.total) total = subtract(total, this.inheritedBase);
      else this.inheritedBase = undefined;
    }
    const last = event.last;
    const record = event.source === "record";
    const source = record ? this.records : this.events;
    // a request is in both sources, its record first: from the first record on the records tell them, with the
    // one the events leave out (0.171's remote compaction); a counter written again unchanged is no new request
    if ((record || !this.firstRecord) && last && last.input >= LONG_PROMPT_TOKENS && grew(total, source.last)) {
      this.longPrompts = withRequest(this.longPrompts, last);
      this.longPromptsByTurn.set(turn, withRequest(this.longPromptsByTurn.get(turn), last));
    }
    if (record && !this.firstRecord) {
      this.firstRecord = total;
      this.eventsBeforeRecords = counterTotal(this.events);
    }
    const cumulative = addCounter(source, total, turn);
    if (event.timestamp) noteDay(source, event.timestamp, turn, cumulative);
    if (event.last) this.lastUsage = event.last;
    if (event.timestamp) this.observedAt = event.timestamp;
  }

  record(usage: TokenTotals, turn: number): void {
    this.changes += 1;
    this.recordedByTurn.set(turn, usage);
  }

  /** Events counted before the records began, which the records did not carry on (they started below them). */
  private prefixBeforeRecords(): TokenTotals | undefined {
    const before = this.eventsBeforeRecords;
    return before && this.firstRecord && this.firstRecord.total < before.total ? before : undefined;
  }

  total(): TokenTotals | undefined {
    const records = counterTotal(this.records);
    if (!records) return counterTotal(this.events);
    const prefix = this.prefixBeforeRecords();
    return prefix ? add(prefix, records) : records;
  }

  /**
   * `own` (the session's own usage, total()) by the UTC day of the counters, adding up to it exactly, each day
   * with its first counter's time and the turn of its last; undefined when it is all one day's, or cannot be
   * told apart (a counter that went back, records that began below the events).
   */
  byCounterDay(own: TokenTotals): Array<{ at: string; tokens: TokenTotals; turn: number }> | undefined {
    const counter = this.records.segments > 0 ? this.records : this.events;
    if (counter.days.size < 2 || (this.records.segments > 0 && this.prefixBeforeRecords())) return undefined;
    const days: Array<{ at: string; tokens: TokenTotals; turn: number }> = [];
    let before = ZERO;
    let counted = ZERO;
    for (const { at, cumulative, turn } of counter.days.values()) {
      const tokens = subtract(cumulative, before);
      days.push({ at, tokens, turn });
      counted = add(counted, tokens);
      before = cumulative;
    }
    // the last day takes the difference (history inherited from a parent, subtracted from `own`)
    const last = days.at(-1) as { tokens: TokenTotals };
    last.tokens = add(last.tokens, subtract(own, counted));
    const negative = (tokens: TokenTotals) => Object.values(tokens).some((value) => value < 0);
    return days.some((day) => negative(day.tokens)) ? undefined : days;
  }

  /**
   * Usage per turn: Codex's own per-turn record, else the growth of the cumulative counter over the turn.
   * One answer per state of the ledger (a summary and its diagnosis both ask, over 50,000 turns on 200 MB).
   */
  perTurn(): TurnUsage[] {
    const known = PER_TURN.get(this);
    if (known?.changes === this.changes) return known.turns;
    const turns = this.computePerTurn();
    PER_TURN.set(this, { changes: this.changes, turns });
    return turns;
  }

  private computePerTurn(): TurnUsage[] {
    const result: TurnUsage[] = [];
    let before = ZERO;
    const cumulativeByTurn = this.records.segments > 0 ? this.records.byTurn : this.events.byTurn;
    const prefix = this.records.segments > 0 ? this.prefixBeforeRecords() : undefined;
    const turns = new Set([...this.events.byTurn.keys(), ...cumulativeByTurn.keys(), ...this.recordedByTurn.keys()]);
    for (const turn of [...turns].sort((a, b) => a - b)) {
      // turns before the records began: the events' growth; from then on the records' own cumulative
      let cumulative = cumulativeByTurn.get(turn);
      if (cumulative && prefix) cumulative = add(prefix, cumulative);
      if (!cumulative && this.records.segments > 0 && !this.records.byTurn.has(turn))
        cumulative = this.events.byTurn.get(turn);
      const usage = this.recordedByTurn.get(turn) ?? (cumulative ? subtract(cumulative, before) : undefined);
      if (cumulative) before = cumulative;
      if (usage) result.push({ turn, ...usage });
    }
    return result;
  }
}

/** Outside the ledger, so that a saved fold does not carry it. */
const PER_TURN = new WeakMap<TokenLedger, { changes: number; turns: TurnUsage[] }>();

/** A counter that says a request was made: not one written again unchanged, nor a fork's restated start. */
function grew(total: TokenTotals, previous: TokenTotals | undefined): boolean {
  return previous ? total.total !== previous.total : total.total > 0;
}

function withRequest(sums: LongPrompts | undefined, request: TokenTotals): LongPrompts {
  return {
    tokens: add(sums?.tokens ?? ZERO, request),
    smallestInput: Math.min(sums?.smallestInput ?? request.input, request.input),
  };
}

function isWindowFullMarker(event: EventOf<"token_count">): boolean {
  const { total, last } = event;
  return (
    total !== undefined &&
    total.total > 0 &&
    total.input === 0 &&
    total.output === 0 &&
    (last === undefined || (last.input === 0 && last.output === 0))
  );
}

/**
 * How full the context window is, as token_usage reports it: also what the diagnosis quotes, which needs
 * neither the per-turn sums nor the segments of the whole report.
 */
export function contextFill(model: SessionModel): {
  contextWindow: number | undefined;
  usedPercent: number | null;
  windowFull: boolean;
} {
  const ledger = model.tokens;
  let contextWindow = ledger.contextWindow;
  for (const turn of model.turns) if (turn.modelContextWindow !== undefined) contextWindow ??= turn.modelContextWindow;
  const lastUsage = ledger.lastUsage;
  const usedPercent = lastUsage && contextWindow ? Math.round((lastUsage.total / contextWindow) * 1000) / 10 : null;
  return { contextWindow, usedPercent, windowFull: ledger.windowFullAt !== undefined };
}

export function tokenUsage(model: SessionModel): TokenUsageReport {
  const ledger = model.tokens;
  const total = ledger.total();
  const perTurn = ledger.perTurn();
  const { contextWindow, usedPercent: contextUsedPercent, windowFull } = contextFill(model);
  const observedAt = [ledger.observedAt, ledger.rateLimitsAt]
    .filter((at): at is string => at !== undefined)
    .sort()
    .at(-1);
  return {
    total: total ?? null,
    last_turn: perTurn.at(-1) ?? null,
    per_turn: perTurn.slice(-PER_TURN_SHOWN),
    per_turn_omitted: Math.max(0, perTurn.length - PER_TURN_SHOWN),
    model_context_window: contextWindow ?? null,
    context_used_percent: contextUsedPercent,
    rate_limits: ledger.rateLimits
      ? { primary: ledger.rateLimits.primary, secondary: ledger.rateLimits.secondary }
      : null,
    plan_type: ledger.rateLimits?.plan_type ?? null,
    observed_at: observedAt ?? null,
    segments: ledger.segments,
    context_window_full: windowFull,
    inherited: inheritedTokens(model),
    note: usageNote(
      total !== undefined,
      windowFull,
      contextUsedPercent,
      model.turns.some((turn) => turn.review !== undefined),
      inheritedView(model.lineage)?.tokens != null,
    ),
  };
}

function usageNote(
  counted: boolean,
  windowFull: boolean,
  usedPercent: number | null,
  reviewed: boolean,
  parentCounted: boolean,
): string | null {
  const notes: string[] = [];
  if (windowFull) {
    notes.push(
      `The context window filled up: a request overflowed it (Codex's window-full marker is not a count; totals and context_used_percent come from the last real counter${counted ? "" : ", and there is none"}).`,
    );
  } else if (usedPercent !== null && usedPercent >= CONTEXT_NEARLY_FULL_PERCENT) {
    notes.push(`The newest request used ${usedPercent}% of the context window: the next turns may overflow it.`);
  }
  // a review's model requests are a sub-agent's (session_meta source {"subagent":"review"}): its own log counts them
  const reviews =
    "A review's model requests run in a review sub-agent session of their own, whose log counts them (list_sessions: its parent_session_id is this session); they are not in these numbers.";
  if (!counted && !windowFull && reviewed)
    notes.push(`This session's log holds no token counters of its own. ${reviews}`);
  else if (reviewed) notes.push(reviews);
  else if (!counted && !windowFull && parentCounted) {
    // a child that replayed its parent's counters and then wrote none of its own (it stopped first)
    notes.push(
      "The only token counters in this log are its parent's, copied in with its history (inherited): none counts a model request of this session's own; no numbers are estimated.",
    );
  } else if (!counted && !windowFull) {
    notes.push(
      "This session's log holds no token counters (Codex writes them into rollouts from 0.31 on, after the first model response); no numbers are estimated.",
    );
  }
  return notes.length > 0 ? notes.join(" ") : null;
}

function inheritedTokens(model: SessionModel): TokenUsageReport["inherited"] {
  const inherited = inheritedView(model.lineage);
  return inherited?.tokens
    ? {
        parent_session_id: inherited.parent_session_id,
        tokens: inherited.tokens,
        charged_to_session_id: inherited.charged_to_session_id,
      }
    : null;
}

/** Token sums, field by field (the report adds a session's parts up with them too). */
export { add as addTokens, subtract as subtractTokens, ZERO as NO_TOKENS, type TokenFigures } from "./token-math.js";
