// Lines of a file: a bounded head or tail, forwards from any byte offset, or backwards from the end.
// Splitting is done on raw bytes (0x0A never occurs inside a UTF-8 sequence), and a line that spans
// chunks is assembled once, when its end is found, so a multi-megabyte line is not copied per chunk.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Decompress } from "fzstd";

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
export async function readForward(path: string, start: number, onLine: (line: ForwardLine) => void): Promise<{ end: number; tail: string }> {
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
      for (let newline = buffer.indexOf(10, 0); newline !== -1 && newline < bytesRead; newline = buffer.indexOf(10, from)) {
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

/** Lines from the last to the first (a last line without a newline included). Stop early with `return`. */
export async function* readBackward(path: string): AsyncGenerator<string> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    let position = size;
    // pieces of the line being assembled, in file order
    let pieces: Buffer[] = [];
    while (position > 0) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const chunk = Buffer.allocUnsafe(length);
      await handle.read(chunk, 0, length, position);
      let end = length;
      for (let newline = chunk.lastIndexOf(10, end - 1); newline !== -1; newline = end > 0 ? chunk.lastIndexOf(10, end - 1) : -1) {
        const text = Buffer.concat([chunk.subarray(newline + 1, end), ...pieces]).toString("utf8");
        pieces = [];
        if (text.trim() !== "") yield text;
        end = newline;
      }
      if (end > 0) pieces.unshift(chunk.subarray(0, end));
    }
    const first = Buffer.concat(pieces).toString("utf8");
    if (first.trim() !== "") yield first;
  } finally {
    await handle.close();
  }
}

export interface ChunkLines {
  lines: string[];
  /** The chunk covered the whole file. */
  whole: boolean;
}

/** Whole lines from the first or the last `maxBytes` of a file; the line the cut goes through is dropped. */
export async function edgeLines(path: string, end: "head" | "tail", maxBytes: number): Promise<ChunkLines> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, end === "head" ? 0 : size - length);
    const whole = length >= size;
    const lines = buffer.subarray(0, bytesRead).toString("utf8").split("\n");
    if (!whole) {
      if (end === "head") lines.pop();
      else lines.shift();
    }
    return { lines: lines.filter((line) => line.trim() !== ""), whole };
  } finally {
    await handle.close();
  }
}

/** Compressed cold rollouts (`rollout-….jsonl.zst`, Codex's optional cold storage since 0.140). */
export function isCompressed(path: string): boolean {
  return path.endsWith(".zst");
}

/**
 * Lines of a zstd-compressed file, decompressed as it streams (Node 20 has no zstd of its own; fzstd is
 * pure JavaScript). A file that is not valid zstd ends the lines early: what was decoded is kept.
 */
export async function* zstdLines(path: string): AsyncGenerator<string> {
  const decoded: Buffer[] = [];
  const decoder = new Decompress((chunk) => {
    decoded.push(Buffer.from(chunk));
  });
  let pending: Buffer[] = [];
  const take = function* (): Generator<string> {
    for (const chunk of decoded.splice(0)) {
      let from = 0;
      for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, from)) {
        const text = Buffer.concat([...pending, chunk.subarray(from, newline)]).toString("utf8");
        pending = [];
        yield text;
        from = newline + 1;
      }
      if (from < chunk.length) pending.push(chunk.subarray(from));
    }
  };
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
      decoder.push(chunk as Buffer);
      yield* take();
    }
    decoder.push(new Uint8Array(0), true);
  } catch {
    // torn or not zstd at all: the lines decoded so far stand
  }
  yield* take();
  const last = Buffer.concat(pending).toString("utf8");
  if (last.trim() !== "") yield last;
}
