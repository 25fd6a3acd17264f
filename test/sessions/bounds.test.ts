// Bounds on reading (docs/security.md): a line too long, a zstd bomb, JSON nested too deep. Each attack is
// read by the real reader in a process of its own (test/support/read-probe.ts) whose peak memory is
// measured, beside a tiny session read the same way (the baseline) and a control with the bound raised
// that shows what the bound prevents. Margins are generous: the point is "bounded", never a speed.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventsBackward, newReadStats, READ_LIMITS, readForward } from "../../src/sessions/rollout-reader.js";
import { scanTurns } from "../../src/sessions/turn-scan.js";
import { JSON_LIMITS } from "../../src/shared/json.js";
import { connect, type Connected } from "../support/mcp.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MB = 1024 * 1024;
let home: string;
let day: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "ccm-bounds-"));
  day = join(home, "sessions", "2026", "01", "28");
  await mkdir(day, { recursive: true });
});

function idOf(n: number): string {
  return `0199a1b2-0000-7000-8000-${String(n).padStart(12, "0")}`;
}

function fileOf(n: number, suffix = ".jsonl"): string {
  return join(day, `rollout-2026-01-28T10-00-00-${idOf(n)}${suffix}`);
}

const at = "2026-01-28T10:00:00.000Z";
function head(id: string): string {
  return [
    JSON.stringify({
      timestamp: at,
      type: "session_meta",
      payload: { id, timestamp: at, cwd: "/w", cli_version: "0.169.0" },
    }),
    JSON.stringify({
      timestamp: at,
      type: "response_item",
      payload: { type: "function_call", name: "shell", call_id: "c1", arguments: '{"command":["ls"]}' },
    }),
    "",
  ].join("\n");
}

interface ProbeOutput {
  peakMb: number;
  error?: string;
  result?: Record<string, unknown>;
}

async function probe(
  id: string,
  what: "calls" | "usage" | "summary" | "list" | "read",
  limits: Record<string, number> = {},
  path?: string,
): Promise<ProbeOutput> {
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const { stdout } = await promisify(execFile)(
    tsx,
    [join(root, "test", "support", "read-probe.ts"), JSON.stringify({ home, id, what, limits, path })],
    { cwd: root, maxBuffer: MB, timeout: 120_000 },
  );
  return JSON.parse(stdout) as ProbeOutput;
}

let baselineMb = 0;

