// A session's family: the children it spawned (sub-agents, forks), and its own tokens where it copied a
// parent's history (a parent's counters, a fork point, a sibling's shared prefix).
import type { TokenTotals } from "./events.js";
import { needsParentCounters, type ChildView } from "./lineage.js";
import { daysNewestFirst, statFiles, type RolloutFile } from "./locate.js";
import { rolloutEvents } from "./rollout-reader.js";
import { foldWith, type IndexedSession } from "./fold-cache.js";
import { type FolderOptions } from "./session-model.js";
import { withoutSiblingPrefix } from "./sibling-forks.js";
import { SessionStore } from "./store.js";

import { resolveSession } from "./resolve.js";
import { openRollout } from "./rollout-open.js";
import { SESSION_UUID } from "../shared/ids.js";

/** At most this many files are described when looking for a session's children (list_sessions' cached heads). */
export const CHILDREN_SCANNED = 200;
export const DAY_MS = 86_400_000;

/**
 * Forks and sub-agents name their parent in their session_meta. A child is created while its parent is in
 * use, so only the date folders from the parent's start to its last write (a day either side: folders are
 * local dates) are read, whatever else the home holds; a fork made after the parent's last write is not listed.
 */
export async function childrenOf(
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
      // the parent's own log is no child of it; most others say so in their first line, without a description
      if (file.id === parentId || !(await mayNameParent(file, parentId))) continue;
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

const FIRST_LINE_BYTES = 64 * 1024;

/**
 * Whether the log's first line (its session_meta, where a child names its parent) holds the parent's id: false
 * only when that line was read whole and lacks it. A compressed log, a longer first line or an unreadable file
 * is described as before.
 */
async function mayNameParent(file: RolloutFile, parentId: string): Promise<boolean> {
  if (!file.path.endsWith(".jsonl")) return true;
  let handle;
  try {
    ({ handle } = await openRollout(file.path));
    const bytes = Buffer.alloc(Math.min(FIRST_LINE_BYTES, file.size));
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    const end = bytes.subarray(0, bytesRead).indexOf(10);
    if (end < 0) return true;
    return bytes.subarray(0, end).includes(parentId);
  } catch {
    return true;
  } finally {
    await handle?.close();
  }
}

/**
 * A fork whose file copies its parent's counters with no marker of where the copy ends: when the parent's
 * log is in CODEX_HOME and the child's first counter is the parent's, the child is folded again with the
 * parent's counters, so the repeated ones are reported as inherited rather than counted.
 */
export async function ownSession(
  store: SessionStore,
  file: RolloutFile,
  indexed: IndexedSession,
): Promise<IndexedSession> {
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
export async function counterBefore(path: string, endOrdinal: number): Promise<TokenTotals | undefined> {
  let last: TokenTotals | undefined;
  for await (const event of rolloutEvents(path, { lines: 0, skipped: 0, badFieldLines: 0 })) {
    if (event.ordinal !== undefined && event.ordinal >= endOrdinal) break;
    if (event.kind === "token_count" && event.total) last = event.total;
  }
  return last;
}

/** A sub-agent's chain of parents is followed at most this far (nested spawns are a few deep). */
export const ANCESTORS_FOLLOWED = 8;

/**
 * Who a sub-agent's task goes on in: the nearest ancestor that is no sub-agent itself (a resumed sub-agent
 * answers into its own log, which its parent does not read), or the first one whose log is not in CODEX_HOME
 * (`codex exec resume <id>` then fails: "no rollout found for thread id", 0.171).
 */
export type TaskOwner = { owner: string } | { missing: string };

export async function taskOwnerOf(store: SessionStore, parentId: string): Promise<TaskOwner> {
  const seen = new Set<string>();
  let id = parentId.toLowerCase();
  // not a session id: no command names it (continuation.ts), nor does any step's text
  if (!SESSION_UUID.test(id)) return { owner: parentId };
  while (seen.size < ANCESTORS_FOLLOWED && !seen.has(id)) {
    seen.add(id);
    const file = await resolveSession(store, id).catch(() => undefined);
    if (file === undefined || file.id.toLowerCase() !== id) return { missing: id };
    const listing = await store.listings.describe(file).catch(() => undefined);
    const up = listing?.parent_session_id?.toLowerCase();
    // a log that cannot be described, or no sub-agent: this one goes on with the task
    if (listing?.kind !== "subagent" || up === undefined || !SESSION_UUID.test(up)) return { owner: id };
    id = up;
  }
  return { owner: id };
}
