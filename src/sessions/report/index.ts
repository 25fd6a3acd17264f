// The fleet report: every session in the date range reduced to its digest (digest.ts; computed once per
// version of its file and saved per date folder, digest-files.ts), then added up (aggregate.ts). Reads the
// date folders one at a time: memory follows the busiest day, not the number of sessions.
import { join } from "node:path";
import { appendAll } from "../../shared/arrays.js";
import type { UnlistableFolder } from "../folder-names.js";
import type { RolloutFile } from "../locate.js";
import type { SessionStore } from "../store.js";
import { ReportTally } from "./aggregate.js";
import type { Prices } from "./cost.js";
import type { SessionDigest } from "./digest.js";
import { boundsInside, cutOf, isoOf, KeptFacts, keptFacts } from "./cut-sessions.js";
import { emptyHomeNote } from "./empty-home.js";
import { ownDays } from "./inherited-days.js";
export { turnEnds } from "./cut-sessions.js";
import type { DayPart } from "./model-usage.js";
import { currentDigest, DigestFiles, type DayDigests, type ListedFile, type SavedDigest } from "./digest-files.js";
import { daysOf, statDay, watchedOf } from "./report-days.js";
import { codexWriters } from "./live-writers.js";
import { secondCopies } from "./copies.js";
import { checkFilters, inRange, matches, type CheckedFilters, type ReportRequest } from "./filters.js";
import type { ReportFilters, SessionsReport } from "./view.js";

export { loadPrices, PRICE_PACKAGE, priceFileSchema, type Prices } from "./cost.js";
export { failureSignature } from "./signature.js";
// what the OpenTelemetry export reads of a loaded session (it sees sessions through ../index.ts only)
export { callStatus, turnStatus } from "../session-model.js";
export type { SessionDigest } from "./digest.js";
export * from "./view.js";
export { checkFilters, type CheckedFilters, type ReportRequest } from "./filters.js";

export interface ReportOptions {
  prices: Prices;
  /** The server's state dir: digests are saved under it (none: kept in memory only). */
  stateDir?: string | undefined;
  /**
   * The sessions a run of this server (or of its state dir) still runs: an unfinished log of one is then
   * "running", not "interrupted". Asked at most once a report, and only when a recent log ended unfinished.
   */
  runningSessions?: () => Promise<ReadonlySet<string>>;
  /** Called with each session's digest as it is added (the export walks the same sessions). */
  onSession?: (digest: SessionDigest, file: RolloutFile) => void | Promise<void>;
  /** The time relative filters (`7d`) count from. */
  now?: number;
  /**
   * A server, asked again: keep the date folders' listings and stats between reports, trusted until a change
   * notification (watched-days.ts), and the digests and day tallies in memory, so a repeated report stats,
   * reads and adds up only what changed. Off for a one-shot CLI, which then holds one day at a time.
   */
  watch?: boolean;
}

const DAY_MS = 86_400_000;
/** Files digested at once: reading overlaps folding. */
const PARALLEL = 8;
/** Unreadable folders and logs named in a report (all are counted). */
const UNREADABLE_EXAMPLES = 3;
/** Digests this process keeps checked in memory (the warm path), the least recently reported days dropped first. */
const DIGESTS_KEPT = 20_000;

/** Keeps the in-memory days within DIGESTS_KEPT digests (about 1 KB each): memory does not follow the home's size. */
function keepWithin(memory: Map<string, DayDigests>): void {
  let total = 0;
  for (const day of memory.values()) total += day.size;
  for (const [key, day] of memory) {
    if (total <= DIGESTS_KEPT || memory.size === 1) return;
    memory.delete(key);
    total -= day.size;
  }
}

/** Digests known to this process, by store: checked against the files' size and mtime only (as listings are). */
const inMemory = new WeakMap<SessionStore, Map<string, DayDigests>>();
/**
 * Each day's tally as an earlier report added it up, by store and day: a warm report adds up days, not
 * sessions. Valid for the very digest objects it was made of (a changed log makes a new one), the same
 * grouping, cwd and model filters and prices, and time filters that take in every session of the day.
 */
interface KeptTally {
  key: string;
  entries: SavedDigest[];
  tally: ReportTally;
  firstAt: number;
  lastAt: number;
}
const keptTallies = new WeakMap<SessionStore, Map<string, KeptTally>>();

/** A day as the last report of a server saw it: its stats (the array watched-days.ts keeps), digests, in order. */
interface LastPass {
  files: RolloutFile[];
  next: DayDigests;
  entries: SavedDigest[];
  /** The day's logs that could not be read, with why (EACCES…): still said when nothing changed. */
  unreadable: Array<[string, string]>;
}
const lastPasses = new WeakMap<SessionStore, Map<string, LastPass>>();

