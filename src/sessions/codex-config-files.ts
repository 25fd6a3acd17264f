// Reading a config file Codex would read, as codex-config.ts needs it: a regular file reached without a link
// (O_NOFOLLOW; O_NONBLOCK: a FIFO in its place answers at once; a machine file's link only along a trusted way),
// at most MAX_CONFIG_BYTES, parsed again only when it changed.
import { createHash } from "node:crypto";
import { constants, type BigIntStats } from "node:fs";
import { lstat, open } from "node:fs/promises";
import { parse, TomlError } from "smol-toml";
import { readSmallFile } from "../shared/small-file.js";
import { longKeyLine, MAX_KEY_PARTS, tableDepth } from "./codex-config-keys.js";
import { TRUSTED_OWNERS, trustedTarget } from "./codex-config-links.js";

/** A config larger than this is no hand-written config: unknown. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const CONFIG_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export type Table = Record<string, unknown>;

/** A TOML table as smol-toml parses it: an object that is neither an array nor a date (TOML dates are Dates). */
export function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
/**
 * Later layer wins per key; tables merge key by key (codex-rs merge_toml_values), anything else is replaced. Onto
 * objects without a prototype, as smol-toml makes them: a layer's `__proto__` table is a key, where assigned to a
 * plain object it became the merged table's prototype (its servers and providers seen as the config's own). A
 * loop, not a recursion: a config Codex starts with nests 6,399 tables deep (80-part keys in 80 inline tables).
 */
export function mergeTables(base: Table, over: Table): Table {
  const merged = copyOf(base);
  const todo: [Table, Table][] = [[merged, over]];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    const [into, from] = next;
    for (const [key, value] of Object.entries(from)) {
      const below = Object.hasOwn(into, key) ? into[key] : undefined;
      if (isTable(below) && isTable(value)) {
        const table = copyOf(below);
        into[key] = table;
        todo.push([table, value]);
      } else into[key] = value;
    }
  }
  return merged;
}

/** A table's own keys on an object without a prototype, where `__proto__` is a key like any other. */
function copyOf(table: Table): Table {
  const copy: Table = Object.create(null) as Table;
  for (const [key, value] of Object.entries(table)) copy[key] = value;
  return copy;
}

/** Where a text is not TOML: smol-toml's line and column (1-based, as Codex's own message counts them). */
export interface NotToml {
  line: number;
  column: number;
  /** What is wrong there, smol-toml's words, one line. */
  what: string;
}

/**
 * Codex 0.171's nesting limit (checked with the CLI: 80 nested arrays or inline tables start, 81 refuse with "cannot
 * recurse further; max recursion depth met"); smol-toml's maxDepth counts the same way.
 */
const MAX_TOML_DEPTH = 80;

/**
 * A config text as Codex reads it, by the project's one TOML reader (smol-toml): its table, or where it is not
 * TOML. Nesting deeper than Codex's own limit is not TOML either, as Codex says, nor a key of more parts than
 * it allows (codex-config-keys.ts): looked for only in a table nested that deep, which such a key makes.
 */
export function parseToml(text: string): { table: Table } | { notToml: NotToml } {
  try {
    const table = parse(text, { maxDepth: MAX_TOML_DEPTH });
    const line = tableDepth(table) > MAX_KEY_PARTS ? longKeyLine(text) : undefined;
    // Codex says "<file>:1:1: recursion limit" wherever the key is; the key's line is the one to fix
    if (line !== undefined)
      return { notToml: { line, column: 1, what: `recursion limit: a key of more than ${MAX_KEY_PARTS} parts` } };
    return { table };
  } catch (error) {
    const { line = 0, column = 0, message = "" } = error instanceof TomlError ? error : {};
    // smol-toml's first line, without its "Invalid TOML document: " prefix (a code frame follows it)
    const what = (message.split("\n")[0] ?? "").replace(/^Invalid TOML document: /, "").slice(0, 200);
    return { notToml: { line, column, what } };
  }
}

/** A file's table; "absent": no such file; "not TOML"; undefined: unknown (a link, not a regular file, too large). */
export type Read = Table | "absent" | "not TOML" | undefined;

/** The last files read, by path, file identity and change times: a 1 MiB config of dotted keys takes smol-toml over a second, and every summary question reads the config. */
const lastReads = new Map<string, { stamp: string; digest: string; read: Read }>();
const MAX_REMEMBERED = 32;
/**
 * A stamp (inode, size, mtime, ctime) no older than this does not vouch for the content: a coarse filesystem (a
 * second on ext3, HFS+ and many network mounts, two on FAT, a clock tick on kernels before 6.13) gives a file
 * rewritten in place with the same size within that time the same stamp; its bytes are compared then (git's
 * "racily clean" entries).
 */
const RACY_NS = 2_000_000_000n;

/** A file of CODEX_HOME or a project: never read through a link (unknown). */
export async function readToml(path: string): Promise<Read> {
  const read = await readRegular(path);
  return read === "unreadable" || read === "link" ? undefined : read;
}

/**
 * As readToml, but "unreadable" where this user may not open the file (EACCES, EPERM: another user's mode 600
 * file, a folder on the way it may not enter): 0.171 then refuses to start ("Failed to read config file …:
 * Permission denied"), where a FIFO is only unknown here. A link (a machine file: NixOS links /etc into
 * /nix/store) is followed only along a way `owners` (root) alone could have laid (codex-config-links.ts).
 */
export async function readMachineToml(
  path: string,
  owners: readonly number[] = TRUSTED_OWNERS,
): Promise<Read | "unreadable"> {
  const read = await readRegular(path);
  if (read !== "link") return read;
  const target = await trustedTarget(path, owners);
  if (target === "absent" || target === undefined) return target;
  const linked = await readRegular(target.path, { ...target.info, owners }, path);
  return linked === "link" ? undefined : linked;
}

/** The file's identity a linked file must still have when opened, and who may own it. */
type Expected = Pick<BigIntStats, "dev" | "ino"> & { owners: readonly number[] };

async function readRegular(path: string, expected?: Expected, key = path): Promise<Read | "unreadable" | "link"> {
  let text: string;
  let stamp: string;
  let digest: string;
  try {
    const handle = await open(path, CONFIG_READ);
    try {
      const info = await handle.stat({ bigint: true });
      if (!info.isFile() || info.size > BigInt(MAX_CONFIG_BYTES)) return undefined;
      // the file reached through a link: still the one its trusted way led to, and still no one else's to write
      if (
        expected !== undefined &&
        (info.dev !== expected.dev ||
          info.ino !== expected.ino ||
          !expected.owners.includes(Number(info.uid)) ||
          (info.mode & 0o022n) !== 0n)
      )
        return undefined;
      stamp = [path, info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs].join(":");
      const last = lastReads.get(key);
      const racy = BigInt(Date.now()) * 1_000_000n - info.ctimeNs < RACY_NS;
      if (last?.stamp === stamp && !racy) return last.read;
      const size = Number(info.size);
      const bytes = Buffer.alloc(size);
      const { bytesRead } = await handle.read(bytes, 0, size, 0);
      digest = createHash("sha256").update(bytes.subarray(0, bytesRead)).digest("base64");
      if (last?.stamp === stamp && last.digest === digest) return last.read;
      text = bytes.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") return "unreadable";
    // O_NOFOLLOW on a link
    if (code === "ELOOP") return "link";
    return code === "ENOENT" ? "absent" : undefined;
  }
  const parsed = parseToml(text);
  const read: Read = "table" in parsed ? parsed.table : "not TOML";
  lastReads.delete(key);
  lastReads.set(key, { stamp, digest, read });
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
