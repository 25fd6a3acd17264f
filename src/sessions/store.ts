// What a server (or one CLI command) keeps between calls: the names in each session folder, the listing of
// each file, the fold of each rollout read, and where folds are saved for the next process. One per
// createServer(): two servers in one process share nothing.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { FoldFiles } from "./fold-files.js";
import { ListingCache } from "./list.js";
import { FolderNames } from "./locate.js";
import { FoldCache } from "./session-index.js";

export interface SessionStoreOptions {
  /** The server's state dir: folds are saved under it (never in CODEX_HOME). None: folds live in memory only. */
  stateDir?: string;
  /** Folds are saved once this many bytes more were folded (default 4 MB: smaller logs fold faster than a save loads). */
  saveAfterBytes?: number;
}

export class SessionStore {
  readonly names = new FolderNames();
  readonly listings = new ListingCache();
  readonly folds: FoldCache;
  /** Where folds are saved (undefined: memory only); only its file names are used here. */
  private readonly savedFolds: FoldFiles | undefined;
  /** Files this store has folded (the fold cache keeps them, or can restore them). */
  private readonly folded = new Set<string>();
  /** Answers read from a file's end before it was folded, while the file is unchanged (see index.ts). */
  readonly quickAnswers = new Map<string, { stamp: string; answers: Map<string, unknown> }>();

  constructor(
    readonly home: string,
    options: SessionStoreOptions = {},
  ) {
    const saveAfter = options.saveAfterBytes !== undefined ? { saveAfterBytes: options.saveAfterBytes } : {};
    const foldsDir = options.stateDir !== undefined ? join(options.stateDir, "folds") : undefined;
    this.folds = new FoldCache(foldsDir, saveAfter);
    this.savedFolds = foldsDir !== undefined ? new FoldFiles(foldsDir) : undefined;
  }

  /** The fold of a rollout (see session-index.ts), remembered as folded. */
  fold(path: string): ReturnType<FoldCache["get"]> {
    this.folded.add(path);
    if (this.folded.size > MAX_REMEMBERED) this.folded.delete(this.folded.values().next().value as string);
    return this.folds.get(path);
  }

  /** True when a fold of this file is at hand: folded by this store, or saved by an earlier process. */
  async hasFold(path: string): Promise<boolean> {
    if (this.folded.has(path)) return true;
    if (!this.savedFolds) return false;
    return stat(this.savedFolds.fileOf(path)).then(
      () => true,
      () => false,
    );
  }
}

const MAX_REMEMBERED = 10_000;
