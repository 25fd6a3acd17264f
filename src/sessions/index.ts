// The session-reading API the tools use: locate a session, read it once, derive the views.
import { stat } from "node:fs/promises";
import { callViews, lastCallsFromEnd, type CallsOptions } from "./calls.js";
import { resolveSession, type RolloutFile } from "./locate.js";
import { rolloutEvents, type ReadStats } from "./read-rollout.js";
import { indexedSession } from "./session-index.js";
import { foldEvents, type SessionModel } from "./session-model.js";
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
  const stats: ReadStats = { lines: 0, skipped: 0 };
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
  const { model, skipped } = await indexedSession(file.path);
  const modifiedAt = new Date((await stat(file.path)).mtimeMs).toISOString();
  const run = await options.runFacts?.(model.meta?.id ?? file.id);
  return summarize(model, { id: file.id, path: file.path, modifiedAt }, { reasoningLimit: options.reasoningLimit, skippedLines: skipped, run, invocation: options.invocation });
}

export async function sessionCalls(home: string, ref: string, options: CallsOptions) {
  const file = await resolveSession(home, ref);
  const { model, folder, skipped } = await indexedSession(file.path);
  const lastTurn = model.turns.length;
  const calls = file.path.endsWith(".json")
    ? (await loadSession(home, file.path)).model.calls.slice(-options.limit)
    : await lastCallsFromEnd(file.path, options.limit, (callId) => folder.turnOfCall(callId) ?? lastTurn);
  return { id: model.meta?.id ?? file.id, path: file.path, skipped_lines: skipped, total_calls: model.calls.length, calls: callViews(calls, options) };
}

export async function sessionTokenUsage(home: string, ref: string) {
  const file = await resolveSession(home, ref);
  const { model, skipped } = await indexedSession(file.path);
  return { id: model.meta?.id ?? file.id, path: file.path, skipped_lines: skipped, ...tokenUsage(model) };
}
