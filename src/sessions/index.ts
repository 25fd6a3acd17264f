// The session-reading API the tools use: locate a session, read it once, derive the views. Every function
// takes the caller's SessionStore (see store.ts): its caches and saved folds.
import type { FileFacts, FileStamp } from "./answer-files.js";
import { callViews, lastCallsFromEnd, type CallsOptions } from "./calls.js";
import type { RunFacts } from "./diagnosis.js";
import type { TokenTotals } from "./events.js";
import { needsParentCounters, type ChildView } from "./lineage.js";
import { listSessions as listInStore, type ListOptions } from "./list.js";
import {
  daysNewestFirst,
  resolveSession as resolveInStore,
  SessionLookupError,
  statFiles,
  type RolloutFile,
} from "./locate.js";
import { realpath } from "node:fs/promises";
import { isAbsolute, sep } from "node:path";
import { codexHomeProblem } from "./codex-home.js";
import { readsFromOffset, rolloutEvents, type ReadStats } from "./rollout-reader.js";
import type { Invocation } from "./resume-command.js";
import { foldWith, type IndexedSession } from "./fold-cache.js";
import { foldEvents, type FolderOptions, type SessionModel } from "./session-model.js";
import { withoutSiblingPrefix } from "./sibling-forks.js";
import { SessionStore, type AnswerSet } from "./store.js";
import { summarize, type SessionSummary } from "./summary.js";
import { scanTurns } from "./turn-scan.js";
import { tokenUsage } from "./usage.js";
import type { SessionCalls } from "./views/calls.js";
import type { SessionTokenUsage } from "./views/usage.js";

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
export {
  sessionsReport,
  checkFilters,
  loadPrices,
  callStatus,
  turnStatus,
  type ReportRequest,
  type ReportOptions,
  type Prices,
  type SessionDigest,
} from "./report/index.js";

/** A store, or a CODEX_HOME path read through a throwaway store (no cache kept: one-off reads, tests). */
export type SessionSource = SessionStore | string;

function storeOf(source: SessionSource): SessionStore {
  return typeof source === "string" ? new SessionStore(source) : source;
}

/**
 * The one check of every session reference, for the tools, the resources and the CLI alike: an id, a prefix,
 * `last`, or an explicit path inside CODEX_HOME and inside the operator's allowed roots.
 */
export async function resolveSession(source: SessionSource, ref: string): Promise<RolloutFile> {
  const store = storeOf(source);
  await mustBeInsideAllowedRoots(store.allowedRoots, ref);
  try {
    return await resolveInStore(store.home, ref, store.names);
  } catch (error) {
    const problem = error instanceof SessionLookupError ? await codexHomeProblem(store.home) : null;
    throw problem !== null ? new SessionLookupError(problem) : error;
  }
}

/** An explicit rollout path outside the allowed roots is refused before anything is read. */
async function mustBeInsideAllowedRoots(roots: readonly string[], ref: string): Promise<void> {
  if (roots.length === 0 || !isAbsolute(ref.trim())) return;
  const real = await realpath(ref.trim()).catch(() => undefined);
  if (real === undefined) return; // the reader says the file does not exist
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (realRoot !== undefined && (real === realRoot || real.startsWith(`${realRoot}${sep}`))) return;
  }
  throw new SessionLookupError(
    `${ref} is outside the allowed roots of this server (${roots.join(", ")}): pass a session id instead.`,
  );
}

export async function listSessions(source: SessionSource, options: ListOptions) {
  const store = storeOf(source);
  const listed = await listInStore(store.home, options, store.names, store.listings);
  const problem = listed.sessions.length === 0 ? await codexHomeProblem(store.home) : null;
  if (problem !== null) throw new SessionLookupError(problem);
  return listed;
}

