// Answers saved next to the folds (<state-dir>/folds/<hash>.answers): a new server asked again what an
// earlier one answered on a file that has not changed since answers from the file, without reading the log
// or restoring its fold (a saved fold of a long log takes longer to decode than the answer to compute).
//
// Valid only for the very bytes they were computed from: the same code (fold-files.ts codeFingerprint),
// path, inode, size, mtime and the same last 4 KB; else ignored. Checksummed: a damaged file is ignored
// (and overwritten by the next save). Bounded: a few answers per file, each small; safe to delete.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { codeFingerprint, edgeHash, type FoldFiles } from "./fold-files.js";

/** What an answer's key is built from beside the file's bytes: facts of its fold (absent: not folded yet). */
export interface FileFacts {
  fold?: { sessionId: string | null; firstTimestamp: string | null };
}

/** The file's state the answers were computed on. */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
  edge: string;
}

interface SavedAnswers {
  format: number;
  code: string;
  path: string;
  stamp: FileStamp;
  facts: FileFacts;
  /** Answer key → answer, oldest saved first. */
  answers: Array<[string, unknown]>;
}

const FORMAT = 1;
const CHECKSUM_BYTES = 20;
const MAX_ANSWERS = 32;
const MAX_ANSWER_BYTES = 1024 * 1024;
/** One file's saved answers together: the oldest are dropped beyond this. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export async function stampOf(path: string): Promise<FileStamp> {
  const { ino, size, mtimeMs } = await stat(path);
  return { ino, size, mtimeMs, edge: await edgeHash(path, size) };
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.edge === b.edge;
}

export class AnswerFiles {
  /** `folder`: the saved folds sharing this folder, whose limits (files, bytes) count these files too. */
  constructor(
    readonly dir: string,
    private readonly folder: Pick<FoldFiles, "keepWithinLimits">,
  ) {}

  fileOf(path: string): string {
    return join(this.dir, `${createHash("sha256").update(path).digest("hex").slice(0, 32)}.answers`);
  }

  /** The answers saved for `path` in the state `stamp`; never throws. */
  async load(path: string, stamp: FileStamp): Promise<{ facts: FileFacts; answers: Map<string, unknown> } | undefined> {
    try {
      const bytes = await readFile(this.fileOf(path));
      const payload = bytes.subarray(CHECKSUM_BYTES);
      if (!createHash("sha1").update(payload).digest().equals(bytes.subarray(0, CHECKSUM_BYTES))) return undefined;
      const saved = deserialize(payload) as SavedAnswers;
      if (
        saved.format !== FORMAT ||
        saved.code !== codeFingerprint() ||
        saved.path !== path ||
        !sameStamp(saved.stamp, stamp)
      )
        return undefined;
      if (!Array.isArray(saved.answers) || typeof saved.facts !== "object" || saved.facts === null) return undefined;
      return { facts: saved.facts, answers: new Map(saved.answers) };
    } catch {
      return undefined;
    }
  }

  /** Saves the answers known for `path` in the state `stamp` (atomically); failures are ignored: only a cache. */
  async save(path: string, stamp: FileStamp, facts: FileFacts, answers: Map<string, unknown>): Promise<void> {
    const target = this.fileOf(path);
    const temporary = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      const kept = newestWithin([...answers].slice(-MAX_ANSWERS));
      const saved: SavedAnswers = { format: FORMAT, code: codeFingerprint(), path, stamp, facts, answers: kept };
      const payload = serialize(saved);
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFile(temporary, Buffer.concat([createHash("sha1").update(payload).digest(), payload]), {
        mode: 0o600,
      });
      await rename(temporary, target);
      await this.folder.keepWithinLimits(target);
    } catch {
      await rm(temporary, { force: true }).catch(() => undefined);
    }
  }
}

/** The newest answers, each at most MAX_ANSWER_BYTES and together at most MAX_FILE_BYTES, oldest first. */
function newestWithin(answers: Array<[string, unknown]>): Array<[string, unknown]> {
  const kept: Array<[string, unknown]> = [];
  let total = 0;
  for (const entry of [...answers].reverse()) {
    const bytes = serialize(entry[1]).length;
    if (bytes > MAX_ANSWER_BYTES || total + bytes > MAX_FILE_BYTES) continue;
    total += bytes;
    kept.unshift(entry);
  }
  return kept;
}
