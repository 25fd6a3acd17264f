// One session reduced to what the fleet report adds up: a few hundred bytes, computed once per version of
// its file and saved in the state dir (digest-files.ts). The fold is the one every tool reads (session-model.ts),
// compact: no texts beyond what the diagnosis quotes.
import type { DiagnosisCategory } from "../diagnosis-categories.js";
import { diagnose } from "../diagnosis.js";
import type { TokenTotals } from "../events.js";
import { needsParentCounters } from "../lineage.js";
import type { RolloutFile } from "../locate.js";
import { cannotMatter } from "../line-filter.js";
import { normalizeLine } from "../normalize.js";
import type { LongPrompts } from "../usage.js";
import {
  trimmedCounterDays,
  turnFactsOf,
  usageByDay,
  usageByModel,
  sessionModelOf,
  type DayPart,
  type ModelUsage,
  type PartEnd,
  type TurnFacts,
} from "./model-usage.js";
import { newReadStats, readForward } from "../rollout-reader.js";
import { tryParseJson } from "../../shared/json.js";
import type { SessionEvent } from "../events.js";
import { callStatus, SessionFolder, type SessionModel } from "../session-model.js";
import type { SessionKind } from "../events.js";
import { failureSignature, failureText } from "./signature.js";
import { NOT_FAILURES } from "./view.js";

export interface SessionDigest {
  sessionId: string;
  kind: SessionKind;
  parentId: string | null;
  cwd: string | null;
  model: string | null;
  /** The session's start (its session_meta), else its first event: what groups and filters it. */
  startedAt: string | null;
  lastEventAt: string | null;
  turns: number;
  calls: number;
  failedCalls: number;
  category: DiagnosisCategory;
  /** The error the diagnosis names (clipped), else its first evidence: the failure signature's source. */
  error: string | null;
  /** The error normalised into a failure signature (signature.ts); null when the session did not fail. */
  signature: string | null;
  /** The session's own usage (inherited history subtracted); null: no counter in the log. */
  tokens: TokenTotals | null;
  /**
   * The part of `tokens` spent by requests with a long prompt (usage.ts LONG_PROMPT_TOKENS): a price tier of
   * its own; "unknown" when its file does not tell its own requests from its parent's (`needsParent`).
   */
  longPrompts: LongPrompts | "unknown" | null;
  /** `tokens` by the model each turn ran, when the session switched models; null: all of it is `model`'s. */
  byModel: ModelUsage[] | null;
  /** The time its turns took (turnsMs). */
  wallMs: number;
  /**
   * Its turns, usage and wall time by the UTC day each turn started, when some ran on another day than it
   * started (`codex exec resume` appends to the old log): what groups and filters it then. null: all its
   * turns ran on its start's day. The last part holds its failure.
   */
  days: DayPart[] | null;
  /**
   * A child whose file does not mark its parent's history: its own usage needs the parent's counters, so
   * `tokens` is recomputed with them at report time (never saved as known).
   */
  needsParent: boolean;
}

const ERROR_CHARS = 500;
const DAY_MS = 86_400_000;

function newFolder(): SessionFolder {
  return new SessionFolder({ compact: { reasoningLimit: 0, textChars: ERROR_CHARS } });
}

/**
 * A log of any format and size, read as every tool reads it (rollout-reader.ts). `cuts`: times (a report's
 * since/until) inside the session, its parts then split at them too (DayPart), however few days it ran; such
 * a digest is the report's of the moment, never saved.
 */
export async function digestOf(file: RolloutFile, cuts: readonly number[] = []): Promise<SessionDigest> {
  const folder = newFolder();
  await readForward(file.path, newReadStats(), (event) => folder.add(event));
  const digest = digestOfModel(folder.model, file, cuts);
  if (!digest.days || digest.days.length < 2) return digest;
  // a session resumed on other days: read again, to diagnose it as it stood when each later day's turns began
  const ends = new PartEnds(digest, openedOf(folder.model));
  await readForward(file.path, newReadStats(), (event) => ends.add(event));
  return ends.digest();
}

