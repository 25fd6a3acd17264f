// Lines of a file, as text, forwards from any byte offset: the run ledger's reader. Rollouts are read
// through src/sessions/rollout-reader.ts alone (bytes, pre-filtered, every format, both directions).
// Splitting is done on raw bytes (0x0A never occurs inside a UTF-8 sequence), and a line that spans
// chunks is assembled once, when its end is found, so a multi-megabyte line is not copied per chunk.
import { open } from "node:fs/promises";

const CHUNK = 256 * 1024;

export interface ForwardLine {
  text: string;
  /** Offset just past this line's newline. */
  next: number;
}

/**
 * Complete lines from `start` to the end of the file. A last line without a newline (a run killed
 * mid-write, or a writer between its write and its newline) is returned as `tail`, not as a line.
 */
export async function readForward(
  path: string,
  start: number,
  onLine: (line: ForwardLine) => void,
): Promise<{ end: number; tail: string }> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.allocUnsafe(CHUNK);
    let position = start;
    let pending: Buffer[] = [];
    let pendingStart = start;
    while (position < size) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - position), position);
      if (bytesRead === 0) break;
      let from = 0;
      for (
        let newline = buffer.indexOf(10, 0);
        newline !== -1 && newline < bytesRead;
        newline = buffer.indexOf(10, from)
      ) {
        const piece = buffer.subarray(from, newline);
        const text = pending.length > 0 ? Buffer.concat([...pending, piece]).toString("utf8") : piece.toString("utf8");
        pending = [];
        onLine({ text, next: position + newline + 1 });
        from = newline + 1;
        pendingStart = position + from;
      }
      if (from < bytesRead) pending.push(Buffer.from(buffer.subarray(from, bytesRead)));
      position += bytesRead;
    }
    return { end: pendingStart, tail: Buffer.concat(pending).toString("utf8") };
  } finally {
    await handle.close();
  }
}