describe("bounds on reading", () => {
  beforeAll(async () => {
    await writeFile(fileOf(1), head(idOf(1)));
    baselineMb = (await probe(idOf(1), "summary")).peakMb;
  });

  it("a 520 MB line without a newline is passed over unbuffered and counted as skipped", async () => {
    const path = fileOf(2);
    await writeFile(
      path,
      `${head(idOf(2))}{"timestamp":"${at}","type":"event_msg","payload":{"type":"agent_message","message":"`,
    );
    await truncate(path, 520 * MB); // sparse: the rest of the line reads as zero bytes, no newline
    for (const what of ["summary", "calls", "usage"] as const) {
      const bounded = await probe(idOf(2), what);
      expect([what, bounded.error]).toEqual([what, undefined]);
      expect([what, bounded.peakMb - baselineMb]).toEqual([what, expect.toSatisfy((mb: number) => mb < 160)]);
    }
    expect((await probe(idOf(2), "summary")).result).toMatchObject({ skipped_lines: 1, counts: { function_calls: 1 } });
    expect((await probe(idOf(2), "calls")).result).toMatchObject({ calls: ["shell"] });
    // control: without the cap the line is buffered whole (and cannot even become a string)
    const unbounded = await probe(idOf(2), "summary", { lineBytes: 2 ** 40 });
    expect(unbounded.peakMb - baselineMb).toBeGreaterThan(500);
  }, 240_000);

  it("an 18 KB .zst that inflates to 512 MB is not inflated", async () => {
    // one single-segment frame declaring 512 MB of content (its window), 4096 RLE blocks of 128 KB of "a"
    const blocks = 4096;
    const frame = Buffer.alloc(4 + 1 + 4 + blocks * 4);
    frame.writeUInt32LE(0xfd2fb528, 0);
    frame[4] = 0xa0; // 4-byte content size, single segment
    frame.writeUInt32LE(512 * MB, 5);
    for (let i = 0; i < blocks; i++) {
      const last = i === blocks - 1 ? 1 : 0;
      frame.writeUIntLE(last | (1 << 1) | ((128 * 1024) << 3), 9 + i * 4, 3);
      frame[9 + i * 4 + 3] = 0x61;
    }
    expect(frame.length).toBeLessThan(18 * 1024);
    await writeFile(fileOf(3, ".jsonl.zst"), frame);
    for (const what of ["list", "summary"] as const) {
      const bounded = await probe(idOf(3), what);
      expect([what, bounded.error]).toEqual([what, undefined]);
      expect([what, bounded.peakMb - baselineMb]).toEqual([what, expect.toSatisfy((mb: number) => mb < 100)]);
    }
    // control: with the window allowed, a few blocks of it (decompressed size capped at 1 MB) take its 512 MB
    const unbounded = await probe(idOf(3), "summary", { zstdWindowBytes: 2 ** 40, zstdFloorBytes: MB, zstdRatio: 1 });
    expect(unbounded.peakMb - baselineMb).toBeGreaterThan(400);
  }, 240_000);

  it("a later frame's window is checked too (a small first frame, then the 512 MB one)", async () => {
    const first = Buffer.alloc(11);
    first.writeUInt32LE(0xfd2fb528, 0);
    first[5] = 10 << 3; // window 2^20, one last raw block of 2 bytes
    first.writeUIntLE(1 | (2 << 3), 6, 3);
    first.write("x\n", 9);
    const blocks = 4096;
    const bomb = Buffer.alloc(9 + blocks * 4);
    bomb.writeUInt32LE(0xfd2fb528, 0);
    bomb[4] = 0xa0;
    bomb.writeUInt32LE(512 * MB, 5);
    for (let i = 0; i < blocks; i++) {
      bomb.writeUIntLE((i === blocks - 1 ? 1 : 0) | (1 << 1) | ((128 * 1024) << 3), 9 + i * 4, 3);
      bomb[9 + i * 4 + 3] = 0x61;
    }
    const path = fileOf(8, ".jsonl.zst");
    await writeFile(path, Buffer.concat([first, bomb]));
    const bounded = await probe(idOf(8), "read", {}, path);
    expect(bounded.result).toEqual({ lines: 1, skipped: 1, badFieldLines: 0, unknownLines: 0 });
    expect(bounded.peakMb - baselineMb).toBeLessThan(100);
    const unbounded = await probe(
      idOf(8),
      "read",
      { zstdWindowBytes: 2 ** 40, zstdFloorBytes: MB, zstdRatio: 1 },
      path,
    );
    expect(unbounded.peakMb - baselineMb).toBeGreaterThan(400);
  }, 120_000);

  it("decompressed size is capped by ratio: the lines past the cap are not read", async () => {
    // a 1 MB window, no content size, 64 RLE blocks of 128 KB of newlines: 8 MB of blank lines
    const blocks = 64;
    const frame = Buffer.alloc(4 + 2 + blocks * 4);
    frame.writeUInt32LE(0xfd2fb528, 0);
    frame[4] = 0x00;
    frame[5] = 10 << 3; // window 2^20
    for (let i = 0; i < blocks; i++) {
      frame.writeUIntLE((i === blocks - 1 ? 1 : 0) | (1 << 1) | ((128 * 1024) << 3), 6 + i * 4, 3);
      frame[6 + i * 4 + 3] = 0x0a;
    }
    await writeFile(fileOf(4, ".jsonl.zst"), frame);
    const capped = await probe(idOf(4), "read", { zstdFloorBytes: 2 * MB, zstdRatio: 1 }, fileOf(4, ".jsonl.zst"));
    expect(capped.result).toEqual({ lines: 2 * MB, skipped: 0, badFieldLines: 0, unknownLines: 0 });
    // control: with the default bounds (64 MB at least) all 8 MB are read
    const whole = await probe(idOf(4), "read", {}, fileOf(4, ".jsonl.zst"));
    expect(whole.result).toEqual({ lines: 8 * MB, skipped: 0, badFieldLines: 0, unknownLines: 0 });
  }, 120_000);
});

