// The session-reading API the tools use: locate a session, read it once, derive the views. Every function
// takes the caller's SessionStore (see store.ts): its caches and saved folds.
import { stat } from "node:fs/promises";
import type { FileFacts } from "./answer-files.js";
import { callViews, lastCallsFromEnd, type CallsOptions } from "./calls.js";
import type { RunFacts } from "./diagnosis.js";
import type { TokenTotals } from "./events.js";
import { needsParentCounters, type ChildView } from "./lineage.js";
import { listSessions as listInStore, type ListOptions } from "./list.js";
import { daysNewestFirst, resolveSession as resolveInStore, SessionLookupError, statFiles, type RolloutFile } from "./locate.js";
import { codexHomeProblem } from "./codex-home.js";
import { readsFromOffset, rolloutEvents, type ReadStats } from "./rollout-reader.js";
import type { Invocation } from "./resume-command.js";
import type { IndexedSession } from "./fold-cache.js";
import { foldEvents, SessionFolder, type FolderOptions, type SessionModel } from "./session-model.js";
import { withoutSiblingPrefix } from "./sibling-forks.js";
import { SessionStore } from "./store.js";
import { summarize, type SessionSummary } from "./summary.js";
import { scanTurns } from "./turn-scan.js";
import { tokenUsage } from "./usage.js";
import type { SessionCalls } from "./views/calls.js";
import type { SessionTokenUsage } from "./views/usage.js";
import { keepNewest } from "../shared/bounded.js";

export type { SessionListing } from "./list.js";
export { defaultCodexHome } from "./codex-home.js";
export { SessionLookupError, type RolloutFile } from "./locate.js";
export { SessionStore } from "./store.js";
export type { SessionSummary } from "./summary.js";
export type { RunFacts, Diagnosis } from "./diagnosis.js";
export { DIAGNOSIS_CATEGORIES, CATEGORY_GUIDE, type DiagnosisCategory } from "./diagnosis-categories.js";
export type { Invocation } from "./resume-command.js";
export type { CallView } from "./calls.js";
export type { TokenUsageReport } from "./usage.js";
// what src/codex uses of this layer: it reads sessions through this file only (lint enforces it)
export type { TokenTotals } from "./events.js";
export { tokenTotals } from "./normalize.js";
export { listRolloutFiles } from "./locate.js";
export { edgeEvents } from "./rollout-reader.js";
export { invocationOfRun, resumeCommandLine } from "./resume-command.js";
export { RUN_STATUSES, type RunStatus, type SandboxMode } from "./views/closed-sets.js";
export { tokenTotalsSchema } from "./views/tokens.js";
export { sessionsReport, checkFilters, loadPrices, callStatus, turnStatus, type ReportRequest, type ReportOptions, type Prices, type SessionDigest } from "./report/index.js";

/** A store, or a CODEX_HOME path read through a throwaway store (no cache kept: one-off reads, tests). */
export type SessionSource = SessionStore | string;

function storeOf(source: SessionSource): SessionStore {
  return typeof source === "string" ? new SessionStore(source) : source;
}

export async function resolveSession(source: SessionSource, ref: string): Promise<RolloutFile> {
  const store = storeOf(source);
  try {
    return await resolveInStore(store.home, ref, store.names);
  } catch (error) {
    const problem = error instanceof SessionLookupError ? await codexHomeProblem(store.home) : null;
    throw problem !== null ? new SessionLookupError(problem) : error;
  }
}

export async function listSessions(source: SessionSource, options: ListOptions) {
  const store = storeOf(source);
  const listed = await listInStore(store.home, options, store.names, store.listings);
  const problem = listed.sessions.length === 0 ? await codexHomeProblem(store.home) : null;
  if (problem !== null) throw new SessionLookupError(problem);
  return listed;
}

/** A session's compact, cached fold (see fold-cache.ts): what the tools read. */
export async function openSession(source: SessionSource, ref: string): Promise<{ file: RolloutFile; model: SessionModel }> {
  const store = storeOf(source);
  const file = await resolveSession(store, ref);
  return { file, model: (await store.fold(file.path)).model };
}

/** A full, uncached fold of one session (every text kept): the reference the fast paths are tested against. */
export interface LoadedSession {
  file: RolloutFile;
  model: SessionModel;
  stats: ReadStats;
}