/**
 * What a report needs to split a session at any since/until inside it, made from one reading of its log:
 * its digest (no cuts), its turns' facts (model-usage.ts TurnFacts) and how it stood as each turn began
 * (`ends`: by the time of a turn's start, the log folded up to the first event at or after it and diagnosed,
 * as PartEnds does for the starts of a report's parts; null: no event came at or after it, the session's
 * own end). A server keeps it per version of the file (index.ts), so a report polled with a moving
 * `since: 1h` splits a session it cuts without reading or folding its log again (cutDigest).
 */
export interface CutFacts {
  digest: SessionDigest;
  turns: TurnFacts;
  ends: ReadonlyMap<number, PartEnd | null>;
}

/** Turns past which a session's facts are not made (its log is read for each report that cuts it, as before). */
export const MAX_FACT_TURNS = 2_000;

/** A log read once for CutFacts: folded, then folded again to diagnose it as it stood when each turn began. */
export async function cutFactsOf(file: RolloutFile): Promise<CutFacts | undefined> {
  const folder = newFolder();
  await readForward(file.path, newReadStats(), (event) => folder.add(event));
  const model = folder.model;
  if (model.turns.length > MAX_FACT_TURNS) return undefined;
  const digest = digestOfModel(model, file);
  const turns = turnFactsOf(model, (index) => turnMs(model, index - 1));
  // every time a part can start at: the session's start (the first part's) and each turn's start
  const starts = new Set<number>();
  for (const turn of turns.turns) {
    const ms = Date.parse(turn.startedAt ?? "");
    if (Number.isFinite(ms)) starts.add(new Date(ms).getTime());
  }
  const ends = new PartEnds(
    digest,
    openedOf(model),
    [...starts].sort((a, b) => a - b),
  );
  await readForward(file.path, newReadStats(), (event) => ends.add(event));
  return { digest, turns, ends: ends.byStart() };
}

/**
 * The digest a report cutting the session at `cuts` needs (digestOf(file, cuts)), from its facts alone;
 * undefined when they cannot say it exactly (its parts' starts out of order: a log whose turns' times go
 * back), and the log is then read as before. test/sessions/report/cut-facts.test.ts holds the two equal.
 */
export function cutDigest(facts: CutFacts, cuts: readonly number[]): SessionDigest | undefined {
  const whole = facts.digest;
  const days =
    whole.days !== null || cuts.length > 0 ? usageByDay(facts.turns, whole.tokens, whole.startedAt, cuts) : null;
  if (!days || days.length < 2) return { ...whole, days };
  // PartEnds folds up to each later part's start in turn: the same as "the first event at or after its
  // start" only when those starts do not go back
  const starts = days.slice(1).map((part) => Date.parse(part.at));
  for (let index = 1; index < starts.length; index++)
    if ((starts[index] as number) < (starts[index - 1] as number)) return undefined;
  const last = days.length - 1;
  const sessionEnd: PartEnd = { category: whole.category, signature: whole.signature, at: whole.lastEventAt };
  const ended: PartEnd[] = [];
  for (const start of starts) {
    const end = facts.ends.get(start);
    if (end === undefined) return undefined; // a start the facts did not foresee
    ended.push(end ?? sessionEnd);
  }
  return {
    ...whole,
    days: days.map((part, index) => ({ ...part, ended: index === last ? null : (ended[index] as PartEnd) })),
  };
}

/**
 * A small JSON Lines log already read whole: the reader's line rules on a buffer (the byte pre-filter, one
 * JSON.parse and normalizeLine a line, a last line without newline read when it is whole JSON), without its
 * chunked, asynchronous file reading, which costs more than the folding for a log of a few KB.
 */
export function digestOfBytes(bytes: Buffer, file: RolloutFile): SessionDigest {
  const folder = newFolder();
  // one decode for the whole log, not one a line (a newline byte is never inside a UTF-8 sequence)
  const text = bytes.toString("utf8");
  eachEvent(text, (event) => folder.add(event));
  const digest = digestOfModel(folder.model, file);
  if (!digest.days || digest.days.length < 2) return digest;
  // a session resumed on other days: folded again, to diagnose it as it stood when each later day's turns began
  const ends = new PartEnds(digest, openedOf(folder.model));
  eachEvent(text, (event) => ends.add(event));
  return ends.digest();
}

