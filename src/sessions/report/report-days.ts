// Which date folders and logs a report reads: a server's watched index of them (watched-days.ts) or a walk of
// the folders, and their logs stated synchronously.
import { lstatSync } from "node:fs";
import { FolderNames, type UnlistableFolder } from "../folder-names.js";
import { daysNewestFirst, sessionIdFromPath, type DayOfFiles, type RolloutFile } from "../locate.js";
import type { SessionStore } from "../store.js";
import { WatchedDays } from "./watched-days.js";

/** Each store's watched date folders (ReportOptions.watch). */
const watchedHomes = new WeakMap<SessionStore, WatchedDays>();

export function watchedOf(store: SessionStore): WatchedDays {
  let watched = watchedHomes.get(store);
  if (!watched) {
    // its own listings, read synchronously: a round trip through the thread pool per folder and per
    // lstat left a new server's first report idle ~5 ms at 550 logs (the index is rebuilt only on a change)
    watched = new WatchedDays(store.home, new FolderNames(true));
    watchedHomes.set(store, watched);
  }
  return watched;
}

/** The days a report reads: the watched index's when there is one (then filtered here), else a walk. */
export async function* daysOf(
  store: SessionStore,
  includeArchived: boolean,
  notBefore: string | undefined,
  watched: WatchedDays | undefined,
  unlistable: UnlistableFolder[],
): AsyncGenerator<DayOfFiles> {
  const indexed = watched && (await watched.days(includeArchived));
  if (!indexed) {
    // a one-shot report lists synchronously (FolderNames' sync); an unwatched server (a home too large to
    // watch) through the store's listings, kept between reports
    const names = watched ? store.names : new FolderNames(true);
    yield* daysNewestFirst(store.home, names, {
      includeArchived,
      unlistable,
      ...(notBefore !== undefined && { notBefore }),
    });
    return;
  }
  // as daysNewestFirst's notBefore: dates from it on
  for (const day of indexed) if (notBefore === undefined || day.date >= notBefore) yield day;
}

/**
 * The files of a date folder that are files (symlinks left out, as statFiles does), stated synchronously: a
 * warm report on 10,000 sessions is these stats, and the asynchronous ones cost ten times as much each.
 */
export function statDay(files: Array<{ path: string; archived: boolean }>): RolloutFile[] {
  const stated: RolloutFile[] = [];
  for (const { path, archived } of files) {
    const id = sessionIdFromPath(path);
    const info = id !== undefined ? lstatSync(path, { throwIfNoEntry: false }) : undefined;
    if (id !== undefined && info?.isFile()) stated.push({ id, path, archived, mtimeMs: info.mtimeMs, size: info.size });
  }
  return stated;
}
