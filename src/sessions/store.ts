// What a server (or one CLI command) keeps between calls: the names in each session folder, the listing of
// each file, the fold of each rollout read, and where folds are saved for the next process. One per
// createServer(): two servers in one process share nothing.
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { AnswerFiles, sameStamp, stampOf, type FileFacts, type FileStamp } from "./answer-files.js";
import { keepFolderWithin } from "./checked-files.js";
import { FoldFiles } from "./fold-files.js";
import { ListingCache } from "./list.js";
import { FolderNames } from "./folder-names.js";
import { FoldCache } from "./fold-cache.js";
import { keepNewest } from "../shared/bounded.js";

export interface SessionStoreOptions {
  /** The server's state dir: folds are saved under it (never in CODEX_HOME). None: folds live in memory only. */
  stateDir?: string;
  /** Folds are saved once this many bytes more were folded (default 4 MB: smaller logs fold faster than a save loads). */
  saveAfterBytes?: number;
  /** A first question on a log this long or longer is answered without a fold where it can be (default QUICK_FROM_BYTES). */
  quickFromBytes?: number;
  /** The operator's --allowed-root: an explicit rollout path must resolve inside one (empty: anywhere in CODEX_HOME). */
  allowedRoots?: readonly string[];
}

/**
 * Logs shorter than this are folded on the first question, so that even a first answer has the whole-file
 * counts (total_calls, skipped_lines, bad_field_lines): measured here, a fold of 4 MB takes about 35 ms (the
 * quicker read 15 ms), of 8 MB 100 ms (36 ms), of 16 MB 210 ms (51 ms). Folds and answers are saved from the same size.
 */
export const QUICK_FROM_BYTES = 4 * 1024 * 1024;

export class SessionStore {
  readonly names = new FolderNames();
  readonly listings = new ListingCache();
  readonly folds: FoldCache;
  /** Where folds are saved (undefined: memory only); only its file names are used here. */
  private readonly savedFolds: FoldFiles | undefined;
  /** Files this store has folded (the fold cache keeps them, or can restore them). */
  private readonly folded = new Set<string>();
  /**
   * Answers saved for the next process (answer-files.ts): a log of `saveAfterBytes` or more beside its saved
   * fold, a shorter one in answers/; and those loaded or made here, by file, at one stamp each.
   */
  private readonly answerFiles: { long: AnswerFiles; short: AnswerFiles } | undefined;
  private readonly answerSets = new Map<string, AnswerSet>();
  private readonly saveAfterBytes: number;
  readonly quickFromBytes: number;

  /** Explicit rollout paths must resolve inside one of these (after CODEX_HOME); empty: no such limit. */
  readonly allowedRoots: readonly string[];

  constructor(
    readonly home: string,
    options: SessionStoreOptions = {},
  ) {
    this.allowedRoots = options.allowedRoots ?? [];
    const saveAfter = options.saveAfterBytes !== undefined ? { saveAfterBytes: options.saveAfterBytes } : {};
    const foldsDir = options.stateDir !== undefined ? join(options.stateDir, "folds") : undefined;
    this.folds = new FoldCache(foldsDir, saveAfter);
    this.savedFolds = foldsDir !== undefined ? new FoldFiles(foldsDir) : undefined;
    const savedFolds = this.savedFolds;
    const answersDir = options.stateDir !== undefined ? join(options.stateDir, "answers") : undefined;
    this.answerFiles =
      savedFolds !== undefined && foldsDir !== undefined && answersDir !== undefined
        ? {
            long: new AnswerFiles({
              dir: foldsDir,
              maxFileBytes: LONG_LOG_ANSWER_BYTES,
              keepWithinLimits: (keep) => savedFolds.keepWithinLimits(keep),
            }),
            short: new AnswerFiles({
              dir: answersDir,
              maxFileBytes: SHORT_LOG_ANSWER_BYTES,
              keepWithinLimits: (keep) => keepFolderWithin(answersDir, keep, { maxFiles: SHORT_LOG_ANSWER_FILES }),
            }),
          }
        : undefined;
    this.saveAfterBytes = options.saveAfterBytes ?? SAVE_ANSWERS_AFTER_BYTES;
    this.quickFromBytes = options.quickFromBytes ?? QUICK_FROM_BYTES;
  }

  /**
   * What is known of a file in its present state (one stamp: path, inode, size, mtime, last 4 KB): the
   * answers this store made on it, and those an earlier process saved. Answers of an earlier state are dropped.
   */
  async answersAt(path: string): Promise<AnswerSet> {
    const stamp = await stampOf(path);
    const known = this.answerSets.get(path);
    if (known && sameStamp(known.stamp, stamp)) return known;
    const loaded = await this.answerFilesFor(stamp)?.load(path, stamp);
    const set: AnswerSet = { stamp, facts: loaded?.facts ?? {}, answers: loaded?.answers ?? new Map() };
    this.answerSets.delete(path);
    this.answerSets.set(path, set);
    keepNewest(this.answerSets, MAX_ANSWER_SETS);
    return set;
  }

  /** Keeps an answer made on the file in the state `set` was taken in (and saves it), if the file is still so. */
  async keep(path: string, set: AnswerSet, key: string, answer: unknown, facts: FileFacts = {}): Promise<void> {
    if (set.answers.has(key)) return;
    const now = await stampOf(path).catch(() => undefined);
    if (!now || !sameStamp(now, set.stamp)) return; // changed while answering: the answer is of neither state
    set.facts = { ...set.facts, ...facts };
    set.answers.set(key, answer);
    keepNewest(set.answers, MAX_ANSWERS_PER_FILE);
    await this.answerFilesFor(set.stamp)?.save(path, set.stamp, set.facts, set.answers);
  }

  private answerFilesFor(stamp: FileStamp): AnswerFiles | undefined {
    return stamp.size >= this.saveAfterBytes ? this.answerFiles?.long : this.answerFiles?.short;
  }

  /** The fold of a rollout (see fold-cache.ts), remembered as folded. */
  fold(path: string, stamp?: FileStamp): ReturnType<FoldCache["get"]> {
    this.folded.add(path);
    keepNewest(this.folded, MAX_REMEMBERED);
    return this.folds.get(path, stamp);
  }

  /** True when a fold of this file is at hand: folded by this store, or saved by an earlier process. */
  async hasFold(path: string): Promise<boolean> {
    if (this.folded.has(path)) return true;
    if (!this.savedFolds) return false;
    // lstat: a link planted where a fold would be is no fold (it is never read either)
    return lstat(this.savedFolds.fileOf(path)).then(
      (info) => info.isFile(),
      () => false,
    );
  }
}

const MAX_REMEMBERED = 10_000;
const MAX_ANSWER_SETS = 64;
const MAX_ANSWERS_PER_FILE = 32;
/** As fold-cache.ts saves folds: a log this long has its answers beside its fold, a shorter one in answers/. */
const SAVE_ANSWERS_AFTER_BYTES = 4 * 1024 * 1024;
/** A long log's answers together (a summary of thousands of turns); counted in the folds' 512 MB. */
const LONG_LOG_ANSWER_BYTES = 4 * 1024 * 1024;
/**
 * A short log's answers together, and how many short logs keep them: at most 256 MB, in practice a few KB a
 * file. Within the count, a save costs a listing and no stat (checked-files.ts keepFolderWithin).
 */
const SHORT_LOG_ANSWER_BYTES = 256 * 1024;
const SHORT_LOG_ANSWER_FILES = 1_000;

export interface AnswerSet {
  stamp: FileStamp;
  facts: FileFacts;
  answers: Map<string, unknown>;
}