/** A session's compact, cached fold (see fold-cache.ts): what the tools read. */
export async function openSession(
  source: SessionSource,
  ref: string,
): Promise<{ file: RolloutFile; model: SessionModel }> {
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

/** What the read tools and the CLI ask about a session. */
export type Question =
  { kind: "summary"; options: SessionSummaryOptions } | { kind: "calls"; options: CallsOptions } | { kind: "usage" };
export type AnswerTo<Q extends Question> = Q extends { kind: "summary" }
  ? SessionSummary
  : Q extends { kind: "calls" }
    ? SessionCalls
    : SessionTokenUsage;

/**
 * The one entry for answers: every read tool and CLI command asks here. The file is stamped once (path,
 * inode, size, mtime, last 4 KB: answer-files.ts stampOf), and every cache is read at that stamp, cheapest
 * first: answers made by this store (memo) → answers saved by an earlier process (saved answer) → the fold
 * (restored from a saved fold, or made, or brought up to date: fold-cache.ts) → the answer made from it.
 * Before a fold is at hand, calls and usage on a log of store.quickFromBytes or more are answered by a quicker read (calls from the
 * end, usage from a scan of the counters) where it gives the fold's numbers. An answer is kept at the
 * stamp it was made at, and only if the file is still in that state.
 */
export async function askSession<Q extends Question>(
  source: SessionSource,
  ref: string,
  question: Q,
): Promise<AnswerTo<Q>> {
  const store = storeOf(source);
  const file = await resolveSession(store, ref);
  const known = await store.answersAt(file.path);
  // a summary's key names facts of the fold (its id, for runs and children): known once it was folded
  let asked = question.kind !== "summary" || known.facts.fold ? await keyOf(store, file, known, question) : undefined;
  let key = asked?.key;
  const memo = key !== undefined ? known.answers.get(key) : undefined;
  if (memo !== undefined) return memo as AnswerTo<Q>;
  if (
    key !== undefined &&
    question.kind !== "summary" &&
    known.stamp.size >= store.quickFromBytes &&
    !(await store.hasFold(file.path))
  ) {
    const quick = await quickAnswer(file, question);
    if (quick) {
      await store.keep(file.path, known, key, quick);
      return quick as AnswerTo<Q>;
    }
  }
  const indexed = await store.fold(file.path, known.stamp);
  const facts = factsOf(indexed.model);
  if (key === undefined) {
    asked = await keyOf(store, file, { ...known, facts }, question);
    key = asked.key;
    const folded = known.answers.get(key);
    if (folded !== undefined) return folded as AnswerTo<Q>;
  }
  const made = await answerFromFold(store, file, known.stamp, indexed, question, asked?.context);
  // a fork's counters depend on its parent's log too: its answers are made afresh
  if (!needsParentCounters(indexed.model.lineage)) await store.keep(file.path, known, key, made, facts);
  return made as AnswerTo<Q>;
}

/** The same entry, by question (tests and one-off reads). */
export const sessionSummary = (source: SessionSource, ref: string, options: SessionSummaryOptions) =>
  askSession(source, ref, { kind: "summary", options });
export const sessionCalls = (source: SessionSource, ref: string, options: CallsOptions) =>
  askSession(source, ref, { kind: "calls", options });
export const sessionTokenUsage = (source: SessionSource, ref: string) => askSession(source, ref, { kind: "usage" });

/** What a summary says beside the fold: looked up once per question, for its key and for the answer. */
interface SummaryContext {
  sessionId: string;
  run: RunFacts | undefined;
  children: ChildView[];
}

/** A question's key among a file's answers at one stamp: everything else the answer depends on. */
async function keyOf(
  store: SessionStore,
  file: RolloutFile,
  known: AnswerSet,
  question: Question,
): Promise<{ key: string; context?: SummaryContext }> {
  switch (question.kind) {
    case "calls":
      return { key: JSON.stringify(["calls", file.path, question.options]) };
    case "usage":
      return { key: JSON.stringify(["usage", file.path]) };
    case "summary": {
      const { options } = question;
      const sessionId = known.facts.fold?.sessionId ?? file.id;
      const run = await options.runFacts?.(sessionId);
      // children live in other files: part of the key, so a new or finished child is seen at once
      const children = await childrenOf(
        store,
        sessionId,
        known.facts.fold?.firstTimestamp ?? undefined,
        known.stamp.mtimeMs,
      );
      const key = JSON.stringify([
        "summary",
        file.path,
        modifiedAt(known.stamp),
        options.reasoningLimit,
        run ?? null,
        options.invocation ?? null,
        children,
      ]);
      return { key, context: { sessionId, run, children } };
    }
  }
}

function modifiedAt(stamp: FileStamp): string {
  return new Date(stamp.mtimeMs).toISOString();
}

async function answerFromFold(
  store: SessionStore,
  file: RolloutFile,
  stamp: FileStamp,
  indexed: IndexedSession,
  question: Question,
  context: SummaryContext | undefined,
): Promise<AnswerTo<Question>> {
  switch (question.kind) {
    case "calls":
      return callsOfFold(store, file, indexed, question.options);
    case "usage": {
      const { model, skipped, badFieldLines } = await ownSession(store, file, indexed);
      return {
        session_id: model.meta?.id ?? file.id,
        path: file.path,
        skipped_lines: skipped,
        bad_field_lines: badFieldLines,
        ...tokenUsage(model),
      };
    }
    case "summary": {
      const { options } = question;
      const { model, skipped, badFieldLines } = await ownSession(store, file, indexed);
      const id = model.meta?.id ?? file.id;
      const run = context?.sessionId === id ? context.run : await options.runFacts?.(id);
      const children =
        context?.sessionId === id ? context.children : await childrenOf(store, id, model.firstTimestamp, stamp.mtimeMs);
      return summarize(
        model,
        { id: file.id, path: file.path, modifiedAt: modifiedAt(stamp) },
        {
          reasoningLimit: options.reasoningLimit,
          skippedLines: skipped,
          badFieldLines,
          children,
          run,
          invocation: options.invocation,
        },
      );
    }
  }
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
async function childrenOf(
  store: SessionStore,
  parentId: string,
  since: string | undefined,
  lastWriteMs: number,
): Promise<ChildView[]> {
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
      children.push({
        session_id: listing.session_id,
        kind: listing.kind,
        status: listing.status,
        first_prompt: listing.first_prompt,
        path: listing.path,
      });
    }
  }
  return children;
}

