// A cached, compact fold per rollout file, brought up to date by reading only what was appended since.
// The first call on a file is one streaming pass (rollout-reader.ts: lines of types the normalizer ignores
// are passed over by their first bytes, unparsed); later calls on an unchanged or growing file cost what was appended. A file that shrank or
// was rewritten (`codex migrate-rollouts` rewrites in place) is folded again from the start. With a state
// dir, folds of long logs are saved (fold-files.ts) and a new process restores them instead of refolding.
import { stampOf, type FileStamp } from "./answer-files.js";
import { edgeHash, FoldFiles } from "./fold-files.js";
import { hasFoldShape } from "./fold-shape.js";
import { LineageTracker } from "./lineage.js";
import { newReadStats, readForward, readsFromOffset, rolloutEvents, type ReadStats } from "./rollout-reader.js";
import { SessionFolder, type FolderOptions, type SessionModel } from "./session-model.js";
import { decode, encode, type Restorable } from "./snapshot.js";
import { TokenLedger } from "./usage.js";
import { keepNewest } from "../shared/bounded.js";
import { openRollout } from "./rollout-open.js";

export interface IndexedSession {
  model: SessionModel;
  folder: SessionFolder;
  /** Lines that were not rollout lines (garbage, a torn last line). */
  skipped: number;
  /** Lines read less a field of the wrong type or range. */
  badFieldLines: number;
  /** Lines of an event or item type the normalizer tables do not know (read as nothing). */
  unknownLines?: number;
  lines: number;
}

interface Entry {
  folder: SessionFolder;
  /** Bytes folded so far: always the end of a complete line. */
  offset: number;
  stats: Required<ReadStats>;
  head: string;
  /** Serializes updates of one file. */
  updating: Promise<unknown>;
  /** `offset` when the fold was last saved (or restored). */
  savedOffset: number;
  /** The file's inode, and a hash of the 4 KB before `offset` (fold-files.ts edgeHash), when folded. */
  ino: number;
  edge: string;
}

const MAX_FILES = 64;
/** Evict the least recently used folds while the logs they cover add up to more than this. */
const MAX_FOLDED_BYTES = 1024 * 1024 * 1024;
const HEAD_BYTES = 512;
/** The newest reasoning summaries kept: the most session_summary's reasoning_limit asks for. */
export const REASONING_KEPT = 200;

/** The classes a saved fold is made of (see snapshot.ts). */
const FOLD_CLASSES: readonly Restorable[] = [SessionFolder, TokenLedger, LineageTracker];
/** A fold is saved once this much more was folded since it was last saved (and at least 1/8 of the file). */
const SAVE_AFTER_BYTES = 4 * 1024 * 1024;

/** The folds one server (or one CLI command) keeps in memory, least recently used evicted first. */
export class FoldCache {
  private readonly cache = new Map<string, Entry>();
  private readonly saved: FoldFiles | undefined;
  private readonly saveAfterBytes: number;
  /** What the folds cost so far: bytes read and folded, folds restored from a saved file. */
  readonly counters = { foldedBytes: 0, restored: 0, saved: 0 };

  /** `savedDir`: where folds are saved for the next process (see fold-files.ts); none, memory only. */
  constructor(savedDir?: string, options: { saveAfterBytes?: number } = {}) {
    this.saved = savedDir !== undefined ? new FoldFiles(savedDir) : undefined;
    this.saveAfterBytes = options.saveAfterBytes ?? SAVE_AFTER_BYTES;
  }

  /**
   * `stamp`: the file's state the caller read it in (store.ts answersAt), so that every cache of one call
   * judges the file by the same stamp. A fold is reused while the file still holds the bytes it folded
   * (same inode, head, and 4 KB before where it stopped), and brought up to date by what was appended.
   */
  async get(path: string, stamp?: FileStamp): Promise<IndexedSession> {
    // the TypeScript CLI's document and compressed cold files are read whole (neither grows in place)
    if (!readsFromOffset(path)) return foldWhole(path);
    const cache = this.cache;
    let entry = cache.get(path);
    if (entry) {
      cache.delete(path); // re-insert: the map's order is the LRU order
      cache.set(path, entry);
    }
    const now = stamp ?? (await stampOf(path));
    const head = await readHead(path);
    const holds = async (kept: Entry) =>
      kept.ino === now.ino &&
      now.size >= kept.offset &&
      head.startsWith(kept.head) &&
      (await edgeAt(path, kept.offset, now)) === kept.edge;
    if (!entry || !(await holds(entry))) {
      entry = (await this.restore(path, now, head)) ?? {
        folder: newFolder(),
        offset: 0,
        stats: newReadStats(),
        head,
        ino: now.ino,
        edge: await edgeAt(path, 0, now),
        updating: Promise.resolve(),
        savedOffset: 0,
      };
      cache.set(path, entry);
      keepNewest(cache, MAX_FILES);
    }
    // a fold begun on a log shorter than HEAD_BYTES keeps the head the log has now (it begins with the old one):
    // a saved fold must hold the whole head it folded (restore)
    if (head.length > entry.head.length) entry.head = head;
    const current = entry;
    const before = current.offset;
    const update = current.updating.then(async () => {
      const tornTail = await catchUp(path, current);
      if (current.offset !== before) current.edge = await edgeAt(path, current.offset, now);
      return tornTail;
    });
    current.updating = update.catch(() => undefined);
    const tailSkipped = await update;
    this.counters.foldedBytes += Math.max(0, current.offset - before);
    const grown = current.offset - current.savedOffset;
    if (this.saved && grown > 0 && grown >= this.saveAfterBytes && grown >= current.offset / 8)
      await this.save(path, current);
    this.evictBeyondBudget(path);
    const { stats } = current;
    return {
      model: current.folder.model,
      folder: current.folder,
      skipped: stats.skipped + tailSkipped,
      badFieldLines: stats.badFieldLines,
      unknownLines: stats.unknownLines,
      lines: stats.lines,
    };
  }

