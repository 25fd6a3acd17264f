// A small file someone else may have put in place (CODEX_HOME's config.toml and auth.json): read only when it is
// a regular file of at most `maxBytes`. A FIFO opened for reading waits for a writer, on one of libuv's four
// threads: four run_codex calls with a FIFO at auth.json took all four, and every file call of the server (a
// list_sessions) waited with them. A FIFO or device is not waited on, and an oversized file is not read; it is
// judged by the opened file's own fstat, not an lstat before the open, which a FIFO swapped in between
// would have blocked. A link is followed unless `followLinks` is false (dotfile managers link config.toml;
// a worktree's `.git` is read only as it is).
import { constants } from "node:fs";
import { open } from "node:fs/promises";

const READ_NOW = constants.O_RDONLY | constants.O_NONBLOCK;

/** The file's text, or undefined when it is missing, not a regular file, over `maxBytes`, or unreadable. */
export async function readSmallFile(
  path: string,
  maxBytes: number,
  { followLinks = true }: { followLinks?: boolean } = {},
): Promise<string | undefined> {
  const handle = await open(path, followLinks ? READ_NOW : READ_NOW | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > maxBytes) return undefined;
    const bytes = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(bytes, 0, info.size, 0);
    return bytes.toString("utf8", 0, bytesRead);
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}
