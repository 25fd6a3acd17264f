// What a server (or one CLI command) keeps between calls: the names in each session folder, the listing of
// each file, the fold of each rollout read, and where folds are saved for the next process. One per
// createServer(): two servers in one process share nothing.
import { join } from "node:path";
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

  constructor(
    readonly home: string,
    options: SessionStoreOptions = {},
  ) {
    const saveAfter = options.saveAfterBytes !== undefined ? { saveAfterBytes: options.saveAfterBytes } : {};
    this.folds = new FoldCache(options.stateDir !== undefined ? join(options.stateDir, "folds") : undefined, saveAfter);
  }
}
