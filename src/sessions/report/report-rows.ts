// A report row's sums (RowTotal) and what one session adds to a row (Slice), and which row that is (groupKey):
// the pure parts of aggregate.ts's tally.
import type { DiagnosisCategory } from "../diagnosis-categories.js";
import type { TokenTotals } from "../events.js";
import { addTokens } from "../usage.js";
import type { SessionDigest } from "./digest.js";
import type { ReportGroup, ReportRow } from "./view.js";

const UNKNOWN = "(unknown)";
/** Unpriced models a row names (all are counted). */
export const MAX_UNPRICED_MODELS = 20;

/**
 * The row a session's slice goes to: its turns of `day` for the groups by time (DayPart), its usage of
 * `model` grouped by model (ModelUsage), its `category` as the report's range sees it (DayPart.ended).
 */
export function groupKey(
  digest: SessionDigest,
  group: ReportGroup,
  day = digest.startedAt?.slice(0, 10),
  model = digest.model,
  category = digest.category,
): string {
  switch (group) {
    case "day":
      return day ?? UNKNOWN;
    case "month":
      return day?.slice(0, 7) ?? UNKNOWN;
    case "week": {
      if (day === undefined) return UNKNOWN;
      const monday = new Date(`${day}T00:00:00Z`);
      // ISO weeks start on Monday
      monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
      return monday.toISOString().slice(0, 10);
    }
    case "model":
      return model ?? UNKNOWN;
    case "cwd":
      return digest.cwd ?? UNKNOWN;
    case "category":
      return category;
  }
}

/** What a session adds to a row: all of it, or its turns of the days in the row (DayPart). */
export interface Slice {
  turns: number;
  wallMs: number;
  /** null: its failure (or end) is in another row, that of its last turn. */
  category: DiagnosisCategory | null;
  tokens: TokenTotals | null;
  /** Its estimate; undefined: unpriced, for want of `unpriced`'s price. */
  usd: number | undefined;
  unpriced: string | null;
}

/** Two slices of one session as one (its parts in one row, or all of them in the total). */
export function joined(a: Slice, b: Slice): Slice {
  const tokens = a.tokens && b.tokens ? addTokens(a.tokens, b.tokens) : (a.tokens ?? b.tokens);
  const unpricedA = a.tokens && a.usd === undefined;
  const unpricedB = b.tokens && b.usd === undefined;
  return {
    turns: a.turns + b.turns,
    wallMs: a.wallMs + b.wallMs,
    category: b.category ?? a.category,
    tokens,
    usd: unpricedA || unpricedB ? undefined : (a.usd ?? 0) + (b.usd ?? 0),
    unpriced: unpricedA ? a.unpriced : unpricedB ? b.unpriced : (b.unpriced ?? a.unpriced),
  };
}

export class RowTotal {
  sessions = 0;
  turns = 0;
  categories = new Map<DiagnosisCategory, number>();
  tokens: TokenTotals = { input: 0, cached_input: 0, output: 0, reasoning_output: 0, total: 0 };
  withoutCounters = 0;
  cost = 0;
  priced = 0;
  unpriced = 0;
  unpricedModels = new Set<string>();
  wallMs = 0;

  /**
   * Adds a session; `usd` is its estimated cost (undefined: unpriced, for want of `unpriced`'s price), made once
   * for all the rows it is added to.
   */
  add(slice: Slice): void {
    const { usd, unpriced } = slice;
    this.sessions += 1;
    this.turns += slice.turns;
    if (slice.category !== null) this.categories.set(slice.category, (this.categories.get(slice.category) ?? 0) + 1);
    this.wallMs += slice.wallMs;
    const tokens = slice.tokens;
    if (!tokens) {
      this.withoutCounters += 1;
      this.unpriced += 1;
      return;
    }
    this.tokens.input += tokens.input;
    this.tokens.cached_input += tokens.cached_input;
    this.tokens.output += tokens.output;
    this.tokens.reasoning_output += tokens.reasoning_output;
    this.tokens.total += tokens.total;
    if (tokens.cache_write_input !== undefined)
      this.tokens.cache_write_input = (this.tokens.cache_write_input ?? 0) + tokens.cache_write_input;
    if (usd === undefined) {
      this.unpriced += 1;
      if (this.unpricedModels.size < MAX_UNPRICED_MODELS) this.unpricedModels.add(unpriced ?? UNKNOWN);
    } else {
      this.priced += 1;
      this.cost += usd;
    }
  }

  /** Adds another row's sums into this one (the groups beyond the rows shown). */
  merge(other: RowTotal): void {
    this.sessions += other.sessions;
    this.turns += other.turns;
    for (const [category, count] of other.categories)
      this.categories.set(category, (this.categories.get(category) ?? 0) + count);
    for (const key of ["input", "cached_input", "output", "reasoning_output", "total"] as const)
      this.tokens[key] += other.tokens[key];
    if (other.tokens.cache_write_input !== undefined)
      this.tokens.cache_write_input = (this.tokens.cache_write_input ?? 0) + other.tokens.cache_write_input;
    this.withoutCounters += other.withoutCounters;
    this.cost += other.cost;
    this.priced += other.priced;
    this.unpriced += other.unpriced;
    for (const model of other.unpricedModels)
      if (this.unpricedModels.size < MAX_UNPRICED_MODELS) this.unpricedModels.add(model);
    this.wallMs += other.wallMs;
  }

  view(key: string): ReportRow {
    return {
      key,
      sessions: this.sessions,
      turns: this.turns,
      categories: Object.fromEntries([...this.categories].sort(([a], [b]) => byCodeUnits(a, b))),
      tokens: { ...this.tokens },
      sessions_without_counters: this.withoutCounters,
      cost: {
        // cents of a cent: more digits would claim a precision list prices do not have
        estimate_usd: this.priced > 0 ? Math.round(this.cost * 10_000) / 10_000 : null,
        priced_sessions: this.priced,
        unpriced_sessions: this.unpriced,
        unpriced_models: [...this.unpricedModels].sort(),
      },
      wall_ms: this.wallMs,
    };
  }
}

/**
 * Code-unit order (as `<` compares strings), not localeCompare: ICU collation cost ~5 ms of a cold report's
 * sorting at 550 sessions, and a report's order must not depend on the machine's locale. ISO times and ids
 * sort the same either way.
 */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
