// Forks of a parent that is gone. Two forks of one parent each copied the parent's history, counters included,
// and the parent's own file is not in CODEX_HOME (deleted, another machine). Nothing marks where each copy
// ends, so the only proof of a shared prefix is the siblings' counters themselves, compared row by row from
// the first. The earliest fork (its start time, then its id) is charged the prefix; every later sibling
// reports the rows it shares with it as inherited (lineage.ts matches them exactly as it matches a parent's).
// Found by reading the head of the other rollout files, from the parent's creation day on (UUIDv7 ids carry
// it), newest first, at most MAX_HEADS files: siblings further back are not found, and each fork is then
// charged its own copy. Only forks whose parent's log is missing pay for this search, on every question
// (their answers are not saved, as for every fork whose counters depend on another file).
import { listRolloutFiles, sessionIdFromPath, type RolloutFile } from "./locate.js";
import { foldWith, type IndexedSession } from "./fold-cache.js";
import { edgeEvents } from "./rollout-reader.js";
import type { SessionStore } from "./store.js";

const MAX_HEADS = 500;
/** A session_meta line carries the base instructions (10–20 kB in 0.1xx): the head read must hold it whole. */
const HEAD_BYTES = 64 * 1024;

export interface PrefixOwner {
  /** The sibling fork charged with the shared prefix. */
  sessionId: string;
  /** Its counters, in order: the rows this fork shares with it from the first on are inherited. */
  counters: readonly number[];
}

/**
 * The earlier sibling fork of the same missing parent that this fork's first counter row repeats, or
 * undefined when this fork is the earliest (it keeps the prefix) or no sibling shares its first row.
 */
export async function prefixOwner(
  store: SessionStore,
  self: { path: string; id: string; startedAt: string | undefined; firstCounter: number | undefined },
  parentId: string,
): Promise<PrefixOwner | undefined> {
  if (self.firstCounter === undefined) return undefined;
  const files = (await listRolloutFiles(store.home, { includeArchived: true })).filter(
    (file) => file.path !== self.path && notBefore(file, parentId),
  );
  const siblings: Array<{ file: RolloutFile; id: string; startedAt: string | undefined }> = [];
  for (const file of files.slice(0, MAX_HEADS)) {
    const head = await edgeEvents(file.path, "head", HEAD_BYTES).catch(() => undefined);
    const meta = head?.events.find((event) => event.kind === "meta");
    if (meta?.kind !== "meta" || meta.parentId !== parentId || meta.id === self.id) continue;
    siblings.push({ file, id: meta.id, startedAt: meta.startedAt ?? meta.timestamp });
  }
  const earlier = siblings.filter((sibling) => before(sibling, self)).sort((a, b) => (before(a, b) ? -1 : 1));
  for (const sibling of earlier) {
    const counters = (await store.fold(sibling.file.path)).model.tokens.counterTotals;
    if (counters[0] === self.firstCounter) return { sessionId: sibling.id, counters };
  }
  return undefined;
}

/** Earliest fork first: by start time, then by id (a deterministic owner when two forks started together). */
function before(
  a: { id: string; startedAt: string | undefined },
  b: { id: string; startedAt: string | undefined },
): boolean {
  const at = a.startedAt !== undefined ? Date.parse(a.startedAt) : Number.NaN;
  const bt = b.startedAt !== undefined ? Date.parse(b.startedAt) : Number.NaN;
  if (!Number.isNaN(at) && !Number.isNaN(bt) && at !== bt) return at < bt;
  return a.id < b.id;
}

/** A fork is written after its parent began: files named for an earlier day than a UUIDv7 parent's cannot be one. */
function notBefore(file: RolloutFile, parentId: string): boolean {
  const created = uuidV7Time(parentId);
  if (created === undefined) return true;
  const name = /rollout-(\d{4}-\d{2}-\d{2})/.exec(file.path.split(/[\\/]/).pop() ?? "")?.[1];
  // names are in local time: a day of slack either side
  return (
    name === undefined ||
    Date.parse(`${name}T00:00:00Z`) >= created - 2 * 86_400_000 ||
    sessionIdFromPath(file.path) === undefined
  );
}

function uuidV7Time(id: string): number | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7/i.test(id)) return undefined;
  return Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16);
}

/**
 * A fork whose parent's log is gone, folded again with the counters of the earlier sibling that shares its
 * copied prefix; the fold as it was when there is none (this fork is the earliest, or shares nothing).
 */
export async function withoutSiblingPrefix(
  store: SessionStore,
  file: RolloutFile,
  indexed: IndexedSession,
  parentId: string,
): Promise<IndexedSession> {
  const meta = indexed.model.meta;
  // a paginated fork copies nothing; a sub-agent's history is marked where it is copied
  if (meta?.historyEndOrdinal !== undefined || indexed.model.lineage?.kind !== "fork") return indexed;
  const owner = await prefixOwner(
    store,
    {
      path: file.path,
      id: meta?.id ?? file.id,
      startedAt: meta?.startedAt ?? meta?.timestamp,
      firstCounter: indexed.model.tokens.counterTotals[0],
    },
    parentId,
  );
  if (!owner) return indexed;
  return foldWith(file.path, { parentCounters: owner.counters, prefixOwner: owner.sessionId });
}
