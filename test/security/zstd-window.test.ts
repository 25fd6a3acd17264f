// A zstd frame's header declares its window, and fzstd reserves that much as soon as it reads the header:
// 6 bytes of a later frame made a reader reserve 1.9 GB (the bound was checked only when the frame's first
// block came out). Every frame's header is now checked before the decoder sees it (rollout-zstd-frames.ts).
// The read runs in a process of its own (test/support/read-probe.ts) whose peak address space is measured;
// the control raises the bound and shows the reservation the check prevents.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ZstdFrameWalker } from "../../src/sessions/rollout-zstd-frames.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MB = 1024 * 1024;
const BOUND = 32 * MB;

/** A frame (window 1 MiB, no content size) of one last raw block holding `text`, with a checksum if asked. */
function smallFrame(text: string, checksum = false): Buffer {
  const body = Buffer.from(text);
  const frame = Buffer.alloc(6 + 3 + body.length + (checksum ? 4 : 0));
  frame.writeUInt32LE(0xfd2fb528, 0);
  frame[4] = checksum ? 0x04 : 0x00;
  frame[5] = 10 << 3; // window 2^20
  frame.writeUIntLE(1 | (body.length << 3), 6, 3); // last, raw
  body.copy(frame, 9);
  return frame;
}

/** A frame declaring a window of 1.875 GiB (2^30 + 7/8 of it), then one raw block of a line. */
function bombFrame(): Buffer {
  const frame = Buffer.alloc(6 + 3 + 2);
  frame.writeUInt32LE(0xfd2fb528, 0);
  frame[4] = 0x00;
  frame[5] = (20 << 3) | 7;
  frame.writeUIntLE(1 | (2 << 3), 6, 3);
  frame.write("y\n", 9);
  return frame;
}

/** A skippable frame of `bytes` bytes. */
function skippable(bytes: number): Buffer {
  const frame = Buffer.alloc(8 + bytes);
  frame.writeUInt32LE(0x184d2a53, 0);
  frame.writeUInt32LE(bytes, 4);
  return frame;
}

const LINE = JSON.stringify({
  timestamp: "2026-01-28T10:00:00.000Z",
  type: "event_msg",
  payload: { type: "user_message", message: "first" },
});
const BEFORE = [smallFrame(`${LINE}\n`), skippable(5), smallFrame("", true)];

describe("zstd frames' windows", () => {
  it("the walk stops where a frame over the bound begins, fed a byte at a time; the control walks on", () => {
    const stream = Buffer.concat([...BEFORE, bombFrame()]);
    const bombAt = stream.length - bombFrame().length;
    for (const bound of [BOUND, 2 ** 40]) {
      const walker = new ZstdFrameWalker(bound);
      let safe = 0;
      let refused: number | undefined;
      let held = Buffer.alloc(0);
      for (const byte of stream) {
        const data = Buffer.concat([held, Buffer.from([byte])]);
        const walk = walker.walk(data);
        safe += walk.safe;
        held = data.subarray(walk.safe);
        if (walk.refused) {
          refused = walk.refused.window;
          break;
        }
      }
      expect([bound, safe, refused]).toEqual(
        bound === BOUND ? [bound, bombAt, 2 ** 30 + 7 * 2 ** 27] : [bound, stream.length, undefined],
      );
    }
  });

  it("a later frame declaring 1.9 GB is never handed to the decoder: its lines before it are read", async () => {
    const home = await mkdtemp(join(tmpdir(), "ccm-zstd-window-"));
    const day = join(home, "sessions", "2026", "01", "28");
    await mkdir(day, { recursive: true });
    const id = "0199a1b2-0000-7000-8000-00000000a901";
    const path = join(day, `rollout-2026-01-28T10-00-00-${id}.jsonl.zst`);
    await writeFile(path, Buffer.concat([...BEFORE, bombFrame()]));
    const probe = async (limits: Record<string, number>) => {
      const tsx = join(root, "node_modules", ".bin", "tsx");
      const { stdout, stderr } = await promisify(execFile)(
        tsx,
        [join(root, "test", "support", "read-probe.ts"), JSON.stringify({ home, id, what: "read", limits, path })],
        { cwd: root, maxBuffer: MB, timeout: 120_000 },
      );
      return { ...(JSON.parse(stdout) as { peakVmMb: number; result: unknown }), stderr };
    };
    const bounded = await probe({});
    // (the windows together are bounded by the size cap too: raised with it)
    const unbounded = await probe({ zstdWindowBytes: 2 ** 40, zstdFloorBytes: 2 ** 40 });
    // control: allowed, the decoder reserves the window (and reads the frame's line, "y": not JSON)
    expect(unbounded.peakVmMb - bounded.peakVmMb).toBeGreaterThan(1500);
    expect(unbounded.result).toEqual({ lines: 2, skipped: 1, badFieldLines: 0, unknownLines: 0 });
    expect(bounded.result).toEqual({ lines: 1, skipped: 0, badFieldLines: 0, unknownLines: 0 });
    // the file is named (as JSON) where the frame is refused
    expect(bounded.stderr).toContain(`"path":${JSON.stringify(path)},"window":2013265920,"bound":33554432`);
  }, 240_000);

  it("frames each declaring a window at the bound are decoded only while their windows add up to the size cap", async () => {
    // fzstd reserves (and zero-fills) each frame's window anew: 1.2 ms a frame of 32 MiB, 4.8 s for each MB of
    // such frames a few hundred bytes long. Together they may reserve what the file may decompress to: 64 MiB here
    const home = await mkdtemp(join(tmpdir(), "ccm-zstd-frames-"));
    const day = join(home, "sessions", "2026", "01", "28");
    await mkdir(day, { recursive: true });
    const id = "0199a1b2-0000-7000-8000-00000000a902";
    const path = join(day, `rollout-2026-01-28T10-00-00-${id}.jsonl.zst`);
    const frame = (n: number) => {
      const body = Buffer.from(`line ${n}\n`);
      const bytes = Buffer.alloc(6 + 3 + body.length);
      bytes.writeUInt32LE(0xfd2fb528, 0);
      bytes[5] = 15 << 3; // window 2^25: 32 MiB, at the bound
      bytes.writeUIntLE(1 | (body.length << 3), 6, 3); // last, raw
      body.copy(bytes, 9);
      return bytes;
    };
    await writeFile(path, Buffer.concat(Array.from({ length: 64 }, (_, n) => frame(n))));
    const probe = async (limits: Record<string, number>) => {
      const tsx = join(root, "node_modules", ".bin", "tsx");
      const { stdout, stderr } = await promisify(execFile)(
        tsx,
        [join(root, "test", "support", "read-probe.ts"), JSON.stringify({ home, id, what: "read", limits, path })],
        { cwd: root, maxBuffer: MB, timeout: 120_000 },
      );
      return { ...(JSON.parse(stdout) as { result: unknown }), stderr };
    };
    const bounded = await probe({});
    // two frames reserve 64 MiB; the third would take them over: it and the rest are not decoded
    expect(bounded.result).toEqual({ lines: 2, skipped: 2, badFieldLines: 0, unknownLines: 0 });
    expect(bounded.stderr).toContain(
      `"window":33554432,"bound":33554432,"reserved":100663296,"reservedBound":67108864`,
    );
    // control: with a cap as large as the frames' windows, every frame is decoded
    const unbounded = await probe({ zstdFloorBytes: 64 * 32 * MB });
    expect(unbounded.result).toEqual({ lines: 64, skipped: 64, badFieldLines: 0, unknownLines: 0 });
  }, 240_000);
});
