// A JSONL rollout read from its end towards its start, a line at a time (for the tail of a long log: its last
// turn, its last calls), in chunks of BACKWARD_CHUNK bytes, within the same READ_LIMITS as a forward read.
import { BACKWARD_CHUNK, READ_LIMITS } from "./rollout-lines.js";
import { openRollout } from "./rollout-open.js";

const EMPTY = Buffer.alloc(0);

/**
 * Lines before byte `end` (default: the file's size), from the last to the first, as bytes with their offset;
 * a line longer than READ_LIMITS.lineBytes as `overlong`, without its bytes.
 */
export async function* jsonlBackward(
  path: string,
  end?: number,
): AsyncGenerator<{ bytes: Buffer; start: number; overlong?: boolean }> {
  const { handle, size } = await openRollout(path);
  try {
    let position = end ?? size;
    // pieces of the line being assembled, in file order, and their length
    let pieces: Array<Buffer<ArrayBufferLike>> = [];
    let piecesBytes = 0;
    let overlong = false;
    // bytes of overlong lines passed over: past READ_LIMITS.skippedBytes, what is before them is not read
    let dropped = 0;
    while (position > 0) {
      const length = Math.min(BACKWARD_CHUNK, position);
      position -= length;
      const chunk = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(chunk, 0, length, position);
      if (bytesRead < length) throw new Error(`${path} shrank while it was read`);
      let stop = length;
      for (
        let newline = chunk.lastIndexOf(10, stop - 1);
        newline !== -1;
        newline = stop > 0 ? chunk.lastIndexOf(10, stop - 1) : -1
      ) {
        const start = position + newline + 1;
        if (overlong || piecesBytes + stop - newline - 1 > READ_LIMITS.lineBytes) {
          dropped += stop - newline - 1;
          yield { bytes: EMPTY, start, overlong: true };
        } else {
          const line: Buffer<ArrayBufferLike> =
            pieces.length > 0
              ? Buffer.concat([chunk.subarray(newline + 1, stop), ...pieces])
              : chunk.subarray(newline + 1, stop);
          if (line.length > 0) yield { bytes: line, start };
        }
        pieces = [];
        piecesBytes = 0;
        overlong = false;
        stop = newline;
      }
      if (stop > 0 && !overlong) {
        pieces.unshift(chunk.subarray(0, stop));
        piecesBytes += stop;
        if (piecesBytes > READ_LIMITS.lineBytes) {
          overlong = true;
          dropped += piecesBytes;
          pieces = [];
        }
      } else if (overlong) dropped += stop;
      if (overlong && dropped > READ_LIMITS.skippedBytes && position > 0) {
        // the line reaches further back than the budget: it and everything before it count as one skipped line
        yield { bytes: EMPTY, start: 0, overlong: true };
        return;
      }
    }
    if (overlong) yield { bytes: EMPTY, start: 0, overlong: true };
    else {
      const first = Buffer.concat(pieces);
      if (first.length > 0) yield { bytes: first, start: 0 };
    }
  } finally {
    await handle.close();
  }
}
