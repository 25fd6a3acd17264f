// The state dir's cache files (saved folds, answers, report digests): a SHA-1 of the payload, then the payload,
// written to a temporary name and renamed, read back only from a regular file reached without a link. The
// state dir is this user's, but a link or a FIFO put there (by a sandboxed run that can reach it, say) must
// neither redirect a read nor hang it; a damaged or foreign file is simply not used: these are caches. Their
// folder (folds/, answers/, report/) is used only while it is a directory of ours that nobody else may write
// (opened without following a link and checked by its descriptor for each read, write and trim, the file then
// reached through that open folder): a link put in its place would carry the writes, and the trim that removes
// old files, to wherever it points.
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writevSync,
  type Stats,
} from "node:fs";
import { lstat, mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

const CHECKSUM_BYTES = 20;
const NO_FOLLOW_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** A temporary older than this is a writer's leftover (a crash), not a save in progress. */
const STALE_TEMPORARY_MS = 60_000;

/**
 * How a caller does its file calls: a server asynchronously (other requests go on meanwhile); a one-shot
 * command, with nothing else to do, synchronously (no round trip through libuv's thread pool per call).
 */
export type FileCalls = "async" | "sync";

/**
 * The payload of a checked file, or undefined: absent, a link, not a regular file, over `maxBytes`, or its
 * checksum does not match. Never throws.
 */
export async function readChecked(
  path: string,
  maxBytes: number,
  calls: FileCalls = "async",
): Promise<Buffer | undefined> {
  const bytes = calls === "sync" ? readRegularSync(path, maxBytes) : await readRegular(path, maxBytes);
  if (!bytes || bytes.length < CHECKSUM_BYTES) return undefined;
  const payload = bytes.subarray(CHECKSUM_BYTES);
  return checksumOf([payload]).equals(bytes.subarray(0, CHECKSUM_BYTES)) ? payload : undefined;
}

// The folder is opened once, checked by its descriptor, and the file reached through that open folder (see
// pinnedFolder): a check of the folder by its name, then an open by the name, let a link put in the folder's
// place between the two redirect the read, or the write, to wherever it pointed.

async function readRegular(path: string, maxBytes: number): Promise<Buffer | undefined> {
  const folder = await pinnedFolder(dirname(path));
  if (!folder) return undefined;
  const handle = await open(join(folder.path, basename(path)), NO_FOLLOW_READ).catch(() => undefined);
  try {
    if (!handle) return undefined;
    const info = await handle.stat();
    if (!info.isFile() || !isOurs(info) || info.size > maxBytes) return undefined;
    const bytes = Buffer.allocUnsafe(info.size);
    const { bytesRead } = await handle.read(bytes, 0, info.size, 0);
    return bytesRead === info.size ? bytes : undefined;
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
    await folder.close().catch(() => undefined);
  }
}

function readRegularSync(path: string, maxBytes: number): Buffer | undefined {
  const folder = pinnedFolderSync(dirname(path));
  if (!folder) return undefined;
  let fd: number;
  try {
    fd = openSync(join(folder.path, basename(path)), NO_FOLLOW_READ);
  } catch {
    folder.close();
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || !isOurs(info) || info.size > maxBytes) return undefined;
    const bytes = Buffer.allocUnsafe(info.size);
    return readSync(fd, bytes, 0, info.size, 0) === info.size ? bytes : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
    folder.close();
  }
}

/**
 * Writes the checksum and `parts` to `target` through a new temporary file (never an existing one, never a
 * link), renamed over it. Throws when it could not.
 */