export async function loadSession(source: SessionSource, ref: string): Promise<LoadedSession> {
  const store = storeOf(source);
  const file = await resolveSession(store, ref);
  const stats: ReadStats = { lines: 0, skipped: 0, badFieldLines: 0 };
  const model = await foldEvents(rolloutEvents(file.path, stats));
  return { file, model, stats };
}

export interface SessionSummaryOptions {
  reasoningLimit: number;
  /** What a run of this session reported outside the log (the run ledger, the run's process), looked up by session id. */
  runFacts?: (sessionId: string) => Promise<RunFacts | undefined>;
  /** CODEX_HOME and binary for the commands in next_step, when not the defaults. */
  invocation?: Invocation | undefined;
}

/** A view of a fold, computed once while the file is unchanged (see IndexedSession.views). */
function memo<T>(views: Map<string, unknown>, key: string, make: () => Promise<T> | T): Promise<T> | T {
  if (views.has(key)) return views.get(key) as T;
  const made = make();
  views.set(key, made);
  // a failed read is not remembered
  if (made instanceof Promise) made.catch(() => views.delete(key));
  return made;
}

export async function sessionSummary(source: SessionSource, ref: string, options: SessionSummaryOptions): Promise<SessionSummary> {
  const store = storeOf(source);
  const file = await resolveSession(store, ref);
  const answers = await store.answers(file.path);
  const { mtimeMs } = await stat(file.path);
  const known = answers?.facts.fold;
  if (known) {
    // answered before on these very bytes (the fold's facts saved with the answers name the same key)
    const { key } = await summaryKey(store, file, known.sessionId ?? file.id, known.firstTimestamp ?? undefined, mtimeMs, options);
    const saved = answers.answers.get(key) as SessionSummary | undefined;
    if (saved) return saved;
  }
  const indexed = await store.fold(file.path);
  const { model, skipped, badFieldLines, views } = await ownSession(store, file, indexed);
  const { key, modifiedAt, run, children } = await summaryKey(store, file, model.meta?.id ?? file.id, model.firstTimestamp, mtimeMs, options);
  const summary = await memo(views, key, () =>
    summarize(model, { id: file.id, path: file.path, modifiedAt }, { reasoningLimit: options.reasoningLimit, skippedLines: skipped, badFieldLines, children, run, invocation: options.invocation }),
  );
  if (!needsParentCounters(indexed.model.lineage)) await store.keepAnswer(file.path, answers, key, summary, factsOf(indexed.model));
  return summary;
}

async function summaryKey(store: SessionStore, file: RolloutFile, id: string, firstTimestamp: string | undefined, mtimeMs: number, options: SessionSummaryOptions) {
  const modifiedAt = new Date(mtimeMs).toISOString();
  const run = await options.runFacts?.(id);
  // children live in other files: part of the key, so a new or finished child is seen at once
  const children = await childrenOf(store, id, firstTimestamp, mtimeMs);
  const key = JSON.stringify(["summary", file.path, modifiedAt, options.reasoningLimit, run ?? null, options.invocation ?? null, children]);
  return { key, modifiedAt, run, children };
}

/** What answers saved with a fold's facts need to find their key again without the fold. */
function factsOf(model: SessionModel): FileFacts {
  return { fold: { sessionId: model.meta?.id ?? null, firstTimestamp: model.firstTimestamp ?? null } };
}

/** At most this many files are described when looking for a session's children (list_sessions' cached heads). */
const CHILDREN_SCANNED = 200;
const DAY_MS = 86_400_000;

/**
 * Forks and sub-agents name their parent in their session_meta. A child is created while its parent is in
 * use, so only the date folders from the parent's start to its last write (a day either side: folders are
 * local dates) are read, whatever else the home holds; a fork made after the parent's last write is not listed.
 */
