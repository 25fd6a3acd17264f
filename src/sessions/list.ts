// list_sessions: newest first, reading only the head (meta, first prompt, model) and the tail (status) of
// each file it returns, so its cost follows `limit`, not the size of the history.
import type { EventOf, SessionEvent } from "./events.js";
import type { FolderNames, UnlistableFolder } from "./folder-names.js";
import { daysNewestFirst, newestFirst, statFile, type DayOfFiles, type RolloutFile } from "./locate.js";
import { statDay } from "./report/report-days.js";
import type { WatchedDays } from "./report/watched-days.js";
import { edgeEvents } from "./rollout-reader.js";
import { foldEvents, turnStatus, writesTurnErrors } from "./session-model.js";
import type { SessionListing } from "./views/list.js";
import { keepNewest } from "../shared/bounded.js";
import { eachStated, NewestKept } from "../shared/newest-kept.js";
import { cutWhole } from "../shared/text.js";

export interface ListOptions {
  limit: number;
  cwd?: string;
  /** ISO time: only sessions written at or after it. */
  since?: string;
  includeArchived: boolean;
  /**
   * A server asked again: the date folders and their logs' stats as the report's watched index keeps them
   * (report/watched-days.ts: trusted until a change notification of the folder), not a walk and a stat of
   * every log each time, when a `since` or `cwd` may take the listing through every folder. A one-shot
   * listing, and one without either, walks and stats.
   */
  watch?: boolean;
}

export type { SessionListing } from "./views/list.js";

const HEAD_BYTES = 256 * 1024;
const TAIL_BYTES = 128 * 1024;
const PROMPT_CHARS = 300;
/** Folders that could not be listed, named in a listing (the first ones met, newest first). */
const UNLISTABLE_NAMED = 10;

/**
 * Reads the newest date folders only: folders are taken newest first until they hold `limit` more files
 * than were listed, plus one more (a session started before midnight may be written after a later one),
 * and those files are described most recently written first; more folders only when filters left too few.
 */
