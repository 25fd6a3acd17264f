// The session-reading API the tools use: locate a session, read it once, derive the views.
import { stat } from "node:fs/promises";
import { callViews, lastCallsFromEnd, type CallsOptions } from "./calls.js";
import { describe } from "./list.js";
import { isCompressed } from "./read-lines.js";
import { needsParentCounters, type ChildView } from "./lineage.js";
import { listRolloutFiles, resolveSession, type RolloutFile } from "./locate.js";
import { rolloutEvents, type ReadStats } from "./read-rollout.js";
import { indexedSession, type IndexedSession } from "./session-index.js";
import type { TokenTotals } from "./events.js";
import { foldEvents, SessionFolder, type FolderOptions, type SessionModel } from "./session-model.js";
import type { RunFacts } from "./diagnosis.js";
import type { Invocation } from "./resume-command.js";
import { summarize } from "./summary.js";
import { tokenUsage } from "./usage.js";

export { listSessions, type SessionListing } from "./list.js";
export { defaultCodexHome } from "./codex-home.js";
export { SessionLookupError } from "./locate.js";
export type { SessionSummary } from "./summary.js";
export type { RunFacts, Diagnosis } from "./diagnosis.js";
export { DIAGNOSIS_CATEGORIES, CATEGORY_GUIDE, type DiagnosisCategory } from "./diagnosis-categories.js";
export type { Invocation } from "./resume-command.js";
export type { CallView } from "./calls.js";
export type { TokenUsageReport } from "./usage.js";

export { indexedSession } from "./session-index.js";

/** A session's compact, cached fold (see session-index.ts): what the tools read. */
export async function openSession(home: string, ref: string): Promise<{ file: RolloutFile; model: SessionModel }> {
  const file = await resolveSession(home, ref);
  return { file, model: (await indexedSession(file.path)).model };
}

/** A full, uncached fold of one session (every text kept): the reference the fast paths are tested against. */
export interface LoadedSession {
  file: RolloutFile;
  model: SessionModel;
  stats: ReadStats;
}

export async function loadSession(home: string, ref: string): Promise<LoadedSession> {
  const file = await resolveSession(home, ref);
  const stats: ReadStats = { lines: 0, skipped: 0, badFieldLines: 0 };
  const model = await foldEvents(rolloutEvents(file.path, stats));
  return { file, model, stats };
}

export interface SessionSummaryOptions {
  reasoningLimit: number;
  /** What a run of this session reported outside the log (the server's run ledger), looked up by session id. */
  runFacts?: (sessionId: string) => Promise<RunFacts | undefined>;
  invocation?: Invocation | undefined;
}

export async function sessionSummary(home: string, ref: string, options: SessionSummaryOptions) {
  const file = await resolveSession(home, ref);
  const { model, skipped, badFieldLines } = await ownSession(home, file, await indexedSession(file.path));
  const modifiedAt = new Date((await stat(file.path)).mtimeMs).toISOString();
  const id = model.meta?.id ?? file.id;
  const run = await options.runFacts?.(id);
  const children = await childrenOf(home, id, model.firstTimestamp);
  return summarize(model, { id: file.id, path: file.path, modifiedAt }, { reasoningLimit: options.reasoningLimit, skippedLines: skipped, badFieldLines, children, run, invocation: options.invocation });
}

/** Files written after the parent started, newest first, at most this many read (list_sessions' cached heads). */
const CHILDREN_SCANNED = 200;

/** File names carry local time; UTC offsets span -12 h to +14 h. */
const LOCAL_TIME_SLACK_MS = 14 * 3600_000;

/** `rollout-2026-01-10T09-00-00-<uuid>.jsonl` → that time read as UTC; +Infinity when the name has none. */
function createdMs(path: string): number {
  const match = /rollout-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})-[^/\\]*$/.exec(path);
  if (!match) return Number.POSITIVE_INFINITY;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** Forks and sub-agents name their parent in their session_meta: the files written since it started are read. */
