// A session's usage by the model each turn ran: Codex lets a session switch models between turns (`/model`,
// a resume with `-m`), and each part is priced at its own model's rates. Pure functions over the fold.
import type { DiagnosisCategory } from "../diagnosis-categories.js";
import type { TokenTotals } from "../events.js";
import type { SessionModel } from "../session-model.js";
import { addTokens, NO_TOKENS, subtractTokens, type LongPrompts } from "../usage.js";

export interface ModelUsage {
  /** As Codex records it; null: no turn_context of the session named one. */
  model: string | null;
  tokens: TokenTotals;
  longPrompts: LongPrompts | null;
  /** The turns that ran this model, and the time they took: a session's rows by model add up to it. */
  turns: number;
  wallMs: number;
}

/**
 * The session's model: its newest turn_context's, else (a child that wrote none of its own) the one it
 * inherited with its parent's history, as ccusage reads the copied turn_context; null when the log names none.
 */
export function sessionModelOf(model: SessionModel): string | null {
  return model.lastContext?.model ?? model.lineage?.inherited.model ?? null;
}

/** Each turn's model (by turn index): a turn_context without one keeps the one before; before any, the last's. */
function modelsOfTurns(model: SessionModel): Map<number, string | null> {
  const modelOfTurn = new Map<number, string | null>();
  // usage before any turn named a model is the last model's, as a session of one model is priced
  let current: string | null = sessionModelOf(model);
  for (const turn of model.turns) {
    current = turn.model ?? current;
    modelOfTurn.set(turn.index, current);
  }
  return modelOfTurn;
}

function entryOf(parts: Map<string | null, ModelUsage>, name: string | null): ModelUsage {
  let entry = parts.get(name);
  if (!entry) {
    entry = { model: name, tokens: NO_TOKENS, longPrompts: null, turns: 0, wallMs: 0 };
    parts.set(name, entry);
  }
  return entry;
}

/** The parts a digest keeps at most (it is a few hundred bytes). */
const MAX_MODELS = 8;

/**
 * The session's own usage (`total`), turns and wall time by model, in the order the models first ran; null
 * when its turns ran one model (all of it is the session's model's). What the per-turn growth does not
 * account for (counters before the first turn) goes to the model of the last turn that used tokens.
 */
export function usageByModel(
  model: SessionModel,
  total: TokenTotals | null,
  wallOf: (index: number) => number,
): ModelUsage[] | null {
  if (!total || !switchedModels(model)) return null;
  const modelOfTurn = modelsOfTurns(model);
  const parts = new Map<string | null, ModelUsage>();
  for (const turn of model.turns) {
    const entry = entryOf(parts, modelOfTurn.get(turn.index) ?? null);
    entry.turns += 1;
    entry.wallMs += wallOf(turn.index);
  }
  let last: ModelUsage | undefined;
  let counted = NO_TOKENS;
  for (const usage of model.tokens.perTurn()) {
    const part = entryOf(parts, modelOfTurn.get(usage.turn) ?? sessionModelOf(model));
    const { turn: _turn, ...tokens } = usage;
    part.tokens = addTokens(part.tokens, tokens);
    part.longPrompts = merged(part.longPrompts, model.tokens.longPromptsByTurn.get(usage.turn));
    counted = addTokens(counted, tokens);
    last = part;
  }
  // more models than any session switches between (a log written to be odd): priced whole, at its last model
  if (!last || parts.size > MAX_MODELS) return null;
  const rest = subtractTokens(total, counted);
  if (Object.values(rest).some((value) => value !== 0)) last.tokens = addTokens(last.tokens, rest);
  // a turn whose counter went back (a restarted segment) gave nothing back: no part is priced below zero
  for (const part of parts.values()) part.tokens = atLeastZero(part.tokens);
  return [...parts.values()];
}

function switchedModels(model: SessionModel): boolean {
  let first: string | undefined;
  for (const turn of model.turns) {
    if (turn.model === undefined) continue;
    first ??= turn.model;
    if (turn.model !== first) return true;
  }
  return false;
}

