// Folds saved in the server's state dir, so that a new server process (hosts start one per conversation)
// answers on a rollout folded before at warm speed, folding only what was appended since.
//
// One file per rollout, named by a hash of its path, a checked file (checked-files.ts: written to a temporary
// name and renamed, never read through a link).
// A saved fold is used only if it was made by this very code (the hash of the running modules), for the
// same path and inode, and the file still holds the same bytes where the fold stopped (its head and the
// 4 KB before that offset); else it is ignored and, later, overwritten. Each file carries a checksum: a
// damaged file is ignored. The folder is bounded (oldest written removed first) and safe to delete.
import * as crypto from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deserialize, serialize } from "node:v8";
import { keepFolderWithin, readChecked, writeChecked } from "./checked-files.js";
import { openRollout } from "./rollout-open.js";

export interface FoldPosition {
  /** Bytes folded: the end of a complete line. */
  offset: number;
  lines: number;
  skipped: number;
  badFieldLines: number;
  /** The file's first bytes (latin1) when folded. */
  head: string;
}

interface SavedHeader extends FoldPosition {
  format: number;
  code: string;
  path: string;
  ino: number;
  edge: string;
}

/**
 * A file is its checksum (sha1 of what follows), the header's length (4 bytes), the header (v8-serialized)
 * and the fold's own bytes after it: the fold (tens of MB for a 200 MB log) is written and read where it
 * lies, never copied into a larger buffer (format 1 held it inside the header: three copies at a save).
 * 3: a turn keeps when the lines that opened it came (Turn.openedAt); a fold saved before lacks it, and is
 * made again (the code's fingerprint, which FORMAT is part of, changes with it too).
 */
const FORMAT = 3;
const LENGTH_BYTES = 4;
export const EDGE_BYTES = 4096;
const MB = 1024 * 1024;

let fingerprint: string | undefined;

/** Set by the build (esbuild `define`); undeclared when the sources run (tests, tsx). */
declare const __CODE_FINGERPRINT__: string | undefined;

/** The running code's own hash: a fold made by other code (another version, a patched build) is not reused. */
export function codeFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = crypto.createHash("sha1").update(String(FORMAT));
  // the build names its code (scripts/build.mjs: a hash of the sources); hashing dist/ took 4–8 ms a process
  if (typeof __CODE_FINGERPRINT__ === "string") return (fingerprint = hash.update(__CODE_FINGERPRINT__).digest("hex"));
  try {
    const dir = dirname(fileURLToPath(import.meta.url));
    for (const name of readdirSync(dir)
      .filter((file) => /\.(?:js|ts)$/.test(file))
      .sort())
      hash.update(name).update(readFileSync(join(dir, name)));
  } catch {
    hash.update(String(Math.random())); // unknown code: never reuse
  }
  fingerprint = hash.digest("hex");
  return fingerprint;
}

export class FoldFiles {
  constructor(
    readonly dir: string,
    private readonly limits: { maxFiles: number; maxBytes: number } = { maxFiles: 200, maxBytes: 512 * MB },
  ) {}

  fileOf(path: string): string {
    return join(this.dir, `${crypto.createHash("sha256").update(path).digest("hex").slice(0, 32)}.fold`);
  }

  /** The saved fold of `path` if it still describes the file's first `offset` bytes; never throws. */
  async load(path: string): Promise<{ position: FoldPosition; state: Buffer } | undefined> {
    try {
      const payload = await readChecked(this.fileOf(path), this.limits.maxBytes);
      if (!payload || payload.length < LENGTH_BYTES) return undefined;
      const headerBytes = payload.readUInt32LE(0);
      if (headerBytes > payload.length - LENGTH_BYTES) return undefined;
      const saved = deserialize(payload.subarray(LENGTH_BYTES, LENGTH_BYTES + headerBytes)) as SavedHeader;
      const state = payload.subarray(LENGTH_BYTES + headerBytes);
      if (saved.format !== FORMAT || saved.code !== codeFingerprint() || saved.path !== path) return undefined;
      const info = await stat(path);
      if (info.ino !== saved.ino || info.size < saved.offset) return undefined;
      if ((await edgeHash(path, saved.offset)) !== saved.edge) return undefined;
      const { offset, lines, skipped, badFieldLines, head } = saved;
      if (![offset, lines, skipped, badFieldLines].every(Number.isSafeInteger) || typeof head !== "string")
        return undefined;
      return { position: { offset, lines, skipped, badFieldLines, head }, state };
    } catch {
      return undefined;
    }
  }

  /** Saves a fold (atomically); failures are ignored: the fold is only a cache. */
  async save(path: string, position: FoldPosition, state: Buffer): Promise<void> {
    try {
      const info = await stat(path);
      const header: SavedHeader = {
        format: FORMAT,
        code: codeFingerprint(),
        path,
        ino: info.ino,
        edge: await edgeHash(path, position.offset),
        ...position,
      };
      const headerBytes = serialize(header);
      const length = Buffer.alloc(LENGTH_BYTES);
      length.writeUInt32LE(headerBytes.length);
      const target = this.fileOf(path);
      await writeChecked(target, [length, headerBytes, state]);
      await this.keepWithinLimits(target);
    } catch {
      // not saved: the next process folds the log again
    }
  }

  /**
   * Keeps the folder within its limits, removing the files written longest ago (and stale temporaries):
   * saved folds and the answers saved beside them (answer-files.ts) alike, whichever was written.
   */
  keepWithinLimits(keep: string): Promise<void> {
    return keepFolderWithin(this.dir, keep, this.limits);
  }
}

/** A hash of the bytes just before `offset`: the same there means the fold still describes the file. */
export async function edgeHash(path: string, offset: number): Promise<string> {
  const { handle } = await openRollout(path);
  try {
    const length = Math.min(EDGE_BYTES, offset);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset - length);
    return edgeHashOf(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** The edge hash of bytes already in hand (a log read whole: the report's digests). */
export function edgeHashOf(bytes: Uint8Array): string {
  // one call and no Hash object (crypto.hash, Node 20.12+): 1.5 against 4 ms for 550 logs, cold
  return typeof crypto.hash === "function"
    ? crypto.hash("sha1", bytes, "hex")
    : crypto.createHash("sha1").update(bytes).digest("hex");
}
