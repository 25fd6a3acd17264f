// Every read of a rollout opens it here. A log is read only as the regular file its listing found: never
// through a link (locate.ts and list.ts leave links out; one put in a log's place since is refused), never
// a FIFO's wait (a FIFO opened for reading blocks until a writer comes: a thread of libuv's pool, and the
// question, would hang with it). CODEX_HOME is written by Codex and by whatever runs as this user.
import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

const ROLLOUT_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * The rollout at `path`, open for reading, and its size when opened (the check's own fstat: readers need not
 * stat it again); throws (ELOOP, ENOENT, …) when it is not a regular file reached without a link.
 */
export async function openRollout(path: string): Promise<{ handle: FileHandle; size: number }> {
  const handle = await open(path, ROLLOUT_READ);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: "ENOTREG" });
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
