// Adds digests up into report rows and failure signatures: pure, one pass, memory bounded by the number of
// groups and signatures (not of sessions).
import type { DiagnosisCategory } from "../diagnosis-categories.js";
import type { DayPart, ModelUsage } from "./model-usage.js";
import type { Prices } from "./cost.js";
import type { SessionDigest } from "./digest.js";
import { sameModel } from "./filters.js";
import { failureSignature } from "./signature.js";
import type { TokenTotals } from "../events.js";
import { addTokens, type LongPrompts } from "../usage.js";
import { byCodeUnits, groupKey, joined, MAX_UNPRICED_MODELS, RowTotal, type Slice } from "./report-rows.js";
import { NOT_FAILURES, type FailureSignature, type ReportGroup, type ReportRow } from "./view.js";

const SIGNATURES_SHOWN = 10;
const SIGNATURE_SESSIONS = 5;
const MAX_SIGNATURES = 10_000;
const MAX_ROWS = 500;

interface SignatureTally {
  category: DiagnosisCategory;
  message: string;
  count: number;
  first: string | null;
  last: string | null;
  /** The newest sessions, newest first. */
  sessions: Array<{ id: string; at: string }>;
}

function newerFirst(a: { id: string; at: string }, b: { id: string; at: string }): number {
  return byCodeUnits(b.at, a.at) || byCodeUnits(a.id, b.id);
}

export class ReportTally {
  private readonly rows = new Map<string, RowTotal>();
  private readonly all = new RowTotal();
  /** By category, then message: no key made per failure. */
  private readonly signatures = new Map<DiagnosisCategory, Map<string, SignatureTally>>();
  private signatureCount = 0;

  constructor(
    private readonly group: ReportGroup,
    private readonly prices: Prices,
    /** Rows shown at most (a cwd per session would make thousands): the rest are added up in one last row. */
    private readonly maxRows = MAX_ROWS,
    /** The `model` filter: only the usage of the turns that ran it is added (see add). */
    private readonly model?: string,
  ) {}

  /** A session's estimate, each model's part at its own rates; unpriced when any part is (never guessed). */
  private costOf(digest: SessionDigest): { usd: number | undefined; unpriced: string | null } {
    if (!digest.tokens) return { usd: undefined, unpriced: digest.model };
    const parts = digest.byModel ?? [{ model: digest.model, tokens: digest.tokens, longPrompts: digest.longPrompts }];
    let usd = 0;
    for (const part of parts) {
      const cost = this.prices.estimate(part.model, part.tokens, digest.startedAt, part.longPrompts);
      if (cost === undefined) return { usd: undefined, unpriced: part.model };
      usd += cost;
    }
    return { usd, unpriced: null };
  }

  /**
   * Adds a session: all of it, or (a session whose turns ran on other days than it started: DayPart) its
   * parts `parts`, each in the row of its day for the groups by time; grouped by model, each model's usage in
   * its own row. Its end (category, failure) is counted once, in the row of its last turn in range: the
   * session's own end when its last part is in range, else how it stood when the next part began
   * (DayPart.ended), so a failure after `until` is not counted and the row keyed by a category counts it.
   * With a `model` filter, only its usage of that model is added (its slices by model: what the row of that
   * model counts grouped by model), and its end only when its last turn in range ran that model.
   */
  add(digest: SessionDigest, parts: DayPart[] | null = digest.days): void {
    const days = digest.days;
    const slices: Array<[string, Slice, string | null]> = [];
    const byModel = this.group === "model" || this.model !== undefined;
    let end: { category: DiagnosisCategory; signature: string | null; at: string | null };
    let whole: Slice | undefined;
    if (!days || !parts) {
      end = { category: digest.category, signature: digest.signature, at: digest.lastEventAt ?? digest.startedAt };
      const ended = end.category;
      const { usd, unpriced } = this.costOf(digest);
      whole = {
        turns: digest.turns,
        wallMs: digest.wallMs,
        category: digest.category,
        tokens: digest.tokens,
        usd,
        unpriced,
      };
      if (byModel && digest.byModel && digest.tokens)
        slices.push(
          ...this.byModelSlices(digest, digest.byModel, digest.model, digest.category, (model) =>
            groupKey(digest, this.group, undefined, model, ended),
          ),
        );
      else slices.push([groupKey(digest, this.group), whole, digest.model]);
    } else {
      const lastKept = parts.at(-1);
      if (!lastKept) return;
      end =
        lastKept === days.at(-1) || !lastKept.ended
          ? { category: digest.category, signature: digest.signature, at: digest.lastEventAt ?? digest.startedAt }
          : lastKept.ended;
      const ended = end.category;
      for (const part of parts) {
        const category = part === lastKept ? end.category : null;
        if (byModel && part.usage && digest.tokens)
          slices.push(
            ...this.byModelSlices(digest, part.usage, part.model, category, (model) =>
              groupKey(digest, this.group, part.day, model, ended),
            ),
          );
        else
          slices.push([
            groupKey(digest, this.group, part.day, part.model ?? digest.model, end.category),
            this.sliceOf(digest, part, part === days.at(-1), category),
            part.model ?? digest.model,
          ]);
      }
    }
    const wanted = this.model;
    const kept = wanted === undefined ? slices : slices.filter(([, , model]) => sameModel(model, wanted));
    if (kept.length === 0) return;
    // filtered, the session is what is left of it (its end too: in the slice of its last turn's model)
    if (kept !== slices) whole = undefined;
    const byRow = new Map<string, Slice>();
    for (const [key, slice] of kept) {
      const inRow = byRow.get(key);
      byRow.set(key, inRow ? joined(inRow, slice) : slice);
      if ((days && parts) || kept !== slices) whole = whole ? joined(whole, slice) : slice;
    }
    if (!whole) return;
    for (const [key, slice] of byRow) this.rowOf(key).add(slice);
    this.all.add(whole);
    const endCounted = kept === slices || kept.some(([, slice]) => slice.category !== null);
    if (endCounted && !NOT_FAILURES.has(end.category))
      this.addFailure(digest.sessionId, end.category, end.signature ?? failureSignature(digest.error), end.at);
  }

