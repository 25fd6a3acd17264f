// Finding rollout files under CODEX_HOME and resolving what a caller names a session by.
//
// Layout: sessions/YYYY/MM/DD/rollout-<local time>-<uuid>.jsonl (0.8+; the folder date is local time),
// sessions/rollout-….jsonl (Rust before 0.8), sessions/rollout-<date>-<uuid>.json (TypeScript CLI, under
// ~/.codex) and archived_sessions/rollout-….jsonl. Newest means: from the newest date folders, most
// recently written (mtime) first.
//
// Cost follows the answer, not the size of the home: ids since 0.39 are UUIDv7, whose first 48 bits are
// the creation time in ms, so a full id or a prefix of 8+ characters names its date folder (local time,
// ±1 day). `last` and listings read the newest date folders first. Folder contents are cached by the
// folder's mtime (see FolderNames), so a warm call stats a handful of folders and the files it returns.
// Only an id that is not time-ordered (UUIDv4, before 0.39) or not where its time says walks the tree.
import { lstatSync } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import type { Entry } from "fast-glob";
import { appendAll } from "../shared/arrays.js";
import { ExplainedError } from "../shared/errors.js";
import { eachStated, NewestKept } from "../shared/newest-kept.js";
import { cutWhole, inline } from "../shared/text.js";
import { FolderNames, type UnlistableFolder } from "./folder-names.js";
import { datesOfId } from "./id-dates.js";
import { namedInside, realOrNearest } from "./path-inside.js";
import { within } from "../shared/path-within.js";

export { datesOfId };

export interface RolloutFile {
  id: string;
  path: string;
  archived: boolean;
  mtimeMs: number;
  size: number;
}

export class SessionLookupError extends ExplainedError {
  override readonly name = "SessionLookupError";
}

const ROLLOUT_NAME =
  /^rollout-.+-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(?:jsonl(?:\.zst)?|json)$/i;
const MIN_PREFIX = 8;

export function sessionIdFromPath(path: string): string | undefined {
  const name = path.split(/[\\/]/).pop() ?? "";
  return ROLLOUT_NAME.exec(name)?.[1]?.toLowerCase();
}

/** Every rollout file, newest first (a full walk: the doctor's count, a run's new-session finder). */
export async function listRolloutFiles(
  home: string,
  options: { includeArchived: boolean; idPrefix?: string },
): Promise<RolloutFile[]> {
  const name =
    options.idPrefix !== undefined && /^[0-9a-f-]+$/.test(options.idPrefix)
      ? `rollout-*${options.idPrefix}*`
      : "rollout-*";
  // `.jsonl.zst`: cold files Codex compressed (feature local_thread_store_compression, 0.140+)
  const patterns = [`sessions/**/${name}.jsonl`, `sessions/**/${name}.jsonl.zst`, `sessions/${name}.json`];
  if (options.includeArchived) patterns.push(`archived_sessions/${name}.jsonl`, `archived_sessions/${name}.jsonl.zst`);
  let entries: Entry[];
  try {
    const { default: fg } = await import("fast-glob");
    entries = await fg(patterns, {
      cwd: home,
      stats: true,
      onlyFiles: true,
      followSymbolicLinks: false,
      suppressErrors: true,
    });
  } catch {
    return [];
  }
  const files: RolloutFile[] = [];
  for (const entry of entries) {
    const id = sessionIdFromPath(entry.path);
    if (!id || !entry.stats) continue;
    files.push({
      id,
      path: join(home, entry.path),
      archived: entry.path.startsWith("archived_sessions/"),
      mtimeMs: entry.stats.mtimeMs,
      size: entry.stats.size,
    });
  }
  return files.sort(newestFirst);
}

/** Newest write first; ties (e.g. a fresh checkout) by the start time in the file name, newest first. */
export function newestFirst(a: RolloutFile, b: RolloutFile): number {
  return b.mtimeMs - a.mtimeMs || baseName(b.path).localeCompare(baseName(a.path));
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf(sep) + 1);
}

/** A date's rollouts, from its date folder and, for flat layouts, from the date in the file names. */
export interface DayOfFiles {
  /** YYYY-MM-DD (local time, as Codex names folders); "" for names without a date. */
  date: string;
  files: Array<{ path: string; archived: boolean }>;
}

