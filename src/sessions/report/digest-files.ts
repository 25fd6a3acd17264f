// Per-session digests saved in the state dir (<state-dir>/report/<hash>.digests), one file per date folder
// of CODEX_HOME, so a report in a new process reads each log only once per version of it and keeps one day
// in hand at a time (memory bounded by the busiest day, not the number of sessions).
//
// Each digest is valid for the very bytes it was made from, as saved folds and answers are: the stamp of
// answer-files.ts (inode, size, mtime, the last 4 KB) and the running code's hash (fold-files.ts). A file
// is a checked file (checked-files.ts: checksummed, written to a temporary name and renamed, never read through
// a link); a damaged one is ignored; the folder is safe to delete.
import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, type Stats } from "node:fs";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { sameStamp, stampOf, type FileStamp } from "../answer-files.js";
import { readChecked, writeChecked } from "../checked-files.js";
import { codeFingerprint, EDGE_BYTES, edgeHashOf } from "../fold-files.js";
import { sessionIdFromPath, type RolloutFile } from "../locate.js";
import { rolloutFormat } from "../rollout-reader.js";
import { digestOf, digestOfBytes, type CutFacts, type SessionDigest } from "./digest.js";

export interface SavedDigest {
  stamp: FileStamp;
  digest: SessionDigest;
  /** A session a report's since/until fell inside: what splitting it at any bound needs (index.ts cutOf). */
  facts?: CutFacts;
}

export type DayDigests = Map<string, SavedDigest>;

interface SavedDay {
  format: number;
  code: string;
  key: string;
  entries: Array<[string, SavedDigest]>;
}

const FORMAT = 9; // 2: digests carry their turns by day (DayPart); 3: past 32 days, the earliest merged; 4: usage by model carries turns, a part its end; 5: a part's end at its last turn's end; 6: usage outside turns by its counters' days (a saved one dated it by the start); 7: a child needing its parent's counters has its parts' usage (a saved one had none); 8: a counter before the first turn on a day without one is the first part's (a saved one had it on the last); 9: a child's copied counters are its first part's first entry (a saved one took its history off the first turn's model)
/** A date folder's digests, about 1 KB a session: a file larger than this was not written by us. */
const MAX_DAY_FILE_BYTES = 256 * 1024 * 1024;

/**
 * A report's saved digests. Read and written synchronously, in a server too: a log's digest is computed
 * synchronously anyway, and each asynchronous call was a round trip through libuv's thread pool (a CLI
 * report of 550 logs idled ~12 ms on them, a new server's first report ~10 ms).
 */
export class DigestFiles {
  constructor(readonly dir: string) {}

  fileOf(key: string): string {
    return join(this.dir, this.nameOf(key));
  }

  private nameOf(key: string): string {
    return `${createHash("sha256").update(key).digest("hex").slice(0, 32)}.digests`;
  }

  /** The folder's files, listed once (a DigestFiles serves one report): a day with none saved costs no open. */
  private listed: Set<string> | undefined;

  private listing(): Set<string> {
    if (!this.listed) {
      try {
        this.listed = new Set(readdirSync(this.dir));
      } catch {
        this.listed = new Set();
      }
    }
    return this.listed;
  }

  /** The digests saved for a date folder (`key`), by path; empty when none or unusable; never throws. */
  async load(key: string): Promise<DayDigests> {
    try {
      const name = this.nameOf(key);
      if (!this.listing().has(name)) return new Map();
      const payload = await readChecked(join(this.dir, name), MAX_DAY_FILE_BYTES, "sync");
      if (!payload) return new Map();
      const saved = deserialize(payload) as SavedDay;
      if (
        saved.format !== FORMAT ||
        saved.code !== codeFingerprint() ||
        saved.key !== key ||
        !Array.isArray(saved.entries)
      )
        return new Map();
      return new Map(saved.entries);
    } catch {
      return new Map();
    }
  }

  /** Saves a date folder's digests (atomically); failures are ignored: only a cache. */
  async save(key: string, digests: DayDigests): Promise<void> {
    try {
      const saved: SavedDay = { format: FORMAT, code: codeFingerprint(), key, entries: [...digests] };
      await writeChecked(this.fileOf(key), [serialize(saved)], "sync");
    } catch {
      // not saved: the next report reads these logs again
    }
  }
}

/** Logs up to this size are read whole, synchronously: one open, one read, the stamp and the fold from the same bytes. */
const READ_WHOLE_BYTES = 1024 * 1024;

/** A log as its folder's listing names it, not stated yet (a one-shot report stats it once it has it open). */
export interface ListedFile {
  path: string;
  archived: boolean;
}