  /** A session's (or a day's part's) usage as one slice a model, its end in the slice of `lastModel`, the model its last turn ran. */
  private byModelSlices(
    digest: SessionDigest,
    usage: ModelUsage[],
    lastModel: string | null,
    category: DiagnosisCategory | null,
    keyOf: (model: string | null) => string,
  ): Array<[string, Slice, string | null]> {
    const ending = usage.find((entry) => entry.model === lastModel) ?? usage.at(-1);
    return usage.map((entry) => {
      const usd = this.prices.estimate(entry.model, entry.tokens, digest.startedAt, longOf(digest, entry.longPrompts));
      const slice: Slice = {
        turns: entry.turns,
        wallMs: entry.wallMs,
        category: entry === ending ? category : null,
        tokens: entry.tokens,
        usd,
        unpriced: usd === undefined ? entry.model : null,
      };
      return [keyOf(entry.model), slice, entry.model];
    });
  }

  private rowOf(key: string): RowTotal {
    let row = this.rows.get(key);
    if (!row) {
      row = new RowTotal();
      this.rows.set(key, row);
    }
    return row;
  }

  /**
   * A day's part of a session, priced by its models' parts (its usage known at report time only: all the
   * session's last part's); `category`: the session's end, when this is the last part in range.
   */
  private sliceOf(digest: SessionDigest, part: DayPart, last: boolean, category: DiagnosisCategory | null): Slice {
    const none: TokenTotals = { input: 0, cached_input: 0, output: 0, reasoning_output: 0, total: 0 };
    // an unpriced model's day is unpriced, even one that used nothing
    const usage = part.usage ?? [
      last
        ? { model: digest.model, tokens: digest.tokens, longPrompts: digest.longPrompts }
        : { model: digest.model, tokens: none, longPrompts: null },
    ];
    let tokens: TokenTotals | null = digest.tokens
      ? { input: 0, cached_input: 0, output: 0, reasoning_output: 0, total: 0 }
      : null;
    let usd: number | undefined = 0;
    let unpriced: string | null = null;
    for (const { model, tokens: used, longPrompts } of usage) {
      if (!used || !tokens) continue;
      tokens = addTokens(tokens, used);
      const cost: number | undefined =
        usd === undefined
          ? undefined
          : this.prices.estimate(model, used, digest.startedAt, longOf(digest, longPrompts));
      if (cost === undefined && usd !== undefined) unpriced = model;
      usd = cost === undefined || usd === undefined ? undefined : usd + cost;
    }
    return {
      turns: part.turns,
      wallMs: part.wallMs,
      category,
      tokens,
      usd,
      unpriced: usd === undefined ? unpriced : null,
    };
  }