const DATE_IN_NAME = /^rollout-(\d{4})-(\d{2})-(\d{2})/;

/**
 * A listed name in a folder `join` made: no normalising walk per log, which a cold report runs hundreds of
 * times before V8 compiles it (a listed name holds no separator, and a rollout's is never "." or "..").
 */
const childPath = (dir: string, name: string) => `${dir}${sep}${name}`;

/**
 * Rollouts grouped by date, newest date first, read lazily: the caller stops when it has enough. Dated
 * folders (sessions/YYYY/MM/DD) are merged with flat files (pre-0.8 sessions/, TypeScript CLI,
 * archived_sessions/) grouped by the date in their names.
 */
export async function* daysNewestFirst(
  home: string,
  names: FolderNames,
  options: {
    includeArchived: boolean;
    notBefore?: string;
    /** Collects the folders in range that could not be listed (a listing otherwise says nothing of them). */
    unlistable?: UnlistableFolder[];
  },
): AsyncGenerator<DayOfFiles> {
  const list = async (dir: string): Promise<string[]> => {
    const listed = await names.list(dir);
    if (Array.isArray(listed)) return listed;
    options.unlistable?.push(listed);
    return [];
  };
  const root = join(home, "sessions");
  const top = await list(root);
  const flat = new Map<string, DayOfFiles["files"]>();
  const addFlat = (dir: string, list: string[], archived: boolean) => {
    for (const name of list) {
      if (!ROLLOUT_NAME.test(name) || (archived && !isJsonLines(name))) continue;
      const match = DATE_IN_NAME.exec(name);
      const date = match ? `${match[1]}-${match[2]}-${match[3]}` : "";
      const files = flat.get(date) ?? [];
      files.push({ path: childPath(dir, name), archived });
      flat.set(date, files);
    }
  };
  addFlat(root, top, false);
  if (options.includeArchived)
    addFlat(join(home, "archived_sessions"), await list(join(home, "archived_sessions")), true);
  const flatDates = [...flat.keys()].sort().reverse();
  let next = 0;
  const notBefore = options.notBefore ?? "";
  const takeFlatDown = function* (date: string): Generator<DayOfFiles> {
    for (; next < flatDates.length && (flatDates[next] as string) > date; next++) {
      const day = flatDates[next] as string;
      if (day >= notBefore) yield { date: day, files: flat.get(day) ?? [] };
    }
  };
  for (const year of descending(top, /^\d{4}$/)) {
    if (`${year}-12-31` < notBefore) break;
    const yearDir = join(root, year);
    for (const month of descending(await list(yearDir), /^\d{2}$/)) {
      if (`${year}-${month}-31` < notBefore) break;
      const monthDir = join(yearDir, month);
      for (const day of descending(await list(monthDir), /^\d{2}$/)) {
        const date = `${year}-${month}-${day}`;
        if (date < notBefore) break;
        yield* takeFlatDown(date);
        const dayDir = join(monthDir, day);
        const files = (await list(dayDir))
          .filter((name) => isJsonLines(name) && ROLLOUT_NAME.test(name))
          .map((name) => ({ path: childPath(dayDir, name), archived: false }));
        if (next < flatDates.length && flatDates[next] === date)
          appendAll(files, flat.get(flatDates[next++] as string) ?? []);
        if (files.length > 0) yield { date, files };
      }
    }
  }
  yield* takeFlatDown("");
}

/** JSON Lines rollouts, plain or compressed cold (`.jsonl.zst`); not the TypeScript CLI's `.json` document. */
function isJsonLines(name: string): boolean {
  return name.endsWith(".jsonl") || name.endsWith(".jsonl.zst");
}

function descending(names: string[], shape: RegExp): string[] {
  return names.filter((name) => shape.test(name)).reverse();
}

/** Stats files (a chunk at a time, in their order); files that vanished meanwhile and symlinks are left out. */
export async function statFiles(files: DayOfFiles["files"]): Promise<RolloutFile[]> {
  const stated: RolloutFile[] = [];
  await eachStated(files, statFile, (file) => stated.push(file));
  return stated;
}

