// Where each frame of a zstd stream begins, found as the stream goes by, so that a frame's window is checked
// before the decoder sees its header: fzstd reserves the window its header declares (up to 2 GB, from a few
// bytes) as soon as it reads the header, before the first block comes out. The walk reads only the framing
// (RFC 8878 3.1: frame headers, block headers, checksums, skippable frames), never a block's contents.

/** The longest frame header: magic, descriptor, window, 4-byte dictionary id, 8-byte content size. */
const MAX_HEADER_BYTES = 18;
const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames: 0x184D2A50 to 0x184D2A5F, then a 4-byte size, then that many bytes. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

type Expect = "frame" | "block" | "checksum";

export interface FrameWalk {
  /** Bytes of `data` the decoder may have: whole frame headers checked, block bytes, checksums. */
  safe: number;
  /**
   * A frame's window over the bound, or one that would take the windows reserved so far (`reserved`, this one
   * included) over their bound, starts at `safe`: not one byte of it may reach the decoder.
   */
  refused?: { window: number; reserved: number };
}

/**
 * Walks a zstd stream's framing, chunk by chunk. `walk(data)` takes the bytes held back last time (an
 * unfinished header, at most 18) followed by the new ones; the caller pushes `data[0, safe)` to the decoder and
 * holds the rest for the next call. Not zstd (a bad magic, a reserved block type): everything is passed on,
 * and the decoder refuses it as before.
 */
export class ZstdFrameWalker {
  private expect: Expect = "frame";
  /** Bytes of the current part (a block's contents, a skippable frame, a checksum) still to pass. */
  private passing = 0;
  private checksum = false;
  /** The framing is not zstd's: everything goes to the decoder. */
  private lost = false;
  /** The windows of the frames passed so far: the decoder reserves (and zero-fills) each one anew. */
  private reserved = 0;

  /**
   * `maxReserved`: the windows of all frames together. Each frame's window is reserved afresh: a file of
   * frames a few hundred bytes long, each declaring a window at the bound, cost 1.2 ms a frame (4.8 s a MB).
   */
  constructor(
    private readonly maxWindow: number,
    private readonly maxReserved = Number.POSITIVE_INFINITY,
  ) {}

  walk(data: Uint8Array): FrameWalk {
    if (this.lost) return { safe: data.length };
    let at = 0;
    for (;;) {
      if (this.passing > 0) {
        const passed = Math.min(this.passing, data.length - at);
        this.passing -= passed;
        at += passed;
      }
      if (at >= data.length) return { safe: at };
      const step = this.next(data, at);
      if (step === "wait") return { safe: at };
      if (step === "lost") {
        this.lost = true;
        return { safe: data.length };
      }
      if (typeof step === "object") return { safe: at, refused: step };
      at = step;
    }
  }

  /** The next part's header at `at`: where it ends, or "wait" for more bytes, "lost", or a refused window. */
  private next(data: Uint8Array, at: number): number | "wait" | "lost" | { window: number; reserved: number } {
    const left = data.length - at;
    const view = Buffer.from(data.buffer, data.byteOffset + at, left);
    switch (this.expect) {
      case "checksum":
        this.passing = 4;
        this.expect = "frame";
        return at;
      case "block": {
        if (left < 3) return "wait";
        const header = view.readUIntLE(0, 3);
        const type = (header >> 1) & 3;
        if (type === 3) return "lost";
        this.passing = type === 1 ? 1 : header >> 3; // RLE: one byte repeated; raw and compressed: their size
        if (header & 1) this.expect = this.checksum ? "checksum" : "frame";
        return at + 3;
      }
      case "frame": {
        if (left < 4) return "wait";
        const magic = view.readUInt32LE(0);
        if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
          if (left < 8) return "wait";
          this.passing = view.readUInt32LE(4);
          return at + 8;
        }
        if (magic !== ZSTD_MAGIC) return "lost";
        if (left < 5) return "wait";
        const length = frameHeaderBytes(view[4] ?? 0);
        if (left < length) return "wait";
        const window = zstdWindow(view.subarray(0, length));
        if (window === undefined) return "lost";
        const reserved = this.reserved + window;
        if (window > this.maxWindow || reserved > this.maxReserved) return { window, reserved };
        this.reserved = reserved;
        this.checksum = ((view[4] ?? 0) & 4) !== 0;
        this.expect = "block";
        return at + length;
      }
    }
  }
}

/** A frame header's length from its descriptor (RFC 8878 3.1.1.1). */
function frameHeaderBytes(descriptor: number): number {
  const singleSegment = (descriptor >> 5) & 1;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3] ?? 0;
  const sizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][descriptor >> 6] ?? 0;
  return Math.min(MAX_HEADER_BYTES, 4 + 1 + (singleSegment ? 0 : 1) + dictionaryBytes + sizeBytes);
}

/** The window a zstd frame header declares (RFC 8878 3.1.1.1), or undefined when it is not one. */
export function zstdWindow(header: Uint8Array): number | undefined {
  const bytes = Buffer.from(header.buffer, header.byteOffset, header.byteLength);
  if (bytes.length < 6 || bytes.readUInt32LE(0) !== ZSTD_MAGIC) return undefined;
  const descriptor = bytes[4] ?? 0;
  const singleSegment = (descriptor >> 5) & 1;
  if (!singleSegment) {
    const byte = bytes[5] ?? 0;
    const base = 2 ** (10 + (byte >> 3));
    return base + (base / 8) * (byte & 7);
  }
  // a single segment's window is its content size
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3] ?? 0;
  const sizeBytes = [1, 2, 4, 8][descriptor >> 6] ?? 1;
  const at = 5 + dictionaryBytes;
  if (bytes.length < at + sizeBytes) return undefined;
  if (sizeBytes === 1) return bytes[at];
  if (sizeBytes === 2) return bytes.readUInt16LE(at) + 256;
  if (sizeBytes === 4) return bytes.readUInt32LE(at);
  return Number(bytes.readBigUInt64LE(at));
}
