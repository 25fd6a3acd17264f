// Whole lines from the start or the end of a file, reading a bounded number of bytes.
import { open } from "node:fs/promises";

export interface ChunkLines {
  lines: string[];
  /** The chunk covered the whole file. */
  whole: boolean;
}

export async function headLines(path: string, maxBytes: number): Promise<ChunkLines> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    const whole = bytesRead >= size;
    const lines = buffer.subarray(0, bytesRead).toString("utf8").split("\n");
    // the last piece of a partial read is a cut line
    if (!whole) lines.pop();
    return { lines: lines.filter((line) => line.trim() !== ""), whole };
  } finally {
    await handle.close();
  }
}

export async function tailLines(path: string, maxBytes: number): Promise<ChunkLines> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, size - length);
    const whole = length >= size;
    const lines = buffer.subarray(0, bytesRead).toString("utf8").split("\n");
    if (!whole) lines.shift();
    return { lines: lines.filter((line) => line.trim() !== ""), whole };
  } finally {
    await handle.close();
  }
}