/** A log's stat, or none for a file that vanished, a symlink, or a name that holds no id. */
export function statFile({ path, archived }: DayOfFiles["files"][number]): RolloutFile | undefined {
  const id = sessionIdFromPath(path);
  if (!id) return undefined;
  try {
    const info = lstatSync(path, { throwIfNoEntry: false });
    return info?.isFile() ? { id, path, archived, mtimeMs: info.mtimeMs, size: info.size } : undefined;
  } catch {
    return undefined; // a folder on its path no longer one, or no longer searchable
  }
}

/**
 * The `count` newest files, of the newest dates until `count` are found plus the next date (a session
 * started before midnight may be written after a later one), most recently written first. A session
 * created days ago and written today ranks by its creation date, as in Codex's own folder listing.
 */
export async function newestFiles(
  home: string,
  names: FolderNames,
  count: number,
  options: {
    includeArchived: boolean;
    /** Collects the folders that could not be listed before the first log was found: newer ones may be in them. */
    unlistedNewer?: UnlistableFolder[];
  },
): Promise<RolloutFile[]> {
  // only the `count` newest are kept, whatever the size of a folder (shared/newest-kept.ts)
  const kept = new NewestKept(count, newestFirst);
  let stated = 0;
  const unlistable: UnlistableFolder[] = [];
  let extraDays = 1;
  for await (const day of daysNewestFirst(home, names, { includeArchived: options.includeArchived, unlistable })) {
    if (stated >= count && extraDays-- <= 0) break;
    const before = stated;
    await eachStated(day.files, statFile, (file) => {
      stated += 1;
      kept.offer(file);
    });
    if (before === 0 && stated > 0) options.unlistedNewer?.push(...unlistable);
  }
  if (stated === 0) options.unlistedNewer?.push(...unlistable);
  return [...kept.sorted()];
}

/** Files whose id starts with `prefix`: in the date folders its time names, else by a walk of every folder. */
async function filesWithIdPrefix(home: string, names: FolderNames, prefix: string): Promise<RolloutFile[]> {
  const matching = (files: DayOfFiles["files"]) =>
    files.filter((file) => sessionIdFromPath(file.path)?.startsWith(prefix));
  const dates = datesOfId(prefix);
  if (dates.length > 0) {
    const near: DayOfFiles["files"] = [];
    for (const date of dates) {
      const dir = join(home, "sessions", ...date.split("-"));
      for (const name of await names.names(dir)) near.push({ path: join(dir, name), archived: false });
    }
    // flat and archived files carry the date in their names: the cached folder names suffice
    const flatDirs: Array<[string, boolean]> = [
      [join(home, "sessions"), false],
      [join(home, "archived_sessions"), true],
    ];
    for (const [dir, archived] of flatDirs) {
      for (const name of await names.names(dir))
        if (dates.some((date) => name.startsWith(`rollout-${date}`))) near.push({ path: join(dir, name), archived });
    }
    const found = matching(
      near.filter((file) => ROLLOUT_NAME.test(baseName(file.path)) && (!file.archived || isJsonLines(file.path))),
    );
    if (found.length > 0) return statFiles(found);
  }
  const all: DayOfFiles["files"] = [];
  for await (const day of daysNewestFirst(home, names, { includeArchived: true })) appendAll(all, matching(day.files));
  return statFiles(all);
}

/**
 * A full UUID, a unique prefix of 8+ characters, `last`, or an absolute path to a rollout inside
 * CODEX_HOME. Every miss is a SessionLookupError whose message names the fix.
 */
