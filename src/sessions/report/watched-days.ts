// A server's repeated report without a stat per log: the date folders' listings (daysNewestFirst) and their
// files' sizes and mtimes are kept between reports, each folder's for as long as no change notification came
// for it (fs.watch: inotify, FSEvents, ReadDirectoryChangesW). A notification on a folder covers its files:
// an append to a log (a resumed session writes to its old file) is a "change" of that folder, a new or
// removed log a "rename". Only what was notified is looked at again, so a warm report's cost follows what
// changed, not the number of sessions.
//
// When it cannot be trusted it is not used: a folder is trusted only from the report after its watcher was
// made (a write between a look and the watcher would be missed), a watcher's error, a folder being made or
// removed, too many folders (MAX_FOLDERS) or one that cannot be listed send the report back to the stat of
// every log (statDay), and the whole index is dropped after TRUST_MS (notifications the kernel's queue
// dropped are not reported).
import { lstatSync, readdirSync, watch, type FSWatcher } from "node:fs";
import { dirname, join } from "node:path";
import type { FolderNames, UnlistableFolder } from "../folder-names.js";
import { daysNewestFirst, type DayOfFiles, type RolloutFile } from "../locate.js";

/** Folders watched at most (a day's folder each: over five years of days); a larger home is stat-ed as before. */
const MAX_FOLDERS = 2_000;
/** Logs indexed at most (their stats kept in memory); a larger home is stat-ed as before. */
const MAX_FILES = 50_000;
/** The index is rebuilt at least this often: a notification lost to a full kernel queue is not lost for long. */
const TRUST_MS = 10 * 60_000;

const YEAR = /^\d{4}$/;
const TWO_DIGITS = /^\d{2}$/;

interface Indexed {
  days: DayOfFiles[];
  builtAt: number;
}

interface Stated {
  /** The paths these stats are of (a day's listing). */
  paths: string[];
  files: RolloutFile[];
  /** The folders of those paths. */
  folders: string[];
  /** The tick of the stat: trusted while later than its folders' watchers and notifications. */
  at: number;
}

export class WatchedDays {
  /** Each folder's watcher and the tick it was made at (a stat before it is not covered by it). */
  private readonly watchers = new Map<string, { watcher: FSWatcher; since: number }>();
  /** Each folder's newest notification, as a tick. */
  private readonly changedAt = new Map<string, number>();
  /** Each day's files as last stat-ed, by the day's date and folders. */
  private readonly stated = new Map<string, Stated>();
  private readonly indexes = new Map<boolean, Indexed>();
  /** The build under way, by includeArchived. */
  private readonly pending = new Map<boolean, Promise<DayOfFiles[] | undefined>>();
  /** A log or folder was made, renamed or removed, or a watcher failed: the listings are read again. */
  private stale = true;
  private tick = 0;
  /** After giving up (too large, unwatchable), not tried again before this time. */
  private retryAt = 0;

  constructor(
    private readonly home: string,
    private readonly names: FolderNames,
  ) {}

  /**
   * Every date folder's rollouts, newest first (as daysNewestFirst, without its `notBefore`: the caller
   * filters), or undefined when this home is not watched (too large, or watching failed): read it as before.
   */
  days(includeArchived: boolean): Promise<DayOfFiles[] | undefined> {
    // one build at a time: a listing's build in the background and a report asked meanwhile share it
    const pending = this.pending.get(includeArchived);
    if (pending) return pending;
    const days = this.daysNow(includeArchived).finally(() => this.pending.delete(includeArchived));
    this.pending.set(includeArchived, days);
    return days;
  }

  /**
   * Whether `days` would answer from an index already built (a first build lists and watches every date
   * folder: a listing whose answer may come from the newest folders alone does not wait for it).
   */
  built(includeArchived: boolean): boolean {
    return this.indexes.has(includeArchived) || this.pending.has(includeArchived);
  }

  private async daysNow(includeArchived: boolean): Promise<DayOfFiles[] | undefined> {
    // notifications already queued (a write before this report was asked for) are taken in first
    await new Promise((resolve) => setImmediate(resolve));
    if (Date.now() < this.retryAt) return undefined;
    const kept = this.indexes.get(includeArchived);
    const expired = kept !== undefined && Date.now() - kept.builtAt >= TRUST_MS;
    if (kept && !this.stale && !expired) return kept.days;
    if (expired) this.stated.clear();
    this.stale = false;
    this.indexes.clear();
    const { all, days: dayFolders } = this.folders(includeArchived);
    // watched before they are read: what changes after the read is notified
    if (all.length > MAX_FOLDERS || !this.watchAll(all, dayFolders)) return this.giveUp();
    const days: DayOfFiles[] = [];
    const present = new Set<string>();
    let files = 0;
    const unlistable: UnlistableFolder[] = [];
    for await (const day of daysNewestFirst(this.home, this.names, { includeArchived, unlistable })) {
      days.push(day);
      present.add(keyOf(day));
      files += day.files.length;
      if (files > MAX_FILES) return this.giveUp();
      // a folder made between the look for folders and its parent's watcher: looked for again next time
      if (day.files.some((file) => !this.watchers.has(dirname(file.path)))) this.stale = true;
    }
    // a folder that cannot be listed is named by every report, which the walk does: the index would hide it
    if (unlistable.length > 0) return this.giveUp();
    for (const key of this.stated.keys()) if (!present.has(key)) this.stated.delete(key);
    this.indexes.set(includeArchived, { days, builtAt: Date.now() });
    return days;
  }

