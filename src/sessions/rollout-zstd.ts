// `.jsonl.zst` rollouts (cold storage since 0.140), decoded as they stream (Node 20 has no zstd of its own;
// fzstd is pure JavaScript), within READ_LIMITS: a frame whose window is over the bound is not decoded, and
// decoding stops at the decompressed-size cap.
import { Decompress } from "fzstd";
import type { SessionEvent } from "./events.js";
import { CHUNK, READ_LIMITS, type ForwardEnd, type LineSink } from "./rollout-lines.js";
import { openRollout } from "./rollout-open.js";
import { ZstdFrameWalker } from "./rollout-zstd-frames.js";
import { log } from "../shared/log.js";

/**
 * The first or last `maxBytes` of a `.zst`'s decompressed bytes: the head stops decoding there, the tail keeps
 * only the newest blocks as it decodes, so memory stays bounded whatever the file inflates to.
 */
export async function zstdEdge(
  path: string,
  end: "head" | "tail",
  maxBytes: number,
): Promise<{ buffer: Buffer; whole: boolean }> {
  const state = { cut: false };
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  for await (const bytes of zstdBytes(path, state)) {
    total += bytes.length;
    kept.push(bytes);
    keptBytes += bytes.length;
    if (end === "head" && keptBytes > maxBytes) break;
    while (end === "tail" && kept.length > 1 && keptBytes - (kept[0]?.length ?? 0) >= maxBytes)
      keptBytes -= kept.shift()?.length ?? 0;
  }
  const buffer = Buffer.concat(kept);
  const whole = !state.cut && total <= maxBytes;
  return {
    buffer: end === "head" ? buffer.subarray(0, maxBytes) : buffer.subarray(Math.max(0, buffer.length - maxBytes)),
    whole,
  };
}

/**
 * Decompressed as it streams (Node 20 has no zstd of its own; fzstd is pure JavaScript). A file that is
 * not valid zstd ends the lines early: what was decoded is kept. A last line without newline is read too.
 * Bounded (READ_LIMITS): a frame whose window is too large is not decoded, decoding stops at the
 * decompressed-size cap (the line it cuts is counted as skipped), and an overlong line is dropped as it comes.
 */
export async function* zstdForward(path: string, sink: LineSink, progress: ForwardEnd): AsyncGenerator<SessionEvent[]> {
  const state: { cut: boolean; size?: number } = { cut: false };
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overlong = false;
  for await (const bytes of zstdBytes(path, state)) {
    let from = 0;
    for (let newline = bytes.indexOf(10); newline !== -1; newline = bytes.indexOf(10, from)) {
      if (overlong || pendingBytes + newline - from > READ_LIMITS.lineBytes) sink.overlong();
      else if (pending.length > 0) {
        const line = Buffer.concat([...pending, bytes.subarray(from, newline)]);
        sink.line(line, 0, line.length);
      } else sink.line(bytes, from, newline);
      pending = [];
      pendingBytes = 0;
      overlong = false;
      from = newline + 1;
    }
    if (from < bytes.length && !overlong) {
      pending.push(bytes.subarray(from));
      pendingBytes += bytes.length - from;
      if (pendingBytes > READ_LIMITS.lineBytes) {
        overlong = true;
        pending = [];
      }
    }
    yield sink.take();
  }
  progress.end = state.size ?? 0;
  if (overlong || (state.cut && pendingBytes > 0)) sink.overlong();
  else {
    const last = Buffer.concat(pending);
    if (last.toString("utf8").trim() !== "") sink.line(last, 0, last.length);
  }
  yield sink.take();
}

/**
 * A `.zst`'s decompressed bytes in order, decoded as the file streams, within READ_LIMITS: a frame whose window
 * is over the bound is not decoded, and decoding stops at the size cap (`state.cut`). A file that is torn or
 * not zstd at all ends early: what was decoded stands.
 */
async function* zstdBytes(path: string, state: { cut: boolean; size?: number }): AsyncGenerator<Buffer> {
  // the open file's size (a stat of the path before the open would follow a link put there), and no byte past
  // it is read: a file that grows while it is read (skippable frames appended without end decode to nothing,
  // so the decompressed cap never comes) is read as it was opened
  let opened: Awaited<ReturnType<typeof openRollout>>;
  try {
    opened = await openRollout(path);
  } catch (error) {
    // a link or a FIFO in a log's place reads as nothing, at once; a log that is gone is an error, as before
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP" || code === "ENOTREG") return;
    throw error;
  }
  const { handle, size } = opened;
  state.size = size;
  const allowed = Math.max(READ_LIMITS.zstdFloorBytes, READ_LIMITS.zstdRatio * size);
  let decompressed = 0;
  let out: Buffer[] = [];
  // each block comes out in an array of its own (fzstd's window keeps a copy): kept as is until yielded
  const decoder = new Decompress((chunk) => {
    decompressed += chunk.byteLength;
    if (decompressed > allowed) {
      state.cut = true;
      throw new Error("decompressed size over the bound");
    }
    out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  // every frame's header is checked before the decoder sees it: fzstd reserves the window it declares at once,
  // and anew for each frame; the frames together may reserve no more than the file may decompress to (or one
  // window at the bound, whatever the cap)
  const reservable = Math.max(allowed, READ_LIMITS.zstdWindowBytes);
  const frames = new ZstdFrameWalker(READ_LIMITS.zstdWindowBytes, reservable);
  try {
    let held: Buffer = Buffer.alloc(0);
    try {
      if (size === 0) return;
      const stream = handle.createReadStream({ start: 0, end: size - 1, highWaterMark: CHUNK, autoClose: false });
      for await (const chunk of stream) {
        const data = held.length > 0 ? Buffer.concat([held, chunk as Buffer]) : (chunk as Buffer);
        const { safe, refused } = frames.walk(data);
        if (safe > 0) decoder.push(data.subarray(0, safe));
        held = Buffer.from(data.subarray(safe));
        if (refused) {
          // named as data (JSON): a file name may hold a newline
          log("warn", "a zstd frame's window is over the bound: it is not decoded (the lines before it are read)", {
            path,
            window: refused.window,
            bound: READ_LIMITS.zstdWindowBytes,
            reserved: refused.reserved,
            reservedBound: reservable,
          });
          state.cut = true;
          held = Buffer.alloc(0);
          break; // what came before it ends at a frame's end: decoded whole below
        }
        const ready = out;
        out = [];
        yield* ready;
      }
    } finally {
      await handle.close();
    }
    if (held.length > 0) decoder.push(held);
    decoder.push(new Uint8Array(0), true);
  } catch {
    // torn, not zstd at all, or over a bound
  }
  yield* out;
}