export async function writeChecked(target: string, parts: Buffer[], calls: FileCalls = "async"): Promise<void> {
  const name = `${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const all = [checksumOf(parts), ...parts];
  const length = all.reduce((sum, part) => sum + part.length, 0);
  if (calls === "sync") {
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    const folder = pinnedFolderSync(dirname(target));
    if (!folder) throw new Error(notOurs(dirname(target)));
    const temporary = join(folder.path, name);
    try {
      const fd = openSync(temporary, NEW_FILE, 0o600);
      try {
        if (writevSync(fd, all) !== length) throw new Error("short write");
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, join(folder.path, basename(target)));
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    } finally {
      folder.close();
    }
    return;
  }
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  const folder = await pinnedFolder(dirname(target));
  if (!folder) throw new Error(notOurs(dirname(target)));
  const temporary = join(folder.path, name);
  try {
    const file = await open(temporary, NEW_FILE, 0o600);
    try {
      if ((await file.writev(all)).bytesWritten !== length) throw new Error("short write");
    } finally {
      await file.close();
    }
    await rename(temporary, join(folder.path, basename(target)));
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  } finally {
    await folder.close().catch(() => undefined);
  }
}

/** This user's (where users are known). */
function isOurs(info: Stats): boolean {
  return typeof process.getuid !== "function" || info.uid === process.getuid();
}

/** A directory itself (not a link to one), this user's, that nobody else may write. */
function isOwnFolderInfo(info: Stats | undefined): boolean {
  return info !== undefined && info.isDirectory() && isOurs(info) && (info.mode & 0o022) === 0;
}

/** Whether `dir` is, as it stands now, a cache folder this user's server may read, write and trim. */
export async function isOwnFolder(dir: string): Promise<boolean> {
  return isOwnFolderInfo(await lstat(dir).catch(() => undefined));
}

/** pinnedFolder, synchronously (a one-shot command's calls). */
function pinnedFolderSync(dir: string): { path: string; close(): void } | undefined {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  let info: Stats | undefined;
  try {
    info = fstatSync(fd);
  } catch {
    info = undefined;
  }
  if (!isOwnFolderInfo(info)) {
    closeSync(fd);
    return undefined;
  }
  const byFd = `/proc/self/fd/${fd}`;
  return { path: process.platform === "linux" && pinnable(byFd) ? byFd : dir, close: () => closeSync(fd) };
}

/** Whether /proc/self/fd/N can be used: not where there is no /proc, nor in a process refused its own (non-dumpable). */
function pinnable(byFd: string): boolean {
  try {
    return lstatSync(byFd, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

function notOurs(dir: string): string {
  return `${dir} is not a folder of this user's alone (a link, another user's, or writable by others): nothing is written there. Remove it; the server makes it again.`;
}

function checksumOf(parts: Buffer[]): Buffer {
  const hash = createHash("sha1");
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/**
 * Keeps a folder of checked files within `maxFiles` (and `maxBytes`, when given), removing the files written
 * longest ago and leftover temporaries, never `keep`. Without a byte limit, a folder under its count costs one
 * listing and no stat, so a save of a small file stays cheap.
 */
export async function keepFolderWithin(
  dir: string,
  keep: string,
  limits: { maxFiles: number; maxBytes?: number },
): Promise<void> {
  // a link put in the folder's place would have the trim remove the files of whatever it points to: the folder
  // is opened (not through a link) and checked, and, where the system can, used through that open folder
  const folder = await pinnedFolder(dir);
  if (!folder) return;
  try {
    await trim(folder.path, join(folder.path, basename(keep)), limits);
  } finally {
    await folder.close();
  }
}

/**
 * `dir` opened without following a link, if it is a folder of this user's alone; `path` names that very folder
 * while it is open (Linux: /proc/self/fd/N, which a folder put in its place later does not change; elsewhere
 * `dir` itself, checked once).
 */
export async function pinnedFolder(dir: string): Promise<{ path: string; close(): Promise<void> } | undefined> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW).catch(
    () => undefined,
  );
  if (!handle) return undefined;
  const info = await handle.stat().catch(() => undefined);
  if (!isOwnFolderInfo(info)) {
    await handle.close();
    return undefined;
  }
  const byFd = `/proc/self/fd/${handle.fd}`;
  const pinned = process.platform === "linux" && (await lstat(byFd).catch(() => undefined)) !== undefined;
  return { path: pinned ? byFd : dir, close: () => handle.close() };
}

async function trim(dir: string, keep: string, limits: { maxFiles: number; maxBytes?: number }): Promise<void> {
  const names = await readdir(dir);
  if (limits.maxBytes === undefined && names.length <= limits.maxFiles) return;
  const files = await Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      const info = await lstat(path).catch(() => undefined);
      return { path, size: info?.size ?? 0, mtimeMs: info?.mtimeMs ?? 0, temporary: name.endsWith(".tmp") };
    }),
  );
  const now = Date.now();
  for (const file of files)
    if (file.temporary && now - file.mtimeMs > STALE_TEMPORARY_MS) await rm(file.path, { force: true });
  const kept = files.filter((file) => !file.temporary).sort((a, b) => b.mtimeMs - a.mtimeMs);
  let total = 0;
  for (const [index, file] of kept.entries()) {
    total += file.size;
    const over = index >= limits.maxFiles || (limits.maxBytes !== undefined && total > limits.maxBytes);
    if (file.path !== keep && over) await rm(file.path, { force: true });
  }
}