export async function listSessions(
  home: string,
  options: ListOptions,
  names: FolderNames,
  listings: ListingCache,
  watched?: WatchedDays,
): Promise<{ sessions: SessionListing[]; scanned: number; unreadable_folders: string[] }> {
  // every folder, however old: a session resumed since `since` was written since, in the folder of its start
  const sinceMs = options.since !== undefined ? Date.parse(options.since) : undefined;
  const wantedCwd = options.cwd !== undefined ? trimSlash(options.cwd) : undefined;
  const sessions: SessionListing[] = [];
  let scanned = 0;
  const unlistable: UnlistableFolder[] = [];
  // a server's index (undefined: a home it does not watch, too large or with a folder it cannot list), where
  // the listing may go back through every folder (a since, a cwd); without them, the newest folders until
  // `limit` are walked, a cost that follows `limit` (the index's first build lists and watches every folder)
  const goesBack = options.since !== undefined || options.cwd !== undefined;
  // not built yet (a server's first such listing): the walk, which stops at `limit`, answers, and the index
  // is built after it for the next listing; waiting for it would list and watch every folder first
  const building = watched && goesBack && !watched.built(options.includeArchived);
  const indexed = watched && goesBack && !building && (await watched.days(options.includeArchived));
  const days: AsyncGenerator<DayOfFiles & { stated?: RolloutFile[] }, void, undefined> = indexed
    ? keptDays(indexed, watched as WatchedDays)
    : daysNewestFirst(home, names, { includeArchived: options.includeArchived, unlistable });
  // each pass keeps only the newest logs it may list (shared/newest-kept.ts), not every log of its folders: a
  // folder of 200,000 held them all, stated at once. A pass takes the newest folders until they hold `need`
  // more logs, plus one more folder; when the filters leave too few and the pass kept fewer logs than its
  // folders hold, the next pass takes the next newest of the same folders (four times as many), then older folders.
  let exhausted = false;
  let passDays: Array<DayOfFiles & { stated?: RolloutFile[] }> = [];
  let truncated = false;
  let keep = 0;
  // the logs the passes over these folders read, told by path: a next pass takes the newest of the others. Not
  // by their order against the last one read, stat-ed again: a log written meanwhile (by the Codex running it)
  // ranked before it and was left out, one whose time went back was listed twice
  const read = new Set<string>();
  while (sessions.length < options.limit && (truncated || !exhausted)) {
    const need = options.limit - sessions.length;
    const again = truncated;
    keep = again ? Math.max(need, keep * 4) : need;
    const kept = new NewestKept<RolloutFile>(keep, newestFirst);
    let stated = 0;
    const offer = async (day: DayOfFiles & { stated?: RolloutFile[] }) => {
      const take = (file: RolloutFile) => {
        stated += 1;
        if (sinceMs !== undefined && file.mtimeMs < sinceMs) return;
        if (again && read.has(file.path)) return;
        kept.offer(file);
      };
      if (day.stated) for (const file of day.stated) take(file);
      else await eachStated(day.files, statFile, take);
    };
    if (again) for (const day of passDays) await offer(day);
    else {
      passDays = [];
      read.clear();
      let extraDays = 1;
      for (;;) {
        if (stated >= need && extraDays-- <= 0) break;
        const day = await days.next();
        if (day.done) {
          exhausted = true;
          break;
        }
        passDays.push(day.value);
        await offer(day.value);
      }
    }
    truncated = kept.truncated;
    for (const file of kept.sorted()) {
      if (sessions.length >= options.limit) break;
      read.add(file.path);
      scanned += 1;
      const listing = await listings.describe(file).catch(() => unreadable(file));
      if (wantedCwd !== undefined && !isWithin(listing.cwd, wantedCwd)) continue;
      sessions.push(listing);
    }
  }
  await days.return(undefined);
  // for the next listing (or report): a failed build leaves the walk, as a home too large to watch does
  if (building) void watched.days(options.includeArchived).catch(() => undefined);
  const unreadable_folders = unlistable.slice(0, UNLISTABLE_NAMED).map(({ path, code }) => `${path} (${code})`);
  return { sessions, scanned, unreadable_folders };
}

/**
 * The watched index's days, newest first, each with its logs' stats as kept (stat-ed again, synchronously,
 * only for a folder notified since, or not stat-ed yet): a listing that goes back through every older day
 * (a `since` that leaves fewer than `limit`) costs no stat per old log when nothing there changed.
 */
async function* keptDays(
  days: DayOfFiles[],
  watched: WatchedDays,
): AsyncGenerator<DayOfFiles & { stated: RolloutFile[] }, void, undefined> {
  for (const day of days) yield { ...day, stated: watched.files(day, statDay) };
}

/** Listings by path, valid while the file's size and mtime are unchanged. */
export class ListingCache {
  private readonly described = new Map<string, { size: number; mtimeMs: number; listing: SessionListing }>();
  private static readonly MAX_DESCRIBED = 50_000;

  async describe(file: RolloutFile): Promise<SessionListing> {
    const cached = this.described.get(file.path);
    if (cached && cached.size === file.size && cached.mtimeMs === file.mtimeMs) return cached.listing;
    const listing = await describeFresh(file);
    this.described.set(file.path, { size: file.size, mtimeMs: file.mtimeMs, listing });
    keepNewest(this.described, ListingCache.MAX_DESCRIBED);
    return listing;
  }
}