export async function sessionsReport(
  store: SessionStore,
  request: ReportRequest,
  options: ReportOptions,
): Promise<SessionsReport> {
  const filters = checkFilters(request, options.now);
  const tally = new ReportTally(request.groupBy, options.prices, undefined, filters.model);
  const saved = options.stateDir !== undefined ? new DigestFiles(join(options.stateDir, "report")) : undefined;
  // kept between reports by a server only: a one-shot report holds one day at a time
  const memory = (options.watch && inMemory.get(store)) || new Map<string, DayDigests>();
  if (options.watch) inMemory.set(store, memory);
  // folders are named by the local date a session started: a day of slack either side
  const notBefore =
    filters.sinceMs !== undefined ? new Date(filters.sinceMs - DAY_MS).toISOString().slice(0, 10) : undefined;
  const notAfter =
    filters.untilMs !== undefined ? new Date(filters.untilMs + DAY_MS).toISOString().slice(0, 10) : undefined;
  // since/until as ISO times: compared with the digests' (ISO, UTC) times as text, nothing parsed a session
  const bounds =
    filters.sinceMs !== undefined || filters.untilMs !== undefined
      ? [filters.sinceMs, filters.untilMs].flatMap((ms) => (ms !== undefined ? [[ms, isoOf(ms)] as const] : []))
      : undefined;
  let scanned = 0;
  let recomputed = 0;
  const unreadable: Array<[string, string]> = [];
  const unlistable: UnlistableFolder[] = [];
  const watched = options.watch ? watchedOf(store) : undefined;
  let runningAsked: Promise<ReadonlySet<string>> | undefined;
  // a ledger that cannot be read leaves unfinished logs "interrupted", as a state dir without runs does
  const ofOurs = () =>
    (runningAsked ??= (options.runningSessions?.() ?? Promise.resolve(new Set<string>())).catch(
      () => new Set<string>(),
    ));
  // a run of ours, else any Codex process still writing it (its writer lock held): a live session is no failure
  const writing = codexWriters(store.home);
  const running = async (sessionId: string) => (await ofOurs()).has(sessionId) || writing(sessionId);
  const tallies = (options.watch && keptTallies.get(store)) || new Map<string, KeptTally>();
  if (options.watch) keptTallies.set(store, tallies);
  const passes = (options.watch && lastPasses.get(store)) || new Map<string, LastPass>();
  if (options.watch) lastPasses.set(store, passes);
  const kept = options.watch ? (keptFacts.get(store) ?? new KeptFacts()) : undefined;
  if (kept) {
    keptFacts.set(store, kept);
    kept.startReport();
  }
  // what a day's tally depends on besides its digests (the time filters are checked against its sessions' times)
  const tallyKey =
    options.prices.key !== undefined && !options.onSession
      ? JSON.stringify([
          request.groupBy,
          filters.cwd ?? null,
          filters.cwdResolved ?? null,
          filters.model ?? null,
          options.prices.key,
        ])
      : undefined;
  // every folder is listed: one older than `since` may hold a session resumed since (its turns are appended
  // to its old log), which its log's mtime tells
  for await (const day of daysOf(store, request.includeArchived, undefined, watched, unlistable)) {
    if (notAfter !== undefined && day.date !== "" && day.date > notAfter) continue;
    if (notBefore !== undefined && filters.sinceMs !== undefined && day.date < notBefore) {
      const sinceMs = filters.sinceMs;
      const stated = watched ? watched.files(day, statDay) : statDay(day.files);
      if (!stated.some((file) => file.mtimeMs >= sinceMs)) continue;
    }
    const dayKey = JSON.stringify([store.home, day.date, request.includeArchived]);
    const known = memory.get(dayKey);
    // a server's stats, kept by watched-days.ts; a day whose digests this process does not hold is read
    // whole, each log stat-ed by the descriptor it is read through (as a one-shot report stats every log)
    let files: RolloutFile[] | undefined = !watched
      ? undefined
      : known
        ? watched.files(day, statDay)
        : watched.keptFiles(day);
    const statedAt = watched && !files ? watched.statStarts() : undefined;
    const pass = passes.get(dayKey);
    let next: DayDigests;
    let entries: SavedDigest[];
    let dayUnreadable: Array<[string, string]> = [];
    if (files && known && pass && pass.files === files && pass.next === known) {
      // the very stats (kept by watched-days.ts) the day's digests were checked against: nothing to look at
      next = known;
      entries = pass.entries;
      dayUnreadable = pass.unreadable;
    } else {
      const kept = known ?? (saved ? await saved.load(dayKey) : new Map());
      next = new Map();
      let dayRecomputed = 0;
      const toRead: Array<RolloutFile | ListedFile> = [];
      const listing: Array<RolloutFile | ListedFile> = files ?? day.files;
      for (const file of listing) {
        const entry = kept.get(file.path);
        if (known && entry && isStated(file) && entry.stamp.size === file.size && entry.stamp.mtimeMs === file.mtimeMs)
          next.set(file.path, entry);
        else toRead.push(file);
      }
      const found = new Map<string, RolloutFile>();
      await eachLimited(toRead, PARALLEL, async (file) => {
        const entry = kept.get(file.path);
        const current = await currentDigest(file, entry);
        if (!current) return; // vanished, or not a file, meanwhile
        if ("unreadable" in current) return void dayUnreadable.push([file.path, current.unreadable]);
        next.set(file.path, current.entry);
        found.set(file.path, current.file);
        if (current.fresh) dayRecomputed += 1;
      });
      // in the listing's order, as the stated files are
      if (!files) {
        files = day.files.flatMap((file) => found.get(file.path) ?? []);
        // the stats of the day's logs only when each was read: list_sessions takes them, and names a log
        // the report could not read (left out of `files`) as unreadable rather than leave it out
        if (watched && statedAt !== undefined && dayUnreadable.length === 0) watched.record(day, files, statedAt);
      }
      recomputed += dayRecomputed;
      // new digests, or files gone: the saved day is rewritten
      if (dayRecomputed > 0 || next.size !== kept.size) await saved?.save(dayKey, next);
      // small logs are read synchronously: let a server's other requests in between days
      if (options.watch && toRead.length > 0) await new Promise((resolve) => setImmediate(resolve));
      entries = [];
      for (const file of files) {
        const entry = next.get(file.path);
        if (entry) entries.push(entry);
      }
    }
    scanned += files.length;
    appendAll(unreadable, dayUnreadable);
    memory.delete(dayKey);
    if (options.watch) {
      memory.set(dayKey, next);
      keepWithin(memory);
      passes.set(dayKey, { files, next, entries, unreadable: dayUnreadable });
    }
    // the day added up as before, when its digests, the grouping and filters and the prices are as then
    const keptTally = keptDay(tallies, dayKey, tallyKey, entries, filters);
    if (keptTally) {
      tally.merge(keptTally);
      continue;
    }
    const dayTally = new ReportTally(request.groupBy, options.prices, undefined, filters.model);
    let keep = tallyKey !== undefined;
    let firstAt = Number.POSITIVE_INFINITY;
    let lastAt = Number.NEGATIVE_INFINITY;
    let factsAdded = false;
    // among the copies read: an unreadable one does not stand for the session
    const copies = secondCopies(files.filter((file) => next.has(file.path)));
    for (const file of files) {
      const entry = next.get(file.path);
      if (!entry || copies.has(file.path)) continue;
      // a since/until inside the session: its parts by turn on either side (this report's only), from the
      // facts kept for this version of its log, else from the log
      const cuts = bounds && boundsInside(entry.digest, bounds);
      const keepable = kept !== undefined || saved !== undefined;
      const cut = cuts ? await cutOf(file, entry, cuts, kept, keepable).catch(() => undefined) : undefined;
      if (cut?.added) factsAdded = true;
      const read = cut?.digest;
      if (cuts) keep = false;
      const base = read ?? entry.digest;
      // what a live run or a parent's file decides is asked for each report, not kept
      if (needsReportTime(base, file)) keep = false;
      const digest = needsReportTime(base, file) ? await atReportTime(store, base, file, running) : base;
      // a session resumed on other days: each day's turns by their own time (model-usage.ts DayPart)
      let parts: DayPart[] | null = null;
      // a kept day tally holds for a range that takes in its sessions' last events too (a turn resumed since)
      if (options.watch) {
        const end = Date.parse(digest.lastEventAt ?? "");
        if (end > lastAt) lastAt = end;
      }
      if (!digest.days) {
        const at = sessionTime(digest, file);
        firstAt = Math.min(firstAt, at);
        lastAt = Math.max(lastAt, at);
        if (!inRange(at, filters)) {
          keep = false; // this day's tally is not the whole day's
          continue;
        }
      } else {
        parts = [];
        for (const part of digest.days) {
          const at = Date.parse(part.at);
          firstAt = Math.min(firstAt, at);
          lastAt = Math.max(lastAt, at);
          if (inRange(at, filters)) parts.push(part);
        }
        if (parts.length < digest.days.length) keep = false;
        if (parts.length === 0) continue;
      }
      if (!matches(digest, filters)) continue;
      if (digest.tokens) {
        // awaited only when a model needs the price package loaded: most need nothing
        const pricing = options.prices.prepare?.(digest.model, digest.startedAt);
        if (pricing) await pricing;
        for (const part of digest.byModel ?? []) await options.prices.prepare?.(part.model, digest.startedAt);
        for (const part of parts ?? [])
          for (const usage of part.usage ?? []) await options.prices.prepare?.(usage.model, digest.startedAt);
      }
      dayTally.add(digest, parts);
      if (options.onSession) await options.onSession(digest, file);
    }
    tally.merge(dayTally);
    // a session cut by this report's bounds: its facts saved with the day's digests, for the next report
    if (factsAdded) await saved?.save(dayKey, next);
    // a one-shot report keeps no tally: it would hold every day's digests until the end
    if (options.watch && keep && tallyKey !== undefined && !dayTally.unpricedModelsFull)
      tallies.set(dayKey, { key: tallyKey, entries, tally: dayTally, firstAt, lastAt });
    else tallies.delete(dayKey);
  }
  // kept only for the days whose digests are kept
  for (const key of tallies.keys()) if (!memory.has(key)) tallies.delete(key);
  for (const key of passes.keys()) if (!memory.has(key)) passes.delete(key);
  return {
    filters: {
      since: request.since ?? null,
      until: request.until ?? null,
      cwd: filters.cwd ?? null,
      model: filters.model ?? null,
      include_archived: request.includeArchived,
      group_by: request.groupBy,
    } satisfies ReportFilters,
    rows: tally.rowsView(),
    total: tally.totalView(),
    recurring_failures: tally.failuresView(),
    price_source: options.prices.source,
    scanned_files: scanned,
    home_note: scanned === 0 ? await emptyHomeNote(store.home) : null,
    recomputed_files: recomputed,
    unreadable_files: unreadable.length,
    unreadable_folders: unlistable.length,
    // the folders first: each may hide any number of logs
    unreadable_examples: [...unlistable.map(({ path, code }) => [path, code] as const), ...unreadable]
      .slice(0, UNREADABLE_EXAMPLES)
      .map(([path, code]) => `${path} (${code})`),
  };
}