async function childrenOf(store: SessionStore, parentId: string, since: string | undefined, lastWriteMs: number): Promise<ChildView[]> {
  const sinceMs = since !== undefined ? Date.parse(since) : Number.NaN;
  if (!Number.isFinite(sinceMs)) return [];
  const notBefore = new Date(sinceMs - DAY_MS).toISOString().slice(0, 10);
  const notAfter = new Date(lastWriteMs + DAY_MS).toISOString().slice(0, 10);
  const children: ChildView[] = [];
  let described = 0;
  for await (const day of daysNewestFirst(store.home, store.names, { includeArchived: true, notBefore })) {
    if (day.date > notAfter) continue;
    for (const file of await statFiles(day.files)) {
      if (file.mtimeMs < sinceMs) continue;
      if (++described > CHILDREN_SCANNED) return children;
      const listing = await store.listings.describe(file).catch(() => undefined);
      if (!listing || listing.parent_session_id !== parentId || listing.session_id === parentId) continue;
      children.push({ session_id: listing.session_id, kind: listing.kind, status: listing.status, first_prompt: listing.first_prompt, path: listing.path });
    }
  }
  return children;
}

export async function sessionCalls(source: SessionSource, ref: string, options: CallsOptions): Promise<SessionCalls> {
  const store = storeOf(source);
  const file = await resolveSession(store, ref);
  const key = JSON.stringify(["calls", file.path, options]);
  const answers = await store.answers(file.path);
  const saved = answers?.answers.get(key) as SessionCalls | undefined;
  if (saved) return saved;
  if (!(await store.hasFold(file.path))) {
    const quick = await callsFromEnd(store, file, options);
    if (quick) {
      await store.keepAnswer(file.path, answers, key, quick);
      return quick;
    }
  }
  const indexed = await store.fold(file.path);
  const calls = await callsOfFold(store, file, indexed, key, options);
  await store.keepAnswer(file.path, answers, key, calls, factsOf(indexed.model));
  return calls;
}

function callsOfFold(store: SessionStore, file: RolloutFile, indexed: IndexedSession, key: string, options: CallsOptions): Promise<SessionCalls> | SessionCalls {
  const { model, folder, skipped, badFieldLines, views } = indexed;
  return memo(views, key, async (): Promise<SessionCalls> => {
    const lastTurn = model.turns.length;
    // reading backwards cannot tell a parent's replayed calls from the child's, nor attach code-mode calls
    // to their `exec` call: those files are folded whole
    const foldWhole = !readsFromOffset(file.path) || folder.nestedCalls > 0 || (model.lineage?.inherited.lines ?? 0) > 0;
    const calls = foldWhole
      ? (await loadSession(store, file.path)).model.calls.slice(-options.limit)
      : await lastCallsFromEnd(file.path, options.limit, (callId) => folder.turnOfCall(callId) ?? lastTurn);
    return { session_id: model.meta?.id ?? file.id, path: file.path, skipped_lines: skipped, bad_field_lines: badFieldLines, total_calls: model.calls.length, calls: callViews(calls, options) };
  });
}

/**
 * The first question on a file not folded yet: its last calls read from its end, their turns numbered by
 * a scan of the bytes (turn-scan.ts), no fold made. The whole-file counts need the fold: left null. Kept
 * while the file is unchanged. Undefined where only the fold can answer (see scanTurns).
 */
async function callsFromEnd(store: SessionStore, file: RolloutFile, options: CallsOptions): Promise<SessionCalls | undefined> {
  return quickAnswer(store, file, JSON.stringify(options), async () => {
    const scan = await scanTurns(file.path);
    if (!scan) return undefined;
    const calls = await lastCallsFromEnd(file.path, options.limit, scan.turnAt, scan.size);
    return { session_id: scan.sessionId ?? file.id, path: file.path, skipped_lines: null, bad_field_lines: null, total_calls: null, calls: callViews(calls, options) };
  });
}

/**
 * The first token_usage on a file not folded yet: one scan of its bytes that reads its turn boundaries and
 * every counter, none of its items (turn-scan.ts), so every number is the fold's; the whole-file line
 * counts need the fold: left null.
 */
async function usageFromScan(file: RolloutFile): Promise<SessionTokenUsage | undefined> {
  const scan = await scanTurns(file.path, { counters: true });
  if (!scan) return undefined;
  return { session_id: scan.sessionId ?? file.id, path: file.path, skipped_lines: null, bad_field_lines: null, ...tokenUsage(scan.model) };
}