  /**
   * Adds another tally's sums (a date folder's, kept from an earlier report) as if its sessions were added
   * here one by one: the report adds each day's tally so, whether it was kept or made anew.
   */
  merge(other: ReportTally): void {
    for (const [key, row] of other.rows) {
      let mine = this.rows.get(key);
      if (!mine) {
        mine = new RowTotal();
        this.rows.set(key, mine);
      }
      mine.merge(row);
    }
    this.all.merge(other.all);
    for (const ofCategory of other.signatures.values())
      for (const tally of ofCategory.values()) this.mergeFailure(tally);
  }

  /** Unpriced models named: a day tally naming as many may have left some out (the report then adds that day one by one). */
  get unpricedModelsFull(): boolean {
    return this.all.unpricedModels.size >= MAX_UNPRICED_MODELS;
  }

  private mergeFailure(other: SignatureTally): void {
    let ofCategory = this.signatures.get(other.category);
    if (!ofCategory) {
      ofCategory = new Map();
      this.signatures.set(other.category, ofCategory);
    }
    const tally = ofCategory.get(other.message);
    if (!tally) {
      if (this.signatureCount >= MAX_SIGNATURES) return;
      ofCategory.set(other.message, { ...other, sessions: [...other.sessions] });
      this.signatureCount += 1;
      return;
    }
    tally.count += other.count;
    if (other.first !== null && (tally.first === null || other.first < tally.first)) tally.first = other.first;
    if (other.last !== null && (tally.last === null || other.last > tally.last)) tally.last = other.last;
    tally.sessions = [...tally.sessions, ...other.sessions].sort(newerFirst).slice(0, SIGNATURE_SESSIONS);
  }

  private addFailure(sessionId: string, category: DiagnosisCategory, message: string, at: string | null): void {
    let ofCategory = this.signatures.get(category);
    if (!ofCategory) {
      ofCategory = new Map();
      this.signatures.set(category, ofCategory);
    }
    let tally = ofCategory.get(message);
    if (!tally) {
      if (this.signatureCount >= MAX_SIGNATURES) return;
      tally = { category, message, count: 0, first: null, last: null, sessions: [] };
      ofCategory.set(message, tally);
      this.signatureCount += 1;
    }
    tally.count += 1;
    // seen when it failed: the session's last event (a session resumed days later fails then), else its start
    if (at !== null) {
      if (tally.first === null || at < tally.first) tally.first = at;
      if (tally.last === null || at > tally.last) tally.last = at;
    }
    const session = { id: sessionId, at: at ?? "" };
    // kept sorted, newest first, SIGNATURE_SESSIONS long: most sessions are older than the last kept
    const last = tally.sessions.at(-1);
    if (tally.sessions.length >= SIGNATURE_SESSIONS && last && newerFirst(session, last) >= 0) return;
    tally.sessions.push(session);
    tally.sessions.sort(newerFirst);
    tally.sessions.length = Math.min(tally.sessions.length, SIGNATURE_SESSIONS);
  }

  rowsView(): ReportRow[] {
    const timeOrdered = this.group === "day" || this.group === "week" || this.group === "month";
    const rows = [...this.rows].sort(
      timeOrdered ? ([a], [b]) => byCodeUnits(b, a) : ([a, x], [b, y]) => y.sessions - x.sessions || byCodeUnits(a, b),
    );
    if (rows.length <= this.maxRows) return rows.map(([key, row]) => row.view(key));
    const shown = rows.slice(0, this.maxRows - 1);
    const rest = new RowTotal();
    for (const [, row] of rows.slice(this.maxRows - 1)) rest.merge(row);
    return [
      ...shown.map(([key, row]) => row.view(key)),
      rest.view(`(${rows.length - shown.length} more ${timeOrdered ? "older " : ""}groups)`),
    ];
  }

  totalView(): ReportRow {
    return this.all.view("total");
  }

  failuresView(): FailureSignature[] {
    return [...this.signatures.values()]
      .flatMap((ofCategory) => [...ofCategory.values()])
      .sort(
        (a, b) =>
          b.count - a.count ||
          byCodeUnits(b.last ?? "", a.last ?? "") ||
          byCodeUnits(a.message, b.message) ||
          byCodeUnits(a.category, b.category),
      )
      .slice(0, SIGNATURES_SHOWN)
      .map((tally) => ({
        category: tally.category,
        message: tally.message,
        count: tally.count,
        first_seen: tally.first,
        last_seen: tally.last,
        session_ids: tally.sessions.map((session) => session.id),
      }));
  }
}

/** A part's long requests; "unknown" for a child whose counters mix its parent's requests with its own (digest.ts). */
function longOf(digest: SessionDigest, longPrompts: LongPrompts | null | "unknown"): LongPrompts | null | "unknown" {
  return digest.longPrompts === "unknown" ? "unknown" : longPrompts;
}