describe("the line cap, forwards, backwards and in the turn scan", () => {
  it("a line over the cap is one skipped line, and the lines around it are read", async () => {
    const call = (n: number) =>
      JSON.stringify({
        timestamp: at,
        type: "response_item",
        payload: { type: "function_call", name: `f${n}`, call_id: `c${n}`, arguments: "{}" },
      });
    const long = `{"timestamp":"${at}","type":"event_msg","payload":{"type":"agent_message","message":"${"x".repeat(300_000)}"}}`;
    const path = fileOf(7);
    await writeFile(path, [head(idOf(7)).trimEnd(), call(2), long, call(3), long, call(4)].join("\n"));
    const lineBytes = READ_LIMITS.lineBytes;
    READ_LIMITS.lineBytes = 100_000;
    try {
      const stats = newReadStats();
      const names: string[] = [];
      await readForward(path, stats, (event) => void (event.kind === "call" && names.push(event.name)));
      expect([names, stats]).toEqual([
        ["shell", "f2", "f3", "f4"],
        { lines: 7, skipped: 2, badFieldLines: 0, unknownLines: 0 },
      ]);
      const backward: string[] = [];
      const backStats = newReadStats();
      for await (const { events } of eventsBackward(path, backStats))
        for (const event of events) if (event.kind === "call") backward.push(event.name);
      expect([backward, backStats.skipped]).toEqual([["f4", "f3", "f2", "shell"], 2]);
      expect((await scanTurns(path))?.size).toBe((await import("node:fs/promises").then((fs) => fs.stat(path))).size);
      // an unterminated long last line is a torn tail for an incremental fold: not read, not counted
      await writeFile(path, [head(idOf(7)).trimEnd(), call(2), long].join("\n"));
      const torn = newReadStats();
      const end = await readForward(path, torn, () => undefined, { retryTornTail: true });
      expect([end.tornTail, torn.lines, torn.skipped]).toEqual([true, 3, 0]);
      // control: with the cap above the line, the long lines are read (the agent messages are events)
      READ_LIMITS.lineBytes = 1_000_000;
      const read = newReadStats();
      await writeFile(path, [head(idOf(7)).trimEnd(), call(2), long, call(3)].join("\n"));
      await readForward(path, read, () => undefined);
      expect(read.skipped).toBe(0);
    } finally {
      READ_LIMITS.lineBytes = lineBytes;
    }
  });
});

describe("JSON nested 200,000 deep", () => {
  let mcp: Connected;
  beforeAll(async () => {
    mcp = await connect({ codexHome: home });
  });
  afterAll(async () => mcp.close());

  it("call arguments nested 200,000 deep: last_function_calls answers, the arguments kept as text", async () => {
    const id = idOf(5);
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    const call = JSON.stringify({
      timestamp: at,
      type: "response_item",
      payload: { type: "function_call", name: "deep", call_id: "c2", arguments: deep },
    });
    await writeFile(fileOf(5), `${head(id)}${call}\n`);
    const result = await mcp.call("last_function_calls", { session_id: id });
    expect(result.isError ?? false).toBe(false);
    const calls = (result.structuredContent as { calls: Array<{ name: string; arguments: unknown }> }).calls;
    expect(calls.map((c) => [c.name, typeof c.arguments === "string" ? c.arguments.length : c.arguments])).toEqual([
      ["shell", { command: ["ls"] }],
      ["deep", 400_000],
    ]);
    // control: without the bound the same call overflows the stack
    const depth = JSON_LIMITS.depth;
    JSON_LIMITS.depth = Number.POSITIVE_INFINITY;
    try {
      await writeFile(fileOf(6), `${head(idOf(6))}${call}\n`);
      expect((await mcp.call("last_function_calls", { session_id: idOf(6) })).isError).toBe(true);
    } finally {
      JSON_LIMITS.depth = depth;
    }
  });
});
