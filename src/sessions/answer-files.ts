// Answers saved in the state dir (<hash>.answers): a new server asked again what an earlier one answered on a
// file that has not changed since answers from the file, without reading the log or restoring its fold. A
// long log's answers live beside its saved fold (folds/, under the folds' limits); a short log's, which has no
// saved fold, in answers/ under limits of their own, so that they never push a long log's fold out.
//
// Valid only for the very bytes they were computed from: the same code (fold-files.ts codeFingerprint),
// path, inode, size, mtime and the same last 4 KB; else ignored. Checked files (checked-files.ts): a damaged
// one is ignored (and overwritten by the next save). Bounded: a few answers per file, each small; safe to delete.
// A checksum is no signature: whoever can write the state dir can write a file whose checksum, code and stamp
// hold (the stamp is read off the log). So each answer must also be what its question's tool returns (its
// view's schema) about this very log (its key and its `path` name it): another log's answers filed under this
// log's name, or a value of the wrong shape, make the whole file ignored and the answers made afresh.
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { z } from "zod";
import { readChecked, writeChecked } from "./checked-files.js";
import { codeFingerprint, edgeHash } from "./fold-files.js";
import { sessionCallsSchema } from "./views/calls.js";
import { sessionSummarySchema } from "./views/summary.js";
import { sessionTokenUsageSchema } from "./views/usage.js";

/** What an answer's key is built from beside the file's bytes: facts of its fold (absent: not folded yet). */
export interface FileFacts {
  /**
   * subagentOf: a spawned sub-agent's parent (its next step depends on the parent's log being there); cwd: the
   * folder its next steps run in (they depend on it being there, and on its projects' .codex/config.toml).
   */
  fold?: { sessionId: string | null; firstTimestamp: string | null; subagentOf?: string | null; cwd?: string | null };
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
const MAX_ANSWERS = 32;
const MAX_ANSWER_BYTES = 1024 * 1024;
/** What a saved file holds beside its answers (stamp, facts, path, keys), at most. */
const SAVED_OVERHEAD_BYTES = 64 * 1024;

export async function stampOf(path: string): Promise<FileStamp> {
  const { ino, size, mtimeMs } = await stat(path);
  return { ino, size, mtimeMs, edge: await edgeHash(path, size) };
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.edge === b.edge;
}

/** Where a store's answers are saved, and the folder's bounds. */
export interface AnswerFolder {
  dir: string;
  /** One file's answers together: the oldest are dropped beyond this. */
  maxFileBytes: number;
  /** Called after each save: keeps the folder within its limits, the file just written kept. */
  keepWithinLimits(keep: string): Promise<void>;
}

export class AnswerFiles {
  constructor(private readonly folder: AnswerFolder) {}

  fileOf(path: string): string {
    return join(this.folder.dir, `${createHash("sha256").update(path).digest("hex").slice(0, 32)}.answers`);
  }

  /** The answers saved for `path` in the state `stamp`; never throws. */
  async load(path: string, stamp: FileStamp): Promise<{ facts: FileFacts; answers: Map<string, unknown> } | undefined> {
    try {
      const payload = await readChecked(this.fileOf(path), this.folder.maxFileBytes + SAVED_OVERHEAD_BYTES);
      if (!payload) return undefined;
      const saved = deserialize(payload) as SavedAnswers;
      if (
        saved.format !== FORMAT ||
        saved.code !== codeFingerprint() ||
        saved.path !== path ||
        !sameStamp(saved.stamp, stamp)
      )
        return undefined;
      const facts = factsSchema.safeParse(saved.facts);
      const answers = answersOf(saved.answers, path);
      return facts.success && answers ? { facts: facts.data, answers } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Saves the answers known for `path` in the state `stamp` (atomically); failures are ignored: only a cache. */
  async save(path: string, stamp: FileStamp, facts: FileFacts, answers: Map<string, unknown>): Promise<void> {
    try {
      const kept = newestWithin([...answers].slice(-MAX_ANSWERS), this.folder.maxFileBytes);
      const saved: SavedAnswers = { format: FORMAT, code: codeFingerprint(), path, stamp, facts, answers: kept };
      const target = this.fileOf(path);
      await writeChecked(target, [serialize(saved)]);
      await this.folder.keepWithinLimits(target);
    } catch {
      // not saved: the next process answers from the log
    }
  }
}

const nullableString = z.string().nullable();
/** FileFacts as saved: they pick the folders a summary's key reads (its cwd's config, its parent's log). */
const factsSchema = z.object({
  fold: z
    .object({
      sessionId: nullableString,
      firstTimestamp: nullableString,
      subagentOf: nullableString.optional(),
      cwd: nullableString.optional(),
    })
    .optional(),
});

/**
 * Each question's answer, by the kind its key names (sessions/index.ts keyOf: a JSON array of the kind and the
 * log's path, then what else the answer depends on): the very schema its tool's output is checked against.
 */
const ANSWER_SCHEMAS = new Map<string, z.ZodType<{ path: string }>>([
  ["summary", sessionSummarySchema],
  ["calls", sessionCallsSchema],
  ["usage", sessionTokenUsageSchema],
]);

/** The saved answers, if every one is a well-formed answer about `path` (else undefined: none is believed). */
function answersOf(saved: unknown, path: string): Map<string, unknown> | undefined {
  if (!Array.isArray(saved) || saved.length > MAX_ANSWERS) return undefined;
  const answers = new Map<string, unknown>();
  for (const entry of saved as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string") return undefined;
    const [key, answer] = entry as [string, unknown];
    const [kind, keyPath] = keyHead(key);
    const schema = kind !== undefined ? ANSWER_SCHEMAS.get(kind) : undefined;
    const checked = schema?.safeParse(answer);
    if (keyPath !== path || !checked?.success || checked.data.path !== path) return undefined;
    answers.set(key, answer);
  }
  return answers;
}

/** The kind and path an answer's key names, or undefineds. */
function keyHead(key: string): [string | undefined, unknown] {
  try {
    const parsed: unknown = JSON.parse(key);
    return Array.isArray(parsed) && typeof parsed[0] === "string" ? [parsed[0], parsed[1]] : [undefined, undefined];
  } catch {
    return [undefined, undefined];
  }
}

/** The newest answers, each at most MAX_ANSWER_BYTES and together at most `maxFileBytes`, oldest first. */
function newestWithin(answers: Array<[string, unknown]>, maxFileBytes: number): Array<[string, unknown]> {
  const kept: Array<[string, unknown]> = [];
  let total = 0;
  for (const entry of [...answers].reverse()) {
    const bytes = serialize(entry[1]).length;
    if (bytes > MAX_ANSWER_BYTES || total + bytes > maxFileBytes) continue;
    total += bytes;
    kept.unshift(entry);
  }
  return kept;
}