/** An answer made without the fold, kept while the file is unchanged (no fold, so no views map of its own). */
async function quickAnswer<T>(store: SessionStore, file: RolloutFile, key: string, make: () => Promise<T | undefined>): Promise<T | undefined> {
  if (!readsFromOffset(file.path)) return undefined;
  const { size, mtimeMs } = await stat(file.path);
  const stamp = `${size}:${mtimeMs}`;
  let kept = store.quickAnswers.get(file.path);
  if (kept?.stamp !== stamp) {
    kept = { stamp, answers: new Map() };
    store.quickAnswers.set(file.path, kept);
    keepNewest(store.quickAnswers, QUICK_FILES);
  }
  const known = kept.answers.get(key) as T | undefined;
  if (known) return known;
  const answer = await make();
  if (answer !== undefined) kept.answers.set(key, answer);
  return answer;
}

const QUICK_FILES = 16;

export async function sessionTokenUsage(source: SessionSource, ref: string): Promise<SessionTokenUsage> {
  const store = storeOf(source);
  const file = await resolveSession(store, ref);
  const key = JSON.stringify(["usage", file.path]);
  const answers = await store.answers(file.path);
  const saved = answers?.answers.get(key) as SessionTokenUsage | undefined;
  if (saved) return saved;
  if (!(await store.hasFold(file.path))) {
    const quick = await quickAnswer(store, file, key, () => usageFromScan(file));
    if (quick) {
      await store.keepAnswer(file.path, answers, key, quick);
      return quick;
    }
  }
  const indexed = await store.fold(file.path);
  const { model, skipped, badFieldLines, views } = await ownSession(store, file, indexed);
  const usage = await memo(views, key, (): SessionTokenUsage => ({ session_id: model.meta?.id ?? file.id, path: file.path, skipped_lines: skipped, bad_field_lines: badFieldLines, ...tokenUsage(model) }));
  // a fork's usage depends on its parent's log too: not saved
  if (!needsParentCounters(indexed.model.lineage)) await store.keepAnswer(file.path, answers, key, usage, factsOf(indexed.model));
  return usage;
}

/**
 * A fork whose file copies its parent's counters with no marker of where the copy ends: when the parent's
 * log is in CODEX_HOME and the child's first counter is the parent's, the child is folded again with the
 * parent's counters, so the repeated ones are reported as inherited rather than counted.
 */
async function ownSession(store: SessionStore, file: RolloutFile, indexed: IndexedSession): Promise<IndexedSession> {
  const lineage = indexed.model.lineage;
  const meta = indexed.model.meta;
  if (!needsParentCounters(lineage)) return indexed;
  const parentFile = await resolveSession(store, lineage.parentId).catch(() => undefined);
  if (!parentFile || parentFile.path === file.path) return parentFile ? indexed : withoutSiblingPrefix(store, file, indexed, lineage.parentId);
  let options: FolderOptions;
  if (meta?.historyEndOrdinal !== undefined) {
    // a paginated fork (0.169) continues its parent's counter from the fork point
    const inheritedTokens = await counterBefore(parentFile.path, meta.historyEndOrdinal);
    if (!inheritedTokens) return indexed;
    options = { inheritedTokens };
  } else {
    const parentCounters = (await store.fold(parentFile.path)).model.tokens.counterTotals;
    const first = indexed.model.tokens.counterTotals[0];
    if (first === undefined || parentCounters[0] !== first) return indexed;
    options = { parentCounters };
  }
  const stats: ReadStats = { lines: 0, skipped: 0, badFieldLines: 0 };
  const folder = new SessionFolder(options);
  for await (const event of rolloutEvents(file.path, stats)) folder.add(event);
  return { model: folder.model, folder, skipped: stats.skipped, badFieldLines: stats.badFieldLines, lines: stats.lines, views: new Map() };
}

/** The parent's cumulative usage at its last counter before `endOrdinal` (read from the start, stopping there). */
async function counterBefore(path: string, endOrdinal: number): Promise<TokenTotals | undefined> {
  let last: TokenTotals | undefined;
  for await (const event of rolloutEvents(path, { lines: 0, skipped: 0, badFieldLines: 0 })) {
    if (event.ordinal !== undefined && event.ordinal >= endOrdinal) break;
    if (event.kind === "token_count" && event.total) last = event.total;
  }
  return last;
}
