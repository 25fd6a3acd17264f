// The names in CODEX_HOME's session folders, kept between calls, and the folders that could not be listed.
import { lstatSync, readdirSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { keepNewest } from "../shared/bounded.js";

/** How to fix folders and logs this user cannot read: said wherever they are named. */
export const MAKE_READABLE =
  "Make them readable by this user (what `sudo codex` made is root's), or run as their owner.";

/** A folder that is there but could not be listed (EACCES, EIO…): its logs are unknown, not none. */
export interface UnlistableFolder {
  path: string;
  /** Why: the error's code. */
  code: string;
}

/**
 * The names in each folder, read again only when the folder's mtime changed (a file was created, renamed
 * or removed in it; appending to a file does not change it). A folder changed within the last second is
 * not trusted: timestamps are coarser than the writes they would have to tell apart. A listing that failed
 * is not kept: a chmod does not change the mtime, so it would never be read again.
 */
export class FolderNames {
  private readonly folders = new Map<string, { mtimeMs: number; names: string[] }>();
  private static readonly MAX_FOLDERS = 20_000;

  /**
   * `sync`: for a one-shot command, which has nothing else to do meanwhile: each asynchronous lstat and
   * readdir is a round trip through libuv's thread pool (measured: ~8 ms idle in a report of 550 logs).
   */
  constructor(private readonly sync = false) {}

  /** The folder's names; none when it cannot be listed. */
  async names(dir: string): Promise<string[]> {
    const listed = await this.list(dir);
    return Array.isArray(listed) ? listed : [];
  }

  /** The folder's names, sorted, or why it could not be listed; none when it is gone or no folder (a link is not followed). */
  async list(dir: string): Promise<string[] | UnlistableFolder> {
    let mtimeMs: number;
    try {
      // symlinks are not followed (a link may lead out of CODEX_HOME)
      const info = this.sync ? lstatSync(dir) : await lstat(dir);
      if (!info.isDirectory()) return [];
      mtimeMs = info.mtimeMs;
    } catch (error) {
      this.folders.delete(dir);
      return whyNot(dir, error);
    }
    const cached = this.folders.get(dir);
    if (cached && cached.mtimeMs === mtimeMs) return cached.names;
    let names: string[];
    try {
      names = (this.sync ? readdirSync(dir) : await readdir(dir)).sort();
    } catch (error) {
      this.folders.delete(dir);
      return whyNot(dir, error);
    }
    if (Date.now() - mtimeMs > 1000) {
      this.folders.set(dir, { mtimeMs, names });
      keepNewest(this.folders, FolderNames.MAX_FOLDERS);
    } else {
      this.folders.delete(dir);
    }
    return names;
  }
}

function whyNot(dir: string, error: unknown): [] | UnlistableFolder {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // gone meanwhile, or no folder: nothing to list, nothing left out
  return code === undefined || code === "ENOENT" || code === "ENOTDIR" ? [] : { path: dir, code };
}
