// The session-reading API the tools use: locate a session, read it once, derive the views. Every function
// takes the caller's SessionStore (see store.ts): its caches and saved folds.
import { stat } from "node:fs/promises";
import { callViews, lastCallsFromEnd, type CallsOptions } from "./calls.js";
import { listSessions as listInStore, type ListOptions } from "./list.js";
import { resolveSession as resolveInStore, type RolloutFile } from "./locate.js";
import { rolloutEvents, type ReadStats } from "./read-rollout.js";
import { foldEvents, type SessionModel } from "./session-model.js";
import { SessionStore } from "./store.js";
import type { RunEvidence } from "./diagnosis.js";
import { summarize } from "./summary.js";
import { tokenUsage } from "./usage.js";

export type { SessionListing } from "./list.js";
export { defaultCodexHome } from "./codex-home.js";
export { SessionLookupError, type RolloutFile } from "./locate.js";
export { SessionStore } from "./store.js";
export type { SessionSummary } from "./summary.js";
export type { RunEvidence } from "./diagnosis.js";
export type { CallView } from "./calls.js";
export type { TokenUsageReport } from "./usage.js";

/** A store, or a CODEX_HOME path read through a throwaway store (no cache kept: one-off reads, tests). */
export type SessionSource = SessionStore | string;

function storeOf(source: SessionSource): SessionStore {
  return typeof source === "string" ? new SessionStore(source) : source;
}

export function resolveSession(source: SessionSource, ref: string): Promise<RolloutFile> {
  const store = storeOf(source);
  return resolveInStore(store.home, ref, store.names);
}

export function listSessions(source: SessionSource, options: ListOptions) {
  const store = storeOf(source);
  return listInStore(store.home, options, store.names, store.listings);
}

/** A session's compact, cached fold (see session-index.ts): what the tools read. */
export async function openSession(source: SessionSource, ref: string): Promise<{ file: RolloutFile; model: SessionModel }> {
  const store = storeOf(source);
  const file = await resolveSession(store, ref);
  return { file, model: (await store.folds.get(file.path)).model };
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
  const stats: ReadStats = { lines: 0, skipped: 0 };
  const model = await foldEvents(rolloutEvents(file.path, stats));
  return { file, model, stats };
}

export interface SessionSummaryOptions {
  reasoningLimit: number;
  /** What a run of this session reported outside the log (the server's run ledger), looked up by session id. */
  runEvidence?: (sessionId: string) => Promise<RunEvidence | undefined>;
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

export async function sessionSummary(source: SessionSource, ref: string, options: SessionSummaryOptions) {
  const store = storeOf(source);
  const file = await resolveSession(store, ref);
  const { model, skipped, views } = await store.folds.get(file.path);
  const modifiedAt = new Date((await stat(file.path)).mtimeMs).toISOString();
  const run = await options.runEvidence?.(model.meta?.id ?? file.id);
  const key = JSON.stringify(["summary", file.path, modifiedAt, options.reasoningLimit, run ?? null]);
  return memo(views, key, () => summarize(model, { id: file.id, path: file.path, modifiedAt }, { reasoningLimit: options.reasoningLimit, skippedLines: skipped, run }));
}

export async function sessionCalls(source: SessionSource, ref: string, options: CallsOptions) {
  const store = storeOf(source);
  const file = await resolveSession(store, ref);
  const { model, folder, skipped, views } = await store.folds.get(file.path);
  return memo(views, JSON.stringify(["calls", file.path, options]), async () => {
    const lastTurn = model.turns.length;
    const calls = file.path.endsWith(".json")
      ? (await loadSession(store, file.path)).model.calls.slice(-options.limit)
      : await lastCallsFromEnd(file.path, options.limit, (callId) => folder.turnOfCall(callId) ?? lastTurn);
    return { id: model.meta?.id ?? file.id, path: file.path, skipped_lines: skipped, total_calls: model.calls.length, calls: callViews(calls, options) };
  });
}

export async function sessionTokenUsage(source: SessionSource, ref: string) {
  const store = storeOf(source);
  const file = await resolveSession(store, ref);
  const { model, skipped, views } = await store.folds.get(file.path);
  return memo(views, JSON.stringify(["usage", file.path]), () => ({ id: model.meta?.id ?? file.id, path: file.path, skipped_lines: skipped, ...tokenUsage(model) }));
}