async function describeFresh(file: RolloutFile): Promise<SessionListing> {
  const head = await eventsOf(file.path, "head");
  const tail = head.whole ? head : await eventsOf(file.path, "tail");
  const both = head.whole ? head.events : [...head.events, ...tail.events];
  const meta = head.events.find((event): event is EventOf<"meta"> => event.kind === "meta");
  // folded, so a fork's or sub-agent's first prompt is its own, not its parent's replayed one
  const headModel = await foldEvents(head.events);
  const firstPrompt = headModel.turns.find((turn) => turn.prompt !== undefined)?.prompt;
  const lastContext = lastSettings(both);
  // the tail folded after the meta: a fork's or sub-agent's replayed parent history in it is told apart as the
  // summary tells it (lineage.ts), not taken for the session's own last turn
  const model = head.whole ? headModel : await foldEvents(meta ? [meta, ...tail.events] : tail.events);
  const lastTurn = model.turns.at(-1);
  // the tail may start inside a turn whose task_started it did not see (its only turn: a later one began in
  // it), and without the meta naming the version that wrote its end. A log read whole, or a turn begun in the
  // tail, is the fold's own: a turn without a task_started of its own stays so (the summary's status)
  const tailTurnBegunEarlier = !head.whole && model.turns.length === 1;
  if (lastTurn && tailTurnBegunEarlier && both.some((event) => event.kind === "turn_started")) {
    lastTurn.hasStartEvent = true;
  }
  // a newer Codex that resumed an older file writes 0.150+ items (the fold's rule, session-model.ts): ones in
  // the head count for a turn ended in the tail
  const newerWriter = !head.whole && head.events.some((event) => event.kind === "user_message" && event.item === true);
  if (lastTurn?.ended && (writesTurnErrors(meta?.cliVersion) || newerWriter)) lastTurn.endSaysErrors = true;
  return {
    session_id: meta?.id ?? file.id,
    path: file.path,
    started_at: meta?.startedAt ?? meta?.timestamp ?? head.events[0]?.timestamp ?? null,
    updated_at: new Date(file.mtimeMs).toISOString(),
    cwd: lastContext?.cwd ?? meta?.cwd ?? null,
    cli_version: meta?.cliVersion ?? null,
    model: lastContext?.model ?? null,
    source: meta?.source ?? null,
    kind: headModel.lineage?.kind ?? "session",
    parent_session_id: headModel.lineage?.parentId ?? null,
    first_prompt: firstPrompt !== undefined ? clip(firstPrompt) : null,
    status: lastTurn ? turnStatus(lastTurn) : "incomplete",
    archived: file.archived,
  };
}

/**
 * The model and folder the session ran with last, as the fold keeps them (session-model.ts): a turn_context
 * names them all, a later `thread_settings_applied` (0.169+) overrides the fields it names. A `codex exec
 * review` parent of 0.171 writes no turn_context at all, only the settings.
 */
function lastSettings(events: SessionEvent[]): { cwd?: string | undefined; model?: string | undefined } | undefined {
  let last: { cwd?: string | undefined; model?: string | undefined } | undefined;
  for (const event of events) {
    if (event.kind === "turn_context") last = { cwd: event.cwd, model: event.model };
    else if (event.kind === "settings") last = { cwd: event.cwd ?? last?.cwd, model: event.model ?? last?.model };
  }
  return last;
}

/** A file that could not be read (it vanished, or its permissions changed) still gets its line. */
function unreadable(file: RolloutFile): SessionListing {
  return {
    session_id: file.id,
    path: file.path,
    started_at: null,
    updated_at: new Date(file.mtimeMs).toISOString(),
    cwd: null,
    cli_version: null,
    model: null,
    source: null,
    kind: "session",
    parent_session_id: null,
    first_prompt: null,
    status: "incomplete",
    archived: file.archived,
  };
}

function eventsOf(path: string, end: "head" | "tail"): Promise<{ events: SessionEvent[]; whole: boolean }> {
  // the TypeScript CLI's single JSON document and compressed files are read whole (rollout-reader.ts)
  return edgeEvents(path, end, end === "head" ? HEAD_BYTES : TAIL_BYTES);
}

function isWithin(cwd: string | null, dir: string): boolean {
  if (cwd === null) return false;
  const normalized = trimSlash(cwd);
  return normalized === dir || normalized.startsWith(`${dir}/`);
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

function clip(text: string): string {
  const flat = text.trim();
  return flat.length > PROMPT_CHARS ? `${cutWhole(flat, PROMPT_CHARS)}…` : flat;
}
