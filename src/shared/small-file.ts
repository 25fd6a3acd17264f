// A small file someone else may have put in place (CODEX_HOME's config.toml and auth.json): read only when it is
// a regular file of at most `maxBytes`. A FIFO opened for reading waits for a writer, on one of libuv's four
// threads: four run_codex calls with a FIFO at auth.json took all four, and every file call of the server (a
// list_sessions) waited with them. A link is followed (dotfile managers link config.toml), a FIFO or device
// is not waited on, and an oversized file is not read.
import { constants } from "node:fs";
import { open } from "node:fs/promises";

const READ_NOW = constants.O_RDONLY | constants.O_NONBLOCK;

/** The file's text, or undefined when it is missing, not a regular file, over `maxBytes`, or unreadable. */
export async function readSmallFile(path: string, maxBytes: number): Promise<string | undefined> {
  const handle = await open(path, READ_NOW).catch(() => undefined);
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
