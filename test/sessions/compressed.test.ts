// Compressed cold rollouts (`rollout-….jsonl.zst`): listed and read like the plain file they were made from.
// The fixture is the real 0.169.0 "command" rollout compressed with `zstd -3` (what Codex's cold storage uses).
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgeEvents } from "../../src/sessions/rollout-reader.js";
import { FIXTURES, fixture } from "../support/fixtures.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";

const plain = fixture("0.169.0", "command");
let plainHome: string;
let zstHome: string;
let plainMcp: Connected;
let zstMcp: Connected;

beforeAll(async () => {
  plainHome = await mkdtemp(join(tmpdir(), "ccm-plain-"));
  zstHome = await mkdtemp(join(tmpdir(), "ccm-zst-"));
  const name = `rollout-2026-11-23T20-49-22-${plain.session_id}`;
  await mkdir(join(plainHome, "sessions", "2026", "11", "23"), { recursive: true });
  await mkdir(join(zstHome, "archived_sessions"), { recursive: true });
  await copyFile(plain.path, join(plainHome, "sessions", "2026", "11", "23", `${name}.jsonl`));
  await copyFile(
    join(FIXTURES, "shapes", "compressed-cold-rollout.jsonl.zst"),
    join(zstHome, "archived_sessions", `${name}.jsonl.zst`),
  );
  plainMcp = await connect(testConfig({ codexHome: plainHome }));
  zstMcp = await connect(testConfig({ codexHome: zstHome }));
});
afterAll(async () => {
  await plainMcp.close();
  await zstMcp.close();
});

describe("rollout-*.jsonl.zst", () => {
  it("every read tool answers as for the plain file", async () => {
    for (const tool of ["session_summary", "last_function_calls", "token_usage"]) {
      const fromPlain = (await plainMcp.call(tool, { session_id: plain.session_id })).structuredContent as Record<
        string,
        unknown
      >;
      const fromZst = (await zstMcp.call(tool, { session_id: plain.session_id })).structuredContent as Record<
        string,
        unknown
      >;
      const { path: _plainPath, last_event_at: _a, diagnosis: _d1, ...plainRest } = fromPlain;
      const { path, last_event_at: _b, diagnosis: _d2, ...zstRest } = fromZst;
      expect(path).toMatch(/archived_sessions\/rollout-.*\.jsonl\.zst$/);
      expect([tool, zstRest]).toEqual([tool, plainRest]);
    }
    const summary = (await zstMcp.call("session_summary", { session_id: plain.session_id }))
      .structuredContent as Record<string, unknown>;
    expect(summary).toMatchObject({
      status: "completed",
      counts: { turns: 1, function_calls: 1, failed_calls: 1 },
      tokens: { total: 2800 },
    });
  });

  it("list_sessions lists it (archived) with its prompt and status", async () => {
    const listed = (await zstMcp.call("list_sessions", { include_archived: true })).structuredContent as {
      sessions: Array<Record<string, unknown>>;
    };
    expect(listed.sessions).toMatchObject([
      {
        session_id: plain.session_id,
        archived: true,
        status: "completed",
        first_prompt: "please RUN:echo hi; exit 3",
        cli_version: "0.169.0",
      },
    ]);
  });

  it("a .zst file that is not zstd is read as far as it decodes: every tool answers", async () => {
    const id = "01a20a2b-0000-7000-8000-00000000dead";
    await writeFile(
      join(zstHome, "archived_sessions", `rollout-2026-11-23T20-49-22-${id}.jsonl.zst`),
      "not zstd at all\n",
    );
    for (const tool of ["session_summary", "last_function_calls", "token_usage"]) {
      const result = await zstMcp.call(tool, { session_id: id });
      expect([tool, result.isError ?? false]).toEqual([tool, false]);
    }
  });

  it("the head and tail of a .zst larger than either read are the plain file's, decoded only as far as needed", async () => {
    // a long session: the fixture's turns repeated past 1 MB, stored as zstd raw blocks (valid zstd, uncompressed)
    const lines = (await readFile(plain.path, "utf8")).trimEnd().split("\n");
    const text = `${[lines[0], ...Array.from({ length: 400 }, () => lines.slice(1)).flat()].join("\n")}\n`;
    const dir = await mkdtemp(join(tmpdir(), "ccm-zst-edge-"));
    const jsonl = join(dir, "rollout-a.jsonl");
    const zst = join(dir, "rollout-a.jsonl.zst");
    await writeFile(jsonl, text);
    await writeFile(zst, rawZstd(Buffer.from(text)));
    expect(text.length).toBeGreaterThan(1024 * 1024);
    for (const [end, bytes] of [
      ["head", 256 * 1024],
      ["tail", 128 * 1024],
    ] as const) {
      const fromPlain = await edgeEvents(jsonl, end, bytes);
      const fromZst = await edgeEvents(zst, end, bytes);
      expect([end, fromZst.whole, fromZst.events.length]).toEqual([end, false, fromPlain.events.length]);
      expect(fromZst.events).toEqual(fromPlain.events);
    }
  });
});

/** `bytes` as one zstd frame of raw (stored) blocks: valid zstd that any decoder reads back. */
function rawZstd(bytes: Buffer): Buffer {
  const BLOCK = 128 * 1024;
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 10 << 3])];
  for (let at = 0; at < bytes.length; at += BLOCK) {
    const block = bytes.subarray(at, at + BLOCK);
    const header = Buffer.alloc(3);
    header.writeUIntLE((at + BLOCK >= bytes.length ? 1 : 0) | (block.length << 3), 0, 3);
    parts.push(header, block);
  }
  return Buffer.concat(parts);
}