  /**
   * The fold a process saved before, when it still describes the file. A saved fold is checksummed, not signed:
   * it must also be bound to this file's head (the first HEAD_BYTES, as far as it folded: a fold is made from
   * offset 0 after the head was read, so its head is never shorter) and name the session this head names, so
   * that another log's fold filed under this log's name, path, inode and edge is folded afresh, never shown.
   */
  private async restore(path: string, now: FileStamp, head: string): Promise<Entry | undefined> {
    const saved = await this.saved?.load(path);
    const savedHead = saved?.position.head ?? "";
    if (
      !saved ||
      saved.position.offset > now.size ||
      savedHead.length < Math.min(HEAD_BYTES, saved.position.offset) ||
      head.slice(0, savedHead.length) !== savedHead
    )
      return undefined;
    try {
      const folder = decode(saved.state, FOLD_CLASSES);
      if (!(folder instanceof SessionFolder) || !hasFoldShape(folder, newFolder())) return undefined;
      const id = folder.model.meta?.id;
      if (id !== undefined && (typeof id !== "string" || !savedHead.includes(id))) return undefined;
      this.counters.restored += 1;
      const { offset, lines, skipped, badFieldLines } = saved.position;
      return {
        offset,
        head: savedHead,
        ino: now.ino,
        edge: await edgeAt(path, offset, now),
        stats: { lines, skipped, badFieldLines, unknownLines: folder.unknownLines },
        folder,
        updating: Promise.resolve(),
        savedOffset: offset,
      };
    } catch {
      return undefined;
    }
  }

  private async save(path: string, entry: Entry): Promise<void> {
    let state: Buffer;
    const { offset, head } = entry;
    const { lines, skipped, badFieldLines } = entry.stats;
    try {
      state = encode(entry.folder, FOLD_CLASSES);
    } catch {
      return; // a fold that cannot be written faithfully stays in memory only
    }
    entry.savedOffset = offset;
    this.counters.saved += 1;
    await this.saved?.save(path, { offset, lines, skipped, badFieldLines, head }, state);
  }

  /** A compact fold takes a fraction of its log's size in memory (about a quarter for 200 MB of short lines); the budget bounds them all. */
  private evictBeyondBudget(keep: string): void {
    let total = [...this.cache.values()].reduce((sum, entry) => sum + entry.offset, 0);
    for (const [path, entry] of this.cache) {
      if (total <= MAX_FOLDED_BYTES) break;
      if (path === keep) continue;
      this.cache.delete(path);
      total -= entry.offset;
    }
  }
}

/** Folds what was appended; returns 1 if the file ends in a line that is not (yet) whole JSON. */
async function catchUp(path: string, entry: Entry): Promise<number> {
  const { end, tornTail } = await readForward(path, entry.stats, (event) => entry.folder.add(event), {
    from: entry.offset,
    retryTornTail: true,
  });
  entry.offset = end;
  entry.folder.unknownLines = entry.stats.unknownLines;
  return tornTail ? 1 : 0;
}

function newFolder(): SessionFolder {
  return new SessionFolder({ compact: { reasoningLimit: REASONING_KEPT, textChars: 4000 } });
}

/** The edge hash at `offset`: the stamp's own where the fold reaches the end it stamped. */
function edgeAt(path: string, offset: number, stamp: FileStamp): Promise<string> | string {
  return offset === stamp.size ? stamp.edge : edgeHash(path, offset);
}

async function readHead(path: string): Promise<string> {
  const { handle } = await openRollout(path);
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString("latin1");
  } finally {
    await handle.close();
  }
}

/** The TypeScript CLI's single JSON document and compressed files: never appended to, folded whole. */
async function foldWhole(path: string): Promise<IndexedSession> {
  const stats = newReadStats();
  const folder = newFolder();
  await readForward(path, stats, (event) => folder.add(event));
  folder.unknownLines = stats.unknownLines;
  return {
    model: folder.model,
    folder,
    skipped: stats.skipped,
    badFieldLines: stats.badFieldLines,
    unknownLines: stats.unknownLines,
    lines: stats.lines,
  };
}

/** The whole file folded once more with options the cached fold did not have (a parent's or a sibling's counters). */
export async function foldWith(path: string, options: FolderOptions): Promise<IndexedSession> {
  const stats: ReadStats = { lines: 0, skipped: 0, badFieldLines: 0 };
  const folder = new SessionFolder(options);
  for await (const event of rolloutEvents(path, stats)) folder.add(event);
  return {
    model: folder.model,
    folder,
    skipped: stats.skipped,
    badFieldLines: stats.badFieldLines,
    lines: stats.lines,
  };
}
