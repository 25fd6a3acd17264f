// Lines from the last to the first, each with the byte offset it starts at (read-lines.ts's readBackward
// does not say where a line is; the reader of a file's last calls needs it to number their turns).
import { open } from "node:fs/promises";

const CHUNK = 256 * 1024;

export interface PlacedLine {
  text: string;
  /** Byte offset of the line's first byte. */
  start: number;
}

/** Lines up to byte `end` (default: the whole file), newest first; blank lines left out. Stop early with `return`. */
export async function* linesBackward(path: string, end?: number): AsyncGenerator<PlacedLine> {
  const handle = await open(path, "r");
  try {
    let position = end ?? (await handle.stat()).size;
    // pieces of the line being assembled, in file order
    let pieces: Buffer[] = [];
    while (position > 0) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const chunk = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(chunk, 0, length, position);
      if (bytesRead < length) throw new Error(`${path} shrank while it was read`);
      let stop = length;
      for (let newline = chunk.lastIndexOf(10, stop - 1); newline !== -1; newline = stop > 0 ? chunk.lastIndexOf(10, stop - 1) : -1) {
        const text = Buffer.concat([chunk.subarray(newline + 1, stop), ...pieces]).toString("utf8");
        pieces = [];
        if (text.trim() !== "") yield { text, start: position + newline + 1 };
        stop = newline;
      }
      if (stop > 0) pieces.unshift(chunk.subarray(0, stop));
    }
    const first = Buffer.concat(pieces).toString("utf8");
    if (first.trim() !== "") yield { text: first, start: 0 };
  } finally {
    await handle.close();
  }
}