/** A part cannot have given back what it used. */
function atLeastZero(tokens: TokenTotals): TokenTotals {
  return {
    ...tokens,
    input: Math.max(0, tokens.input),
    cached_input: Math.max(0, tokens.cached_input),
    output: Math.max(0, tokens.output),
    reasoning_output: Math.max(0, tokens.reasoning_output),
    total: Math.max(0, tokens.total),
    ...(tokens.cache_write_input !== undefined && { cache_write_input: Math.max(0, tokens.cache_write_input) }),
  };
}

function merged(sums: LongPrompts | null, more: LongPrompts | undefined): LongPrompts | null {
  if (!more) return sums;
  if (!sums) return more;
  return {
    tokens: addTokens(sums.tokens, more.tokens),
    smallestInput: Math.min(sums.smallestInput, more.smallestInput),
  };
}

/**
 * The part of a session whose turns ran on one UTC day: `codex exec resume` appends a resumed session's turns
 * to its original log, so a session started last week may have run (and failed) today.
 */
export interface DayPart {
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** What since/until test the part by: its first turn's start (the first part: the session's start). */
  at: string;
  /** The model its last turn ran: the one its end (a failure) is counted under, grouped by model. */
  model: string | null;
  turns: number;
  wallMs: number;
  /**
   * The part's own usage, turns and wall time by model; null: the session's usage is known only at report
   * time (needsParent), all the last part's.
   */
  usage: ModelUsage[] | null;
  /**
   * How the session stood when the next part began (the log up to that part's first turn, diagnosed as
   * session_summary would have then): what a report whose range ends before the next part counts. null for
   * the last part, whose end is the session's.
   */
  ended: PartEnd | null;
}

export interface PartEnd {
  category: DiagnosisCategory;
  /** The failure signature (signature.ts); null when it did not fail. */
  signature: string | null;
  /** Its last event then: when it failed, if it did. */
  at: string | null;
}

/**
 * What splitting a session by day and at a report's bounds needs of its fold (usageByDay), a few numbers a
 * turn: made from the fold once per version of its file, so that a server asked with another bound inside
 * the same session splits it again without reading or folding its log (digest.ts CutFacts).
 */
export interface TurnFacts {
  /** Each turn in order: its start as the log wrote it, its model (modelsOfTurns) and the time it took. */
  turns: Array<{ index: number; startedAt: string | undefined; model: string | null; wallMs: number }>;
  /** Each turn's model by turn index (usage of a turn the fold has no turn for: lastModel). */
  modelOfTurn: ReadonlyMap<number, string | null>;
  /** The per-turn usage (usage.ts perTurn), in its order, with the turn's long requests. */
  usage: Array<{ turn: number; tokens: TokenTotals; longPrompts: LongPrompts | undefined }>;
  /** The model of the session's last turn_context. */
  lastModel: string | null;
  /** The session's long requests, all of them. */
  longPrompts: LongPrompts | null;
  /**
   * A log without task_started (trimmed to its counters, as published logs are): the session's own usage by
   * the UTC day of its counters (usage.ts byCounterDay), each day from its first counter's time, with the turn
   * of its last counter. Absent: its usage is dated by its turns.
   */
  counterDays?: Array<{ at: string; tokens: TokenTotals; turn: number }>;
}

/**
 * A log without task_started: its own usage by its counters' days (usage.ts byCounterDay); undefined when it
 * has turns that say when, or its counters are all one day's. Asked once per fold: turnFactsOf is given it.
 */
export function trimmedCounterDays(model: SessionModel): TurnFacts["counterDays"] {
  const own = model.tokens.total();
  const trimmed = own !== undefined && model.turns.every((turn) => !turn.hasStartEvent);
  return trimmed ? model.tokens.byCounterDay(own) : undefined;
}

