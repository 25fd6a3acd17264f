// Which sessions a Codex process is writing right now, as Codex itself tells: a process that writes a thread
// holds an exclusive flock on CODEX_HOME/thread-writer-locks/<thread id>.lock for as long as it writes it (seen
// in 0.171: taken at the thread's start, released when the process ends, even killed; the empty file stays).
// Node cannot test a flock, but Linux lists every held lock in /proc/locks (device and inode, no path), so a
// session whose lock file's inode is held there is live: run from another terminal, a CI job, another server.
// Elsewhere (no /proc/locks) nothing is known this way, and an unfinished log stays "interrupted" unless a run
// of this state dir runs it.
import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A thread id as Codex writes them: a file name, never a path. */
const THREAD_ID = /^[0-9A-Za-z][0-9A-Za-z-]{0,99}$/;
/** /proc/locks is a few lines a lock: a machine with more than this many is not read whole. */
const MAX_LOCKS_BYTES = 4 * 1024 * 1024;

/** `held(id)`: a Codex process holds the writer lock of thread `id` in `home` now. Reads /proc/locks once, when first asked. */
export function codexWriters(home: string, locksPath = "/proc/locks"): (sessionId: string) => boolean {
  let held: Set<string> | undefined;
  return (sessionId) => {
    if (!THREAD_ID.test(sessionId)) return false;
    held ??= exclusiveFlocks(locksPath);
    if (held.size === 0) return false;
    // lstat: a link in place of the lock file is not Codex's
    const info = lstatSync(join(home, "thread-writer-locks", `${sessionId}.lock`), {
      bigint: true,
      throwIfNoEntry: false,
    });
    return info !== undefined && info.isFile() && held.has(fileKey(info.dev, info.ino));
  };
}

/** The files an exclusive flock is held on, as `<st_dev>:<inode>`; none when the list cannot be read. */
function exclusiveFlocks(locksPath: string): Set<string> {
  const held = new Set<string>();
  let text: string;
  try {
    const buffer = readFileSync(locksPath);
    if (buffer.length > MAX_LOCKS_BYTES) return held;
    text = buffer.toString("utf8");
  } catch {
    return held;
  }
  // "3: FLOCK  ADVISORY  WRITE 18012 fe:00:2700642 0 EOF" (a waiting lock is "3: -> FLOCK …": not held)
  for (const line of text.split("\n")) {
    const found = /^\d+:\s+FLOCK\s+\S+\s+WRITE\s+\d+\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line);
    if (!found) continue;
    const [, major, minor, inode] = found as unknown as [string, string, string, string];
    held.add(fileKey(deviceOf(BigInt(`0x${major}`), BigInt(`0x${minor}`)), BigInt(inode)));
  }
  return held;
}

/** The st_dev glibc makes of a major and minor number (makedev), as stat reports it. */
function deviceOf(major: bigint, minor: bigint): bigint {
  return (minor & 0xffn) | ((major & 0xfffn) << 8n) | ((minor & ~0xffn) << 12n) | ((major & ~0xfffn) << 32n);
}

function fileKey(device: bigint, inode: bigint): string {
  return `${device}:${inode}`;
}