async function callsOfFold(
  store: SessionStore,
  file: RolloutFile,
  indexed: IndexedSession,
  options: CallsOptions,
): Promise<SessionCalls> {
  const { model, folder, skipped, badFieldLines } = indexed;
  const lastTurn = model.turns.length;
  // reading backwards cannot tell a parent's replayed calls from the child's, nor attach code-mode calls
  // to their `exec` call: those files are folded whole
  const foldWhole = !readsFromOffset(file.path) || folder.nestedCalls > 0 || (model.lineage?.inherited.lines ?? 0) > 0;
  const calls = foldWhole
    ? (await loadSession(store, file.path)).model.calls.slice(-options.limit)
    : await lastCallsFromEnd(file.path, options.limit, (callId) => folder.turnOfCall(callId) ?? lastTurn);
  return {
    session_id: model.meta?.id ?? file.id,
    path: file.path,
    skipped_lines: skipped,
    bad_field_lines: badFieldLines,
    total_calls: model.calls.length,
    calls: callViews(calls, options),
  };
}

/**
 * The first question on a file not folded yet, answered without the fold where that gives the fold's
 * numbers (undefined: only the fold can answer). Calls: the last calls read from the end, their turns
 * numbered by a scan of the bytes (turn-scan.ts). Usage: one scan that reads the turn boundaries and every
 * counter, none of the items. The whole-file line counts need the fold: left null.
 */
async function quickAnswer(
  file: RolloutFile,
  question: Question,
): Promise<SessionCalls | SessionTokenUsage | undefined> {
  if (!readsFromOffset(file.path) || question.kind === "summary") return undefined;
  if (question.kind === "calls") {
    const scan = await scanTurns(file.path);
    if (!scan) return undefined;
    const calls = await lastCallsFromEnd(file.path, question.options.limit, scan.turnAt, scan.size);
    return {
      session_id: scan.sessionId ?? file.id,
      path: file.path,
      skipped_lines: null,
      bad_field_lines: null,
      total_calls: null,
      calls: callViews(calls, question.options),
    };
  }
  const scan = await scanTurns(file.path, { counters: true });
  if (!scan) return undefined;
  return {
    session_id: scan.sessionId ?? file.id,
    path: file.path,
    skipped_lines: null,
    bad_field_lines: null,
    ...tokenUsage(scan.model),
  };
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
  if (!parentFile || parentFile.path === file.path)
    return parentFile ? indexed : withoutSiblingPrefix(store, file, indexed, lineage.parentId);
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
  return foldWith(file.path, options);
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
