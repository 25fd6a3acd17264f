// The session-reading API the tools use: locate a session, read it once, derive the views. Every function
// takes the caller's SessionStore (see store.ts): its caches and saved folds.
import type { FileFacts, FileStamp } from "./answer-files.js";
import type { EventOf } from "./events.js";
import { callViews, lastCallsFromEnd, type CallsOptions } from "./calls.js";
import type { CwdGone, RunFacts } from "./diagnosis.js";
import { needsParentCounters, type ChildView } from "./lineage.js";
import { listSessions as listInStore, type ListOptions } from "./list.js";
import { watchedOf } from "./report/report-days.js";
import { SessionLookupError, type RolloutFile } from "./locate.js";
import { codexHomeProblem } from "./codex-home.js";
import { emptyHomeNote } from "./report/empty-home.js";
import { taskOwnerOf, type TaskOwner } from "./family.js";
import { readCodexConfig, type CodexConfigFacts } from "./codex-config.js";
import { folderGone } from "./folder-gone.js";
import { eventsBackward, readsFromOffset, rolloutEvents, type ReadStats } from "./rollout-reader.js";
import type { Invocation } from "./resume-command.js";
import { type IndexedSession } from "./fold-cache.js";
import { foldEvents, type SessionModel } from "./session-model.js";
import { SessionStore, type AnswerSet } from "./store.js";
import { sessionCwd, summarize, type SessionSummary } from "./summary.js";
import { scanTurns } from "./turn-scan.js";
import { tokenUsage } from "./usage.js";
import type { SessionCalls } from "./views/calls.js";
import type { SessionTokenUsage } from "./views/usage.js";

import { resolveSession, storeOf, type SessionSource } from "./resolve.js";
import { childrenOf, ownSession } from "./family.js";

export { resolveSession, type SessionSource } from "./resolve.js";
export type { SessionListing } from "./list.js";
export { defaultCodexHome } from "./codex-home.js";
export { readCodexConfig, trustedProjectFiles, type SystemConfigFiles } from "./codex-config.js";
export { isTable, parseToml, type NotToml, type Table as TomlTable } from "./codex-config-files.js";
export { SessionLookupError, type RolloutFile } from "./locate.js";
export { SessionStore } from "./store.js";
export type { SessionSummary } from "./summary.js";
export type { RunFacts, Diagnosis } from "./diagnosis.js";
export { DIAGNOSIS_CATEGORIES, CATEGORY_GUIDE, type DiagnosisCategory } from "./diagnosis-categories.js";
export type { Invocation } from "./resume-command.js";
export type { CallView } from "./calls.js";
export type { TokenUsageReport } from "./usage.js";
export { subtractTokens } from "./usage.js";
// what src/codex uses of this layer: it reads sessions through this file only (lint enforces it)
export type { TokenTotals } from "./events.js";
export { tokenTotals } from "./normalize.js";
export { listRolloutFiles, sessionIdFromPath } from "./locate.js";
export { edgeEvents } from "./rollout-reader.js";
export { invocationOfRun, printableProvider, resumeCommandLine } from "./resume-command.js";
export { RUN_STATUSES, SANDBOX_MODES, type RunStatus, type SandboxMode } from "./views/closed-sets.js";
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

export async function listSessions(source: SessionSource, options: ListOptions) {
  const store = storeOf(source);
  const watched = options.watch ? watchedOf(store) : undefined;
  const listed = await listInStore(store.home, options, store.names, store.listings, watched);
  const problem = listed.sessions.length === 0 ? await codexHomeProblem(store.home) : null;
  if (problem !== null) throw new SessionLookupError(problem);
  // a valid home without sessions/ (a new one, or `CODEX_HOME=~`): not an error, but said, as the report says it
  const home_note = listed.sessions.length === 0 ? await emptyHomeNote(store.home, "list") : null;
  return { ...listed, home_note };
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

/**
 * The turn_context a session recorded last at or before `at` (ISO), read from the log's end: what a run that
 * ended then ran with, where a later turn (another run, a resume by hand) is the newest. Undefined: none.
 */
export async function contextAt(
  source: SessionSource,
  ref: string,
  at: string,
): Promise<EventOf<"turn_context"> | undefined> {
  const store = storeOf(source);
  const file = await resolveSession(store, ref);
  const until = Date.parse(at);
  for await (const { events } of eventsBackward(file.path)) {
    const context = events.findLast(
      (event): event is EventOf<"turn_context"> =>
        event.kind === "turn_context" && event.timestamp !== undefined && Date.parse(event.timestamp) <= until,
    );
    if (context) return context;
  }
  return undefined;
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
  /** The user's config.toml now: a printed resume runs with it (undefined: unknown). */
  config: CodexConfigFacts | undefined;
  /** A sub-agent's: where its task goes on (its parents' logs are in other files). */
  taskOwner: TaskOwner | undefined;
  /** The session's folder is no folder now: its next steps cannot run there. */
  cwdGone: CwdGone;
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
      const config = await readCodexConfig(store.home, known.facts.fold?.cwd);
      const parent = known.facts.fold?.subagentOf;
      const taskOwner = parent ? await taskOwnerOf(store, parent) : undefined;
      const cwdGone = await folderGone(known.facts.fold?.cwd);
      const key = JSON.stringify([
        "summary",
        file.path,
        modifiedAt(known.stamp),
        options.reasoningLimit,
        run ?? null,
        options.invocation ?? null,
        children,
        config ?? null,
        taskOwner ?? null,
        cwdGone,
      ]);
      return { key, context: { sessionId, run, children, config, taskOwner, cwdGone } };
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
      const config = context ? context.config : await readCodexConfig(store.home, sessionCwd(model));
      const parent = subagentOf(model);
      const taskOwner =
        context?.sessionId === id ? context.taskOwner : parent ? await taskOwnerOf(store, parent) : undefined;
      const cwdGone = context ? context.cwdGone : await folderGone(sessionCwd(model));
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
          config,
          taskOwner,
          cwdGone,
        },
      );
    }
  }
}

/** What answers saved with a fold's facts need to find their key again without the fold. */
function factsOf(model: SessionModel): FileFacts {
  return {
    fold: {
      sessionId: model.meta?.id ?? null,
      firstTimestamp: model.firstTimestamp ?? null,
      subagentOf: subagentOf(model) ?? null,
      cwd: sessionCwd(model),
    },
  };
}

function subagentOf(model: SessionModel): string | undefined {
  const lineage = model.lineage;
  return lineage?.kind === "subagent" && lineage.parentId ? lineage.parentId : undefined;
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