async function childrenOf(home: string, parentId: string, since: string | undefined): Promise<ChildView[]> {
  const sinceMs = since !== undefined ? Date.parse(since) : Number.NaN;
  const files = await listRolloutFiles(home, { includeArchived: true });
  const children: ChildView[] = [];
  let scanned = 0;
  for (const file of files) {
    if (Number.isFinite(sinceMs) && file.mtimeMs < sinceMs) break;
    // a child is created after its parent started: its file name (local creation time) says so unread
    if (Number.isFinite(sinceMs) && createdMs(file.path) < sinceMs - LOCAL_TIME_SLACK_MS) continue;
    if (++scanned > CHILDREN_SCANNED) break;
    const listing = await describe(file).catch(() => undefined);
    if (!listing || listing.parent_id !== parentId || listing.id === parentId) continue;
    children.push({ id: listing.id, kind: listing.kind, status: listing.status, first_prompt: listing.first_prompt, path: listing.path });
  }
  return children;
}

export async function sessionCalls(home: string, ref: string, options: CallsOptions) {
  const file = await resolveSession(home, ref);
  const { model, folder, skipped, badFieldLines } = await indexedSession(file.path);
  const lastTurn = model.turns.length;
  // reading backwards cannot tell a parent's replayed calls from the child's, nor attach code-mode calls
  // to their `exec` call: those files are folded whole
  const foldWhole = file.path.endsWith(".json") || isCompressed(file.path) || folder.nestedCalls > 0 || (model.lineage?.inherited.lines ?? 0) > 0;
  const calls = foldWhole
    ? (await loadSession(home, file.path)).model.calls.slice(-options.limit)
    : await lastCallsFromEnd(file.path, options.limit, (callId) => folder.turnOfCall(callId) ?? lastTurn);
  return { id: model.meta?.id ?? file.id, path: file.path, skipped_lines: skipped, bad_field_lines: badFieldLines, total_calls: model.calls.length, calls: callViews(calls, options) };
}

export async function sessionTokenUsage(home: string, ref: string) {
  const file = await resolveSession(home, ref);
  const { model, skipped, badFieldLines } = await ownSession(home, file, await indexedSession(file.path));
  return { id: model.meta?.id ?? file.id, path: file.path, skipped_lines: skipped, bad_field_lines: badFieldLines, ...tokenUsage(model) };
}

/**
 * A fork whose file copies its parent's counters with no marker of where the copy ends: when the parent's
 * log is in CODEX_HOME and the child's first counter is the parent's, the child is folded again with the
 * parent's counters, so the repeated ones are reported as inherited rather than counted.
 */
async function ownSession(home: string, file: RolloutFile, indexed: IndexedSession): Promise<IndexedSession> {
  const lineage = indexed.model.lineage;
  const meta = indexed.model.meta;
  if (!needsParentCounters(lineage)) return indexed;
  const parentFile = await resolveSession(home, lineage.parentId).catch(() => undefined);
  if (!parentFile || parentFile.path === file.path) return indexed;
  let options: FolderOptions;
  if (meta?.historyEndOrdinal !== undefined) {
    // a paginated fork (0.169) continues its parent's counter from the fork point
    const inheritedTokens = await counterBefore(parentFile.path, meta.historyEndOrdinal);
    if (!inheritedTokens) return indexed;
    options = { inheritedTokens };
  } else {
    const parentCounters = (await indexedSession(parentFile.path)).model.tokens.counterTotals;
    const first = indexed.model.tokens.counterTotals[0];
    if (first === undefined || parentCounters[0] !== first) return indexed;
    options = { parentCounters };
  }
  const stats: ReadStats = { lines: 0, skipped: 0, badFieldLines: 0 };
  const folder = new SessionFolder(options);
  for await (const event of rolloutEvents(file.path, stats)) folder.add(event);
  return { model: folder.model, folder, skipped: stats.skipped, badFieldLines: stats.badFieldLines, lines: stats.lines };
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
