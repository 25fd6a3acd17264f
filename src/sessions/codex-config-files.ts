// Reading a config file Codex would read, as codex-config.ts needs it: a regular file reached without a link
// (O_NOFOLLOW; O_NONBLOCK: a FIFO in its place answers at once), at most MAX_CONFIG_BYTES, parsed again only
// when it changed.
import { constants } from "node:fs";
import { lstat, open } from "node:fs/promises";
import { parse } from "smol-toml";
import { readSmallFile } from "../shared/small-file.js";

/** A config larger than this is no hand-written config: unknown. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const CONFIG_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export type Table = Record<string, unknown>;

/** A TOML table as smol-toml parses it: an object that is neither an array nor a date (TOML dates are Dates). */
export function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
/** A file's table; "absent": no such file; "not TOML"; undefined: unknown (a link, not a regular file, too large). */
export type Read = Table | "absent" | "not TOML" | undefined;

/** The last files read, by path, file identity and change times: a 1 MiB config of dotted keys takes smol-toml over a second, and every summary question reads the config. */
const lastReads = new Map<string, { stamp: string; read: Read }>();
const MAX_REMEMBERED = 32;

export async function readToml(path: string): Promise<Read> {
  const read = await readMachineToml(path);
  return read === "unreadable" ? undefined : read;
}

/**
 * As readToml, but "unreadable" where this user may not open the file (EACCES, EPERM: another user's mode 600
 * file, a folder on the way it may not enter): 0.171 then refuses to start ("Failed to read config file …:
 * Permission denied"), where a link or a FIFO is only unknown here.
 */
export async function readMachineToml(path: string): Promise<Read | "unreadable"> {
  let text: string;
  let stamp: string;
  try {
    const handle = await open(path, CONFIG_READ);
    try {
      const info = await handle.stat({ bigint: true });
      if (!info.isFile() || info.size > BigInt(MAX_CONFIG_BYTES)) return undefined;
      stamp = [info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs].join(":");
      const last = lastReads.get(path);
      if (last?.stamp === stamp) return last.read;
      const size = Number(info.size);
      const bytes = Buffer.alloc(size);
      const { bytesRead } = await handle.read(bytes, 0, size, 0);
      text = bytes.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") return "unreadable";
    return code === "ENOENT" ? "absent" : undefined;
  }
  let read: Read;
  try {
    read = parse(text);
  } catch {
    read = "not TOML";
  }
  lastReads.delete(path);
  lastReads.set(path, { stamp, read });
  if (lastReads.size > MAX_REMEMBERED) lastReads.delete(lastReads.keys().next().value as string);
  return read;
}

/** A worktree's `.git` file: a line (a regular file of under 4,200 bytes, never read through a link). */
export function readSmall(path: string): Promise<string | undefined> {
  return readSmallFile(path, 4199, { followLinks: false });
}

export async function lstatOf(path: string) {
  try {
    return await lstat(path);
  } catch {
    return undefined;
  }
}
