// A log is read as it was when opened: never past the size the open file had, never by a size stat'ed from its
// path before the open. Before, a TypeScript CLI `.json` document was measured by a stat of its path and then
// read to its end (a file swapped or grown in between was read whole, past the 32 MiB line bound), and a
// `.jsonl.zst` was streamed to its end (a writer appending skippable frames, which decode to nothing and so
// never reach the decompressed cap, kept the read going without end). The growth is simulated: the open file
// (or the stat) reports the size the file had before its last bytes were written.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SessionEvent } from "../../src/sessions/events.js";
import { newReadStats, READ_LIMITS, readForward } from "../../src/sessions/rollout-reader.js";

/** What the simulation changes: bytes the open file's size leaves out, the size a stat of the path says. */
const grown = { bytesSinceOpen: 0, statSize: undefined as number | undefined };

vi.mock("../../src/sessions/rollout-open.js", async (original) => {
  const real = await original<typeof import("../../src/sessions/rollout-open.js")>();
  return {
    openRollout: async (path: string) => {
      const opened = await real.openRollout(path);
      return { ...opened, size: opened.size - grown.bytesSinceOpen };
    },
  };
});
vi.mock("node:fs/promises", async (original) => {
  const real = await original<typeof import("node:fs/promises")>();
  const stat = async (...args: Parameters<typeof real.stat>) => {
    const info = await real.stat(...args);
    return grown.statSize === undefined ? info : Object.assign(info, { size: grown.statSize });
  };
  return { ...real, default: { ...real, stat }, stat };
});

const lineBytes = READ_LIMITS.lineBytes;
afterEach(() => {
  grown.bytesSinceOpen = 0;
  grown.statSize = undefined;
  READ_LIMITS.lineBytes = lineBytes;
});

const meta = (id: string) =>
  JSON.stringify({ timestamp: "2026-01-28T10:00:00.000Z", type: "session_meta", payload: { id, cwd: "/tmp/x" } });

/** A zstd frame of one raw block (RFC 8878), and a skippable frame of `length` bytes. */
function rawFrame(content: Buffer): Buffer {
  const header = (content.length << 3) | 1; // last block, raw
  return Buffer.concat([
    Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]),
    content,
  ]);
}
function skippableFrame(length: number): Buffer {
  const frame = Buffer.alloc(8 + length);
  frame.writeUInt32LE(0x184d2a50, 0);
  frame.writeUInt32LE(length, 4);
  return frame;
}

async function read(path: string): Promise<{ ids: unknown[]; lines: number; skipped: number }> {
  const stats = newReadStats();
  const events: SessionEvent[] = [];
  await readForward(path, stats, (event) => events.push(event));
  return { ids: events.map((event) => (event as { id?: unknown }).id ?? event.kind), ...stats };
}

describe("a log that grows while it is read", () => {
  it("a .jsonl.zst is read only as far as it was when opened", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "ccm-grows-")), "rollout-x.jsonl.zst");
    const first = rawFrame(Buffer.from(`${meta("before")}\n`));
    const appended = Buffer.concat([skippableFrame(1000), rawFrame(Buffer.from(`${meta("after")}\n`))]);
    await writeFile(path, Buffer.concat([first, appended]));
    const whole = await read(path);
    grown.bytesSinceOpen = appended.length;
    const asOpened = await read(path);
    // control: read whole, the appended frame is there
    expect([JSON.stringify(whole.ids).includes("after"), JSON.stringify(asOpened.ids).includes("after")]).toEqual([
      true,
      false,
    ]);
    expect(JSON.stringify(asOpened.ids)).toContain("before");
  });

  it("a .json document grown past the line bound after its size was taken is not read whole", async () => {
    READ_LIMITS.lineBytes = 4096;
    const path = join(await mkdtemp(join(tmpdir(), "ccm-grows-")), "rollout-x.json");
    const document = JSON.stringify({
      session: { id: "doc", timestamp: "2025-04-20T10:00:00.000Z" },
      items: [{ type: "message", role: "user", content: [{ type: "input_text", text: "y".repeat(20_000) }] }],
    });
    await writeFile(path, document);
    // the path's stat says it was small: what the read holds is the open file's own size
    grown.statSize = 100;
    expect(await read(path)).toMatchObject({ ids: [], lines: 1, skipped: 1 });
  });
});
