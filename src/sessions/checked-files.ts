// The state dir's cache files (saved folds, answers, report digests): a SHA-1 of the payload, then the payload,
// written to a temporary name and renamed, read back only from a regular file reached without a link. The
// state dir is this user's, but a link or a FIFO put there (by a sandboxed run that can reach it, say) must
// neither redirect a read nor hang it; a damaged or foreign file is simply not used: these are caches.
import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";

const CHECKSUM_BYTES = 20;
const NO_FOLLOW_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** A temporary older than this is a writer's leftover (a crash), not a save in progress. */
const STALE_TEMPORARY_MS = 60_000;

/**
 * The payload of a checked file, or undefined: absent, a link, not a regular file, over `maxBytes`, or its
 * checksum does not match. Never throws.
 */
export async function readChecked(path: string, maxBytes: number): Promise<Buffer | undefined> {
  const handle = await open(path, NO_FOLLOW_READ).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size < CHECKSUM_BYTES || info.size > maxBytes) return undefined;
    const bytes = Buffer.allocUnsafe(info.size);
    const { bytesRead } = await handle.read(bytes, 0, info.size, 0);
    if (bytesRead !== info.size) return undefined;
    const payload = bytes.subarray(CHECKSUM_BYTES);
    return checksumOf([payload]).equals(bytes.subarray(0, CHECKSUM_BYTES)) ? payload : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Writes the checksum and `parts` to `target` through a new temporary file (never an existing one, never a link). */
export async function writeChecked(target: string, parts: Buffer[]): Promise<void> {
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await mkdir(join(target, ".."), { recursive: true, mode: 0o700 });
    const file = await open(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      const all = [checksumOf(parts), ...parts];
      const { bytesWritten } = await file.writev(all);
      if (bytesWritten !== all.reduce((sum, part) => sum + part.length, 0)) throw new Error("short write");
    } finally {
      await file.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
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