export function turnFactsOf(
  model: SessionModel,
  wallOf: (index: number) => number,
  trimmedDays: TurnFacts["counterDays"] = trimmedCounterDays(model),
): TurnFacts {
  const modelOfTurn = modelsOfTurns(model);
  const counterDays = atMostDays(trimmedDays);
  return {
    turns: model.turns.map((turn) => ({
      index: turn.index,
      startedAt: turn.startedAt,
      model: modelOfTurn.get(turn.index) ?? null,
      wallMs: wallOf(turn.index),
    })),
    modelOfTurn,
    usage: model.tokens.perTurn().map(({ turn, ...tokens }) => ({
      turn,
      tokens,
      longPrompts: model.tokens.longPromptsByTurn.get(turn),
    })),
    lastModel: sessionModelOf(model),
    longPrompts: model.tokens.longPrompts ?? null,
    ...(counterDays && { counterDays }),
  };
}

type Building = Omit<DayPart, "usage"> & { byModel: Map<string | null, ModelUsage> };

/** A trimmed log's counter days, the earliest of more than MAX_DAYS merged into the first (as turns' days are). */
function atMostDays(days: TurnFacts["counterDays"]): TurnFacts["counterDays"] {
  if (!days || days.length <= MAX_DAYS) return days;
  const merged = days.slice(0, days.length - MAX_DAYS + 1);
  const tokens = merged.reduce((sum, day) => addTokens(sum, day.tokens), NO_TOKENS);
  const first = { at: (merged[0] as { at: string }).at, tokens, turn: (merged.at(-1) as { turn: number }).turn };
  return [first, ...days.slice(merged.length)];
}

/**
 * Days a digest splits into at most: a session resumed on more days has its earliest ones merged into the
 * first part, so that its latest days (what `since: 7d` asks about, and its failure) stay exact.
 */
const MAX_DAYS = 32;

/**
 * The session's turns and own usage (`total`) by the UTC day each turn started, each day's by model; null
 * when they all ran on the day it started (the whole session is that day's, as before). A counter before the
 * first turn is the start day's (the first part's when no turn ran that day); usage the per-turn growth does not account for goes to the last turn that
 * used tokens; when that cannot keep the parts adding up to `total` exactly (a counter that went back), all
 * of `total` is the last part's, at the session's last model. `ended` is left null (digest.ts partEnds).
 */