  /** A day's files as stat-ed before, unless one of its folders was notified since; `stat` otherwise. */
  files(day: DayOfFiles, stat: (files: DayOfFiles["files"]) => RolloutFile[]): RolloutFile[] {
    const kept = this.keptFiles(day);
    if (kept) return kept;
    const at = this.statStarts();
    return this.record(day, stat(day.files), at);
  }

  /** A day's files as stat-ed before, if none of its folders was notified since. */
  keptFiles(day: DayOfFiles): RolloutFile[] | undefined {
    const kept = this.stated.get(keyOf(day));
    return kept && this.watchers.size > 0 && this.trusted(kept, day) ? kept.files : undefined;
  }

  /** A stat of a day's files begins: notifications from here on count against it, not before it. */
  statStarts(): number {
    return ++this.tick;
  }

  /**
   * Keeps `files`, the day's files as stat-ed since `at` (statStarts), in the listing's order: by `files`
   * above, or by a reader that stat-ed each log by the descriptor it read it through. Returns them.
   */
  record(day: DayOfFiles, files: RolloutFile[], at: number): RolloutFile[] {
    if (this.watchers.size === 0) return files; // not watched: nothing is kept
    const paths = day.files.map((file) => file.path);
    this.stated.set(keyOf(day), { paths, files, folders: [...new Set(paths.map((path) => dirname(path)))], at });
    return files;
  }

  /** Stops watching (a home too large or unwatchable). */
  stop(): undefined {
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.changedAt.clear();
    this.stated.clear();
    this.indexes.clear();
    this.stale = true;
    return undefined;
  }

  private giveUp(): undefined {
    this.retryAt = Date.now() + TRUST_MS;
    return this.stop();
  }

  private trusted(kept: Stated, day: DayOfFiles): boolean {
    if (kept.paths.length !== day.files.length) return false;
    for (let i = 0; i < kept.paths.length; i++) if (kept.paths[i] !== day.files[i]?.path) return false;
    return kept.folders.every((folder) => {
      const watched = this.watchers.get(folder);
      return watched !== undefined && watched.since < kept.at && (this.changedAt.get(folder) ?? 0) < kept.at;
    });
  }

  /** The folders whose changes a report must hear of: sessions/, its years, months and days; archived_sessions/. */
  private folders(includeArchived: boolean): { all: string[]; days: Set<string> } {
    const root = join(this.home, "sessions");
    const all = [root];
    const days = new Set<string>();
    // only when there: Codex makes it on the first archive, which moves a log out of a watched day folder (a
    // notification that has it looked for again); a watch of the missing folder failed, and the index gave up
    const archived = join(this.home, "archived_sessions");
    if (includeArchived && isFolder(archived)) all.push(archived);
    for (const year of subfolders(root, YEAR)) {
      all.push(year);
      for (const month of subfolders(year, TWO_DIGITS)) {
        all.push(month);
        for (const day of subfolders(month, TWO_DIGITS)) {
          all.push(day);
          days.add(day);
        }
        if (all.length > MAX_FOLDERS) return { all, days };
      }
    }
    return { all, days };
  }

  /** Watches these folders (and no others); false when one cannot be watched. */
  private watchAll(folders: string[], days: Set<string>): boolean {
    const wanted = new Set(folders);
    for (const [folder, { watcher }] of this.watchers)
      if (!wanted.has(folder)) {
        watcher.close();
        this.watchers.delete(folder);
        this.changedAt.delete(folder);
      }
    for (const folder of folders) {
      if (this.watchers.has(folder)) continue;
      try {
        const day = days.has(folder);
        // not persistent: a CLI process or a closing server is not kept alive by it
        const watcher = watch(folder, { persistent: false }, (event) => {
          this.changedAt.set(folder, ++this.tick);
          // a log appended to ("change") changes its day's stats; anything else, or any change above the days, the listings
          if (event !== "change" || !day) this.stale = true;
        });
        watcher.on("error", () => {
          watcher.close();
          this.watchers.delete(folder);
          this.stale = true;
        });
        this.watchers.set(folder, { watcher, since: ++this.tick });
      } catch {
        // missing (no sessions/ yet, no archived_sessions/), or the watch limit reached: read as before
        return false;
      }
    }
    return true;
  }
}

function keyOf(day: DayOfFiles): string {
  return `${day.date}\u0000${day.files[0]?.path ?? ""}`;
}

function isFolder(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

function subfolders(dir: string, shape: RegExp): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && shape.test(entry.name))
      .map((entry) => join(dir, entry.name));
  } catch {
    return [];
  }
}