export async function resolveSession(
  home: string,
  ref: string,
  names: FolderNames = new FolderNames(),
): Promise<RolloutFile> {
  const wanted = ref.trim();
  if (wanted === "")
    throw new SessionLookupError(
      "session_id is empty: pass a session UUID, a unique prefix of 8+ characters, `last`, or a rollout path.",
    );
  if (isAbsolute(wanted)) return resolvePath(home, wanted);

  const lower = wanted.toLowerCase();
  const newest = () => newestFiles(home, names, 3, { includeArchived: false });
  if (lower === "last") {
    const hidden: UnlistableFolder[] = [];
    const [file] = await newestFiles(home, names, 1, { includeArchived: false, unlistedNewer: hidden });
    const [folder] = hidden;
    // answering an older session as the last would be a wrong answer, not a partial one
    if (folder)
      throw new SessionLookupError(
        `\`last\` cannot be told: ${folder.path} could not be listed (${folder.code}), and the newest session may be in it. Make it readable by this user (what \`sudo codex\` made is root's), or name the session by its id.`,
      );
    if (!file)
      throw new SessionLookupError(
        `no sessions in CODEX_HOME (${home}): run Codex once, or point CODEX_HOME at the home that holds its sessions.`,
      );
    return file;
  }
  if (!/^[0-9a-f-]+$/i.test(wanted)) {
    throw new SessionLookupError(
      `"${clip(wanted)}" is not a session id: pass a session UUID, a unique prefix of ${MIN_PREFIX}+ characters, \`last\`, or an absolute rollout path. ${newestHint(await newest())}`,
    );
  }
  if (wanted.length < MIN_PREFIX) {
    throw new SessionLookupError(
      `session id prefix "${wanted}" is too short: give at least ${MIN_PREFIX} characters. ${newestHint(await newest())}`,
    );
  }
  const matches = (await filesWithIdPrefix(home, names, lower)).sort(newestFirst);
  const ids = [...new Set(matches.map((file) => file.id))];
  if (ids.length === 0) {
    throw new SessionLookupError(`no session "${clip(wanted)}" in CODEX_HOME (${home}). ${newestHint(await newest())}`);
  }
  if (ids.length > 1) {
    const shown = ids.slice(0, 10).join(", ");
    throw new SessionLookupError(
      `session id prefix "${clip(wanted)}" is ambiguous: it matches ${ids.length} sessions (${shown}${ids.length > 10 ? ", …" : ""}). Give more characters.`,
    );
  }
  // the same id in sessions/ and archived_sessions/: the live one
  return matches.find((file) => !file.archived) ?? (matches[0] as RolloutFile);
}

async function resolvePath(home: string, path: string): Promise<RolloutFile> {
  let realHome: string;
  try {
    realHome = await realpath(home);
  } catch {
    throw new SessionLookupError(
      `CODEX_HOME (${home}) does not exist: set CODEX_HOME to the folder that holds Codex's sessions.`,
    );
  }
  const outside = () =>
    new SessionLookupError(
      `${clip(path, PATH_SHOWN)} is outside CODEX_HOME (${home}): only rollouts inside CODEX_HOME are read. Pass a session id instead.`,
    );
  // refused by its name before the disk is asked: whether a path outside exists is not the caller's to learn
  if (!namedInside(home, path) && !namedInside(realHome, path)) throw outside();
  // then by where it resolves: a link inside CODEX_HOME that points out is outside, the file existing or not
  const { real, exists } = await realOrNearest(path);
  if (!within(realHome, real, !exists)) throw outside();
  if (!exists)
    throw new SessionLookupError(
      `no file at ${clip(path, PATH_SHOWN)}: pass an existing rollout path inside CODEX_HOME (${home}), or a session id.`,
    );
  const inside = relative(realHome, real);
  const info = await stat(real);
  const id = sessionIdFromPath(real);
  if (!info.isFile() || !id) {
    throw new SessionLookupError(
      `${clip(path, PATH_SHOWN)} is not a rollout file (rollout-<time>-<uuid>.jsonl): pass a rollout path or a session id.`,
    );
  }
  return {
    id,
    path: real,
    archived: inside.startsWith(`archived_sessions${sep}`),
    mtimeMs: info.mtimeMs,
    size: info.size,
  };
}

function newestHint(files: RolloutFile[]): string {
  const newest = files.filter((file) => !file.archived).slice(0, 3);
  if (newest.length === 0) return "CODEX_HOME holds no sessions.";
  return `The ${newest.length} newest: ${newest.map((file) => file.id).join(", ")}.`;
}

/**
 * A caller's input as an error repeats it: enough to recognize (ids are 36 characters), not all of 4 KB; a
 * path keeps more (a temp folder's rollout path is over 100). Control and bidirectional characters are shown
 * as `\uXXXX`: an id of `\u202e…` would otherwise reverse the rest of the message, an ESC sequence reach
 * the terminal of a CLI user.
 */
export function clip(text: string, max = 80): string {
  return text.length > max ? `${inline(cutWhole(text, max))}…` : inline(text);
}
/** At most this many characters of a path are repeated in an error. */
export const PATH_SHOWN = 240;