/** The reader's line rules on a whole log's text. */
function eachEvent(text: string, add: (event: SessionEvent) => void): void {
  const stats = newReadStats();
  const line = (start: number, end: number, last: boolean) => {
    const number = ++stats.lines;
    const content = text.slice(start, end);
    if (cannotMatter(content) || content.trim() === "") return;
    const value = tryParseJson(content);
    if (value === undefined && last) return; // a torn last line: not read yet
    const events = normalizeLine(value, number, stats);
    if (events === undefined) stats.skipped += 1;
    else for (const event of events) add(event);
  };
  let start = 0;
  for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
    line(start, newline, false);
    start = newline + 1;
  }
  if (start < text.length) line(start, text.length, true);
}

/**
 * The turns whose task_started came after the lines that opened them (the fold's Turn.openedAt): by the
 * turn's start, the time of the first of those lines (both in ms), where PartEnds stops.
 */
function openedOf(model: SessionModel): Map<number, number> {
  const opened = new Map<number, number>();
  for (const turn of model.turns) {
    if (turn.openedAt === undefined) continue;
    const from = Date.parse(turn.openedAt);
    const to = Date.parse(turn.startedAt ?? "");
    if (from < to) opened.set(to, from);
  }
  return opened;
}

/**
 * How a session resumed on other days stood as each later part began: the log folded again and diagnosed
 * just before the first event at or after that part's first turn (the line that opened it: for a turn whose
 * task_started came after its first lines, `opened`'s time, not its start's, else the diagnosis would see
 * the resume's own lines as a turn with no end). A report whose range ends before a part counts the session
 * as it stood then (model-usage.ts DayPart.ended), not with a failure that came later. One more fold, for
 * resumed sessions only.
 */
class PartEnds {
  private readonly folder = newFolder();
  private readonly starts: number[];
  private readonly ends: PartEnd[] = [];

  constructor(
    private readonly whole: SessionDigest,
    private readonly opened: ReadonlyMap<number, number>,
    starts?: number[],
  ) {
    this.starts = starts ?? (whole.days ?? []).slice(1).map((part) => Date.parse(part.at));
  }

  /** The end before each start (null: none came before the log ended), for starts in order (cutFactsOf). */
  byStart(): Map<number, PartEnd | null> {
    return new Map(this.starts.map((start, index) => [start, this.ends[index] ?? null]));
  }

  add(event: SessionEvent): void {
    const at = event.timestamp !== undefined ? Date.parse(event.timestamp) : Number.NaN;
    for (;;) {
      const start = this.starts[this.ends.length];
      if (start === undefined || !(at >= (this.opened.get(start) ?? start))) break;
      this.ends.push(this.endNow());
    }
    this.folder.add(event);
  }

  private endNow(): PartEnd {
    const model = this.folder.model;
    const { sessionId } = this.whole;
    const diagnosis = diagnose(model, {
      sessionId,
      cwd: model.lastContext?.cwd ?? model.meta?.cwd,
      commandLines: false,
    });
    const failed = !NOT_FAILURES.has(diagnosis.category);
    return {
      category: diagnosis.category,
      signature: failed ? failureSignature(failureText(diagnosis)) : null,
      // when its last turn ended: the lines before the next turn's start may be the resume's own (0.171
      // writes `thread_settings_applied` first), written when it was resumed, maybe days later
      at: validTime(model.turns.at(-1)?.endedAt ?? model.lastTimestamp ?? null),
    };
  }

  /** The digest with each part's end (a part whose next one the second pass did not find: as the session ended). */
  digest(): SessionDigest {
    const days = this.whole.days;
    if (!days) return this.whole;
    const last = days.length - 1;
    return {
      ...this.whole,
      days: days.map((part, index) => ({
        ...part,
        ended: index === last ? null : (this.ends[index] ?? this.sessionEnd()),
      })),
    };
  }

  private sessionEnd(): PartEnd {
    return { category: this.whole.category, signature: this.whole.signature, at: this.whole.lastEventAt };
  }
}

