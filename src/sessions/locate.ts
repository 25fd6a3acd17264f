// Finding rollout files under CODEX_HOME and resolving what a caller names a session by.
//
// Layout: sessions/YYYY/MM/DD/rollout-<local time>-<uuid>.jsonl (0.8+; the folder date is local time),
// sessions/rollout-….jsonl (Rust before 0.8), sessions/rollout-<date>-<uuid>.json (TypeScript CLI, under
// ~/.codex) and archived_sessions/rollout-….jsonl. Newest means most recently written (mtime).
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import type { Entry } from "fast-glob";

export interface RolloutFile {
  id: string;
  path: string;
  archived: boolean;
  mtimeMs: number;
  size: number;
}

export class SessionLookupError extends Error {
  override readonly name = "SessionLookupError";
}

const ROLLOUT_NAME = /^rollout-.+-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(?:jsonl(?:\.zst)?|json)$/i;
const MIN_PREFIX = 8;

export function sessionIdFromPath(path: string): string | undefined {
  const name = path.split(/[\\/]/).pop() ?? "";
  return ROLLOUT_NAME.exec(name)?.[1]?.toLowerCase();
}

/** `idPrefix` (hex and dashes only) narrows the search to files whose name holds it: fewer files to stat. */
export async function listRolloutFiles(home: string, options: { includeArchived: boolean; idPrefix?: string }): Promise<RolloutFile[]> {
  const name = options.idPrefix !== undefined && /^[0-9a-f-]+$/.test(options.idPrefix) ? `rollout-*${options.idPrefix}*` : "rollout-*";
  // `.jsonl.zst`: cold files Codex compressed (feature local_thread_store_compression, 0.140+)
  const patterns = [`sessions/**/${name}.jsonl`, `sessions/**/${name}.jsonl.zst`, `sessions/${name}.json`];
  if (options.includeArchived) patterns.push(`archived_sessions/${name}.jsonl`, `archived_sessions/${name}.jsonl.zst`);
  let entries: Entry[];
  try {
    const { default: fg } = await import("fast-glob");
    entries = await fg(patterns, { cwd: home, stats: true, onlyFiles: true, followSymbolicLinks: false, suppressErrors: true });
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

/**
 * A full UUID, a unique prefix of 8+ characters, `last`, or an absolute path to a rollout inside
 * CODEX_HOME. Every miss is a SessionLookupError whose message names the fix.
 */
export async function resolveSession(home: string, ref: string): Promise<RolloutFile> {
  const wanted = ref.trim();
  if (wanted === "") throw new SessionLookupError("session_id is empty: pass a session UUID, a unique prefix of 8+ characters, `last`, or a rollout path.");
  if (isAbsolute(wanted)) return resolvePath(home, wanted);

  const lower = wanted.toLowerCase();
  const narrow = lower !== "last" && /^[0-9a-f-]+$/.test(lower) && lower.length >= MIN_PREFIX;
  const files = await listRolloutFiles(home, { includeArchived: true, ...(narrow && { idPrefix: lower }) });
  if (lower === "last") {
    const newest = files.find((file) => !file.archived);
    if (!newest) throw new SessionLookupError(`no sessions in CODEX_HOME (${home}): run Codex once, or point CODEX_HOME at the home that holds its sessions.`);
    return newest;
  }
  if (!/^[0-9a-f-]+$/i.test(wanted)) {
    throw new SessionLookupError(
      `"${clip(wanted)}" is not a session id: pass a session UUID, a unique prefix of ${MIN_PREFIX}+ characters, \`last\`, or an absolute rollout path. ${newestHint(files)}`,
    );
  }
  if (wanted.length < MIN_PREFIX) {
    throw new SessionLookupError(`session id prefix "${wanted}" is too short: give at least ${MIN_PREFIX} characters. ${newestHint(files)}`);
  }
  const matches = files.filter((file) => file.id.startsWith(lower));
  const ids = [...new Set(matches.map((file) => file.id))];
  if (ids.length === 0) {
    const newest = await listRolloutFiles(home, { includeArchived: false });
    throw new SessionLookupError(`no session "${wanted}" in CODEX_HOME (${home}). ${newestHint(newest)}`);
  }
  if (ids.length > 1) {
    const shown = ids.slice(0, 10).join(", ");
    throw new SessionLookupError(
      `session id prefix "${wanted}" is ambiguous: it matches ${ids.length} sessions (${shown}${ids.length > 10 ? ", …" : ""}). Give more characters.`,
    );
  }
  // the same id in sessions/ and archived_sessions/: the live one
  return matches.find((file) => !file.archived) ?? (matches[0] as RolloutFile);
}

async function resolvePath(home: string, path: string): Promise<RolloutFile> {
  let real: string;
  let realHome: string;
  try {
    realHome = await realpath(home);
  } catch {
    throw new SessionLookupError(`CODEX_HOME (${home}) does not exist: set CODEX_HOME to the folder that holds Codex's sessions.`);
  }
  try {
    real = await realpath(path);
  } catch {
    throw new SessionLookupError(`no file at ${clip(path)}: pass an existing rollout path inside CODEX_HOME (${home}), or a session id.`);
  }
  const inside = relative(realHome, real);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) {
    throw new SessionLookupError(`${clip(path)} is outside CODEX_HOME (${home}): only rollouts inside CODEX_HOME are read. Pass a session id instead.`);
  }
  const info = await stat(real);
  const id = sessionIdFromPath(real);
  if (!info.isFile() || !id) {
    throw new SessionLookupError(`${clip(path)} is not a rollout file (rollout-<time>-<uuid>.jsonl): pass a rollout path or a session id.`);
  }
  return { id, path: real, archived: inside.startsWith(`archived_sessions${sep}`), mtimeMs: info.mtimeMs, size: info.size };
}

function newestHint(files: RolloutFile[]): string {
  const newest = files.filter((file) => !file.archived).slice(0, 3);
  if (newest.length === 0) return "CODEX_HOME holds no sessions.";
  return `The ${newest.length} newest: ${newest.map((file) => file.id).join(", ")}.`;
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