export interface CurrentDigest {
  /** The file as found: its size and mtime from the open file's fstat when it was read whole. */
  file: RolloutFile;
  entry: SavedDigest;
  fresh: boolean;
}

/** A log the report could not read (permission denied, an I/O error): left out of the totals, and said so. */
export interface UnreadableLog {
  unreadable: string;
}

/**
 * What leaves a log out without a word: it vanished meanwhile, or it is not a file (a link is refused by
 * design; a socket cannot be opened, ENXIO).
 */
const NOT_A_LOG = new Set(["ENOENT", "ENOTDIR", "ELOOP", "ENXIO"]);

function unreadable(error: unknown): UnreadableLog | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined || NOT_A_LOG.has(code) ? undefined : { unreadable: code };
}

/**
 * The digest of a file as it is now: the saved one if its stamp (answer-files.ts) still matches, else a
 * new one; `fresh` says which. Undefined when the file is no log any more (vanished, not a regular file, a
 * link); `unreadable` when it could not be read. A file of the listing (not stated) is stated by its open
 * descriptor: one lstat fewer per log.
 */
export async function currentDigest(
  file: RolloutFile | ListedFile,
  saved: SavedDigest | undefined,
): Promise<CurrentDigest | UnreadableLog | undefined> {
  const id = "id" in file ? file.id : sessionIdFromPath(file.path);
  if (id === undefined) return undefined;
  if (rolloutFormat(file.path) !== "jsonl" || ("size" in file && file.size > READ_WHOLE_BYTES))
    return readInChunks(file, id, saved);
  let fd: number;
  try {
    // never a symlink (statFiles left them out; one put there since is refused), never a FIFO's wait
    fd = openSync(file.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return unreadable(error);
  }
  let info: Stats;
  try {
    info = fstatSync(fd);
  } catch {
    closeSync(fd);
    return undefined;
  }
  const found: RolloutFile =
    "size" in file ? file : { id, path: file.path, archived: file.archived, mtimeMs: info.mtimeMs, size: info.size };
  if (info.isFile() && !("size" in file) && info.size > READ_WHOLE_BYTES) {
    closeSync(fd);
    return readInChunks(found, id, saved);
  }
  try {
    if (!info.isFile()) return undefined;
    if (
      saved &&
      saved.stamp.ino === info.ino &&
      saved.stamp.size === info.size &&
      saved.stamp.mtimeMs === info.mtimeMs
    ) {
      const length = Math.min(EDGE_BYTES, info.size);
      const tail = Buffer.allocUnsafe(length);
      const read = readSync(fd, tail, 0, length, info.size - length);
      if (edgeHashOf(tail.subarray(0, read)) === saved.stamp.edge) return { file: found, entry: saved, fresh: false };
    }
    if (info.size > READ_WHOLE_BYTES) return undefined; // grew past the limit meanwhile: the next report reads it
    const bytes = Buffer.allocUnsafe(info.size);
    let filled = 0;
    for (let read = 1; read > 0 && filled < bytes.length; filled += read)
      read = readSync(fd, bytes, filled, bytes.length - filled, filled);
    const whole = bytes.subarray(0, filled);
    // the stamp of answer-files.ts (stampOf), from the bytes in hand; test/sessions/report/digests.test.ts holds them equal
    const stamp: FileStamp = {
      ino: info.ino,
      size: filled,
      mtimeMs: info.mtimeMs,
      edge: edgeHashOf(whole.subarray(Math.max(0, filled - EDGE_BYTES))),
    };
    return { file: found, entry: { stamp, digest: digestOfBytes(whole, found) }, fresh: true };
  } catch (error) {
    return unreadable(error);
  } finally {
    closeSync(fd);
  }
}

/** A log not read whole (compressed, or over READ_WHOLE_BYTES): stamped and read as every tool reads it. */
async function readInChunks(
  file: RolloutFile | ListedFile,
  id: string,
  saved: SavedDigest | undefined,
): Promise<CurrentDigest | UnreadableLog | undefined> {
  let found: RolloutFile;
  if ("size" in file) found = file;
  else {
    // symlinks left out, as statFiles does
    const info = lstatSync(file.path, { throwIfNoEntry: false });
    if (!info?.isFile()) return undefined;
    found = { id, path: file.path, archived: file.archived, mtimeMs: info.mtimeMs, size: info.size };
  }
  let stamp: FileStamp;
  try {
    stamp = await stampOf(found.path);
    if (saved && sameStamp(saved.stamp, stamp)) return { file: found, entry: saved, fresh: false };
    return { file: found, entry: { stamp, digest: await digestOf(found) }, fresh: true };
  } catch (error) {
    return unreadable(error);
  }
}
