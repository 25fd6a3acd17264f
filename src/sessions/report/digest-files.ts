// Per-session digests saved in the state dir (<state-dir>/report/<hash>.digests), one file per date folder
// of CODEX_HOME, so a report in a new process reads each log only once per version of it and keeps one day
// in hand at a time (memory bounded by the busiest day, not the number of sessions).
//
// Each digest is valid for the very bytes it was made from, as saved folds and answers are: the stamp of
// answer-files.ts (inode, size, mtime, the last 4 KB) and the running code's hash (fold-files.ts). A file
// is checksummed (damaged: ignored), written to a temporary name and renamed; the folder is safe to delete.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { sameStamp, stampOf, type FileStamp } from "../answer-files.js";
import { codeFingerprint } from "../fold-files.js";
import type { SessionDigest } from "./digest.js";

export interface SavedDigest {
  stamp: FileStamp;
  digest: SessionDigest;
}

export type DayDigests = Map<string, SavedDigest>;

interface SavedDay {
  format: number;
  code: string;
  key: string;
  entries: Array<[string, SavedDigest]>;
}

const FORMAT = 1;
const CHECKSUM_BYTES = 20;

export class DigestFiles {
  constructor(readonly dir: string) {}

  fileOf(key: string): string {
    return join(this.dir, `${createHash("sha256").update(key).digest("hex").slice(0, 32)}.digests`);
  }

  /** The digests saved for a date folder (`key`), by path; empty when none or unusable; never throws. */
  async load(key: string): Promise<DayDigests> {
    try {
      const bytes = await readFile(this.fileOf(key));
      const payload = bytes.subarray(CHECKSUM_BYTES);
      if (!createHash("sha1").update(payload).digest().equals(bytes.subarray(0, CHECKSUM_BYTES))) return new Map();
      const saved = deserialize(payload) as SavedDay;
      if (saved.format !== FORMAT || saved.code !== codeFingerprint() || saved.key !== key || !Array.isArray(saved.entries)) return new Map();
      return new Map(saved.entries);
    } catch {
      return new Map();
    }
  }

  /** Saves a date folder's digests (atomically); failures are ignored: only a cache. */
  async save(key: string, digests: DayDigests): Promise<void> {
    const target = this.fileOf(key);
    const temporary = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      const saved: SavedDay = { format: FORMAT, code: codeFingerprint(), key, entries: [...digests] };
      const payload = serialize(saved);
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFile(temporary, Buffer.concat([createHash("sha1").update(payload).digest(), payload]), { mode: 0o600 });
      await rename(temporary, target);
    } catch {
      await rm(temporary, { force: true }).catch(() => undefined);
    }
  }
}

/** The saved digest of `path` if it was made from the file as it is now (the answer-files stamp), and that stamp. */
export async function stillValid(path: string, saved: SavedDigest | undefined): Promise<{ valid: boolean; stamp: FileStamp | undefined }> {
  const stamp = await stampOf(path).catch(() => undefined);
  return { valid: saved !== undefined && stamp !== undefined && sameStamp(saved.stamp, stamp), stamp };
}