export function digestOfModel(model: SessionModel, file: RolloutFile, cuts: readonly number[] = []): SessionDigest {
  const sessionId = model.meta?.id ?? file.id;
  const tokens = model.tokens.total() ?? null;
  const needsParent = needsParentCounters(model.lineage);
  const longPrompts = model.tokens.longPrompts ?? null;
  // the digest keeps no next step: its command lines are not made (diagnosis.ts commandLines)
  const diagnosis = diagnose(model, { sessionId, cwd: model.lastContext?.cwd ?? model.meta?.cwd, commandLines: false });
  const first = model.meta?.startedAt ?? model.meta?.timestamp ?? model.firstTimestamp ?? null;
  const failedCalls = model.calls.filter((call) => callStatus(call) === "failed").length;
  // parsed once: the start's time is also the day its turns are compared with
  const firstMs = first === null ? Number.NaN : Date.parse(first);
  const startedAt = Number.isFinite(firstMs) ? new Date(firstMs).toISOString() : null;
  const wall = turnsMs(model, firstMs);
  // a log without task_started whose counters came on more than one day (model-usage.ts counterDays)
  const counterDays = tokens === null ? undefined : trimmedCounterDays(model);
  return {
    sessionId,
    kind: model.lineage?.kind ?? "session",
    parentId: model.lineage?.parentId ?? null,
    cwd: model.lastContext?.cwd ?? model.meta?.cwd ?? null,
    model: sessionModelOf(model),
    startedAt,
    lastEventAt: validTime(model.lastTimestamp ?? null),
    turns: model.turns.length,
    calls: model.calls.length,
    failedCalls,
    category: diagnosis.category,
    error: clip(failureText(diagnosis)),
    // made once per version of the file: a warm report on thousands of failures does not redo it
    signature: NOT_FAILURES.has(diagnosis.category) ? null : failureSignature(failureText(diagnosis)),
    tokens,
    // a child whose file mixes its parent's counters with its own: its long requests may be the parent's
    longPrompts: needsParent && longPrompts ? "unknown" : longPrompts,
    // a child whose usage is recomputed with its parent's counters is priced whole, at its last model
    byModel: needsParent ? null : usageByModel(model, tokens, (index) => turnMs(model, index - 1)),
    wallMs: wall.ms,
    // only for a session with a turn on another day (the check rides on turnsMs' parse of each turn's start),
    // or a trimmed log with counters on another day (model-usage.ts counterDays)
    days:
      wall.otherDay || cuts.length > 0 || counterDays !== undefined
        ? usageByDay(
            turnFactsOf(model, (index) => turnMs(model, index - 1), counterDays),
            tokens,
            // a child that needs its parent's counters: its counters' growth, its parent's history taken off
            // its earliest days at report time (inherited-days.ts)
            startedAt,
            cuts,
          )
        : null,
    needsParent,
  };
}

/**
 * The time the session's turns took, each from its start to its end (a turn without one: to the next turn's
 * start, else the log's last event). Not first to last event: a session resumed days later (`codex exec
 * resume` appends to its log) did not run for those days.
 */
function turnsMs(model: SessionModel, startMs: number): { ms: number; otherDay: boolean } {
  // the UTC day the session started (NaN: unknown): a turn that started outside it makes the session's parts by day
  const dayStart = startMs - (startMs % DAY_MS);
  const dayEnd = dayStart + DAY_MS;
  let sum = 0;
  let otherDay = false;
  for (const [index, turn] of model.turns.entries()) {
    const start = Date.parse(turn.startedAt ?? "");
    if (start < dayStart || start >= dayEnd) otherDay = true; // false for NaN: a turn without a time
    const end = Date.parse(turn.endedAt ?? model.turns[index + 1]?.startedAt ?? model.lastTimestamp ?? "");
    if (Number.isFinite(start) && Number.isFinite(end) && end > start) sum += end - start;
  }
  return { ms: sum, otherDay };
}

/** The time the turn at `index` (of model.turns) took. */
function turnMs(model: SessionModel, index: number): number {
  const turn = model.turns[index];
  if (!turn) return 0;
  const start = Date.parse(turn.startedAt ?? "");
  const end = Date.parse(turn.endedAt ?? model.turns[index + 1]?.startedAt ?? model.lastTimestamp ?? "");
  return Number.isFinite(start) && Number.isFinite(end) && end > start ? end - start : 0;
}

function validTime(text: string | null): string | null {
  if (text === null) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function clip(text: string | null): string | null {
  if (text === null) return null;
  return text.length > ERROR_CHARS ? text.slice(0, ERROR_CHARS) : text;
}