export function usageByDay(
  facts: TurnFacts,
  total: TokenTotals | null,
  startedAt: string | null,
  cuts: readonly number[] = [],
): DayPart[] | null {
  const startMs = Date.parse(startedAt ?? "");
  if (startedAt === null || !Number.isFinite(startMs)) return null;
  // a part is the turns of a UTC day between two cuts (a report's since/until inside the session): the key
  // of a part, its day before the slash
  const keyOf = (ms: number): string => {
    const day = new Date(ms).toISOString().slice(0, 10);
    return cuts.length === 0 ? day : `${day}/${cuts.filter((cut) => cut <= ms).length}`;
  };
  const startDay = keyOf(startMs);
  const dayOfTurn = new Map<number, string>();
  let previous = startDay;
  for (const turn of facts.turns) {
    const ms = Date.parse(turn.startedAt ?? "");
    const day = Number.isFinite(ms) ? keyOf(ms) : previous;
    dayOfTurn.set(turn.index, day);
    previous = day;
  }
  const days = new Set(dayOfTurn.values());
  if (days.size > MAX_DAYS) {
    const merged = new Set([...days].slice(0, days.size - MAX_DAYS + 1));
    const into = [...merged][0] as string;
    for (const [index, day] of dayOfTurn) if (merged.has(day)) dayOfTurn.set(index, into);
  }
  const parts = new Map<string, Building>();
  const partOf = (key: string, at: string): Building => {
    let part = parts.get(key);
    if (!part) {
      part = { day: key.slice(0, 10), at, model: null, turns: 0, wallMs: 0, ended: null, byModel: new Map() };
      parts.set(key, part);
    }
    return part;
  };
  // a trimmed log's counter days, between its turns' parts in the order of their times
  const counterKeys = (facts.counterDays ?? []).map(({ at }) => keyOf(Date.parse(at)));
  const counterPart = (index: number): void => {
    const day = facts.counterDays?.[index];
    const key = counterKeys[index] as string;
    if (day && !parts.has(key)) partOf(key, key === startDay && parts.size === 0 ? startedAt : day.at);
  };
  let nextCounter = 0;
  for (const turn of facts.turns) {
    const turnMs = Date.parse(turn.startedAt ?? "");
    for (; nextCounter < counterKeys.length; nextCounter++) {
      if (!(Date.parse(facts.counterDays?.[nextCounter]?.at ?? "") < turnMs)) break;
      counterPart(nextCounter);
    }
    const day = dayOfTurn.get(turn.index) ?? startDay;
    const first = !parts.has(day) && day === startDay ? startedAt : (turn.startedAt ?? startedAt);
    const firstMs = Date.parse(first ?? "");
    const part = partOf(day, Number.isFinite(firstMs) ? new Date(firstMs).toISOString() : (startedAt as string));
    const wall = turn.wallMs;
    part.model = turn.model;
    part.turns += 1;
    part.wallMs += wall;
    // a day whose turns used no tokens is priced at its model too: an unpriced model is never $0
    const entry = entryOf(part.byModel, part.model);
    entry.turns += 1;
    entry.wallMs += wall;
  }
  for (; nextCounter < counterKeys.length; nextCounter++) counterPart(nextCounter);
  const ordered = [...parts.values()];
  const last = ordered.at(-1);
  if (!last) return null;
  if (total) {
    let counted = NO_TOKENS;
    let lastUsage: ModelUsage | undefined;
    // a trimmed log: by its counters' days, adding up to `total` (usage.ts byCounterDay)
    facts.counterDays?.forEach(({ tokens, turn }, index) => {
      const part = parts.get(counterKeys[index] as string) ?? last;
      lastUsage = entryOf(part.byModel, facts.modelOfTurn.get(turn) ?? facts.lastModel);
      lastUsage.tokens = addTokens(lastUsage.tokens, tokens);
      counted = addTokens(counted, tokens);
    });
    if (facts.counterDays && lastUsage) lastUsage.longPrompts = facts.longPrompts;
    // a counter before the first turn on a day without one (a fork's copied history, its first turn after
    // midnight): the first part's, where a child's inherited history is taken off (inherited-days.ts)
    const firstTurn = facts.turns[0]?.index;
    const early = ordered[0] ?? last;
    let earliest: ModelUsage | undefined;
    for (const usage of facts.counterDays ? [] : facts.usage) {
      const modelName = facts.modelOfTurn.get(usage.turn) ?? facts.lastModel;
      const before = firstTurn !== undefined && usage.turn < firstTurn;
      const part = parts.get(dayOfTurn.get(usage.turn) ?? startDay) ?? (before ? early : last);
      const entry = entryOf(part.byModel, modelName);
      if (before && part === early) earliest ??= entry;
      const { tokens } = usage;
      entry.tokens = addTokens(entry.tokens, tokens);
      entry.longPrompts = merged(entry.longPrompts, usage.longPrompts);
      counted = addTokens(counted, tokens);
      lastUsage = entry;
    }
    // the counters before the first turn are the earliest: the first part's first entry, where a child's
    // inherited history is taken off first (inherited-days.ts), not the first turn's model's
    if (earliest) early.byModel = new Map([[earliest.model, earliest], ...early.byModel]);
    const rest = subtractTokens(total, counted);
    if (lastUsage) lastUsage.tokens = addTokens(lastUsage.tokens, rest);
    const exact =
      lastUsage !== undefined &&
      ordered.every((part) =>
        [...part.byModel.values()].every((entry) => Object.values(entry.tokens).every((value) => value >= 0)),
      );
    if (!exact) {
      for (const part of ordered)
        for (const entry of part.byModel.values()) Object.assign(entry, { tokens: NO_TOKENS, longPrompts: null });
      const entry = entryOf(last.byModel, facts.lastModel);
      Object.assign(entry, { tokens: total, longPrompts: facts.longPrompts });
    }
  }
  return ordered.map(({ byModel, ...part }) => ({ ...part, usage: [...byModel.values()] }));
}