function isStated(file: RolloutFile | ListedFile): file is RolloutFile {
  return "size" in file;
}

function needsReportTime(digest: SessionDigest, file: RolloutFile): boolean {
  return digest.needsParent || (digest.category === "interrupted" && Date.now() - file.mtimeMs < DAY_MS);
}

/** What depends on more than the file: a live run, and a fork's usage that needs its parent's counters. */
async function atReportTime(
  store: SessionStore,
  digest: SessionDigest,
  file: RolloutFile,
  running: (sessionId: string) => Promise<boolean>,
): Promise<SessionDigest> {
  let result = digest;
  // a run writes its log as it goes: a session silent for a day is not asked about
  const recent = Date.now() - file.mtimeMs < DAY_MS;
  if (digest.category === "interrupted" && recent && (await running(digest.sessionId)))
    result = { ...result, category: "running", error: null, signature: null };
  if (digest.needsParent) {
    // the reader's own fork handling (index.ts ownSession): imported when needed, the module imports this one
    const { sessionTokenUsage } = await import("../index.js");
    const usage = await sessionTokenUsage(store, file.path).catch(() => undefined);
    // its parts by day hold its parent's history too: taken off its earliest days (inherited-days.ts)
    if (usage) result = { ...result, tokens: usage.total, days: ownDays(result.days, digest.tokens, usage.total) };
  }
  return result;
}

/** The time since/until filter a session on: its start, else its file's mtime. */
function sessionTime(digest: SessionDigest, file: RolloutFile): number {
  return Date.parse(digest.startedAt ?? "") || file.mtimeMs;
}

/** A day's tally kept from an earlier report, if it holds for these digests, filters and prices. */
function keptDay(
  tallies: Map<string, KeptTally>,
  dayKey: string,
  tallyKey: string | undefined,
  entries: SavedDigest[],
  filters: CheckedFilters,
): ReportTally | undefined {
  const kept = tallies.get(dayKey);
  if (!kept || tallyKey === undefined || kept.key !== tallyKey || kept.entries.length !== entries.length)
    return undefined;
  // every session of the day within these time filters too
  if (kept.entries.length > 0 && !(inRange(kept.firstAt, filters) && inRange(kept.lastAt, filters))) return undefined;
  if (kept.entries !== entries)
    for (let i = 0; i < entries.length; i++) if (kept.entries[i] !== entries[i]) return undefined;
  return kept.tally;
}

async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
