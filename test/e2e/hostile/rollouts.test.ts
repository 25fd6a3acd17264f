// Hostile session logs: binary, huge, invalid UTF-8, deeply nested, repetitive, and a few hundred mutations
// of the real-CLI fixtures. Every tool answers every call, and nothing is ever written to CODEX_HOME.
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_FIXTURES, copyFixtureHome } from "../../support/fixtures.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";

const READ_TOOLS = ["session_summary", "last_function_calls", "token_usage"] as const;
let home: string;
let mcp: Connected;
let dir: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "ccm-hostile-logs-"));
  dir = join(home, "sessions", "2026", "01", "28");
  await mkdir(dir, { recursive: true });
  mcp = await connect(testConfig({ codexHome: home }));
});
afterAll(async () => mcp.close());

let counter = 0;
async function writeRollout(content: string | Buffer): Promise<string> {
  counter += 1;
  const id = `0199a1b2-0000-7000-8000-${String(counter).padStart(12, "0")}`;
  await writeFile(join(dir, `rollout-2026-01-28T10-00-00-${id}.jsonl`), content);
  return id;
}

/** Every read tool answers: a result, or an explained error, never the "bug" fallback. */
async function expectAnswers(id: string): Promise<void> {
  for (const tool of READ_TOOLS) {
    const result = await mcp.call(tool, { session_id: id });
    expect([tool, textOf(result)]).not.toEqual([tool, expect.stringContaining("This is a bug")]);
    expect([tool, result.isError ?? false]).toEqual([tool, false]);
  }
}

describe("hostile rollouts", () => {
  it.each([
    ["empty", () => ""],
    ["binary", () => Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256))],
    [
      "invalid UTF-8",
      () =>
        Buffer.concat([
          Buffer.from('{"timestamp":"t","type":"event_msg","payload":{"type":"user_message","message":"'),
          Buffer.from([0xff, 0xfe, 0xc3]),
          Buffer.from('"}}\n'),
        ]),
    ],
    ["deeply nested JSON", () => `${"[".repeat(200_000)}${"]".repeat(200_000)}\n`],
    [
      "one 50 MB line",
      () =>
        `{"timestamp":"2026-01-28T10:00:00Z","type":"event_msg","payload":{"type":"agent_message","message":"${"a".repeat(50 * 1024 * 1024)}"}}\n`,
    ],
    [
      "billion-laughs style repetition",
      () =>
        `${JSON.stringify({ timestamp: "t", type: "response_item", payload: { type: "function_call", name: "shell", call_id: "c", arguments: JSON.stringify({ command: ["echo", "lol".repeat(100_000)] }) } })}\n`.repeat(
          40,
        ),
    ],
    ["only newlines and spaces", () => "\n \n\t\n\n"],
  ])("%s", async (_name, make) => {
    await expectAnswers(await writeRollout(make()));
  });

  it("a few hundred mutations of the real fixtures: truncated, spliced, flipped, duplicated", async () => {
    const random = seeded(20261123);
    const texts = await Promise.all(ALL_FIXTURES.map((entry) => readFile(entry.path)));
    let made = 0;
    for (let round = 0; round < 14; round++) {
      for (const original of texts) {
        const lines = original.toString("utf8").split("\n");
        const mutation = round % 4;
        let mutated: Buffer;
        if (mutation === 0) mutated = original.subarray(0, Math.floor(random() * original.length));
        else if (mutation === 1) {
          const other = (texts[Math.floor(random() * texts.length)] ?? original).toString("utf8").split("\n");
          const at = Math.floor(random() * lines.length);
          mutated = Buffer.from(
            [...lines.slice(0, at), ...other.slice(Math.floor(random() * other.length)), ...lines.slice(at)].join("\n"),
          );
        } else if (mutation === 2) {
          mutated = Buffer.from(original);
          for (let i = 0; i < 20; i++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
        } else {
          mutated = Buffer.from(lines.flatMap((line) => (random() < 0.3 ? [line, line] : [line])).join("\n"));
        }
        await expectAnswers(await writeRollout(mutated));
        made += 1;
      }
    }
    expect(made).toBe(14 * ALL_FIXTURES.length);
    // and the listing over all of them
    const listed = await mcp.call("list_sessions", { limit: 500 });
    expect(listed.isError).toBeFalsy();
  }, 120_000);
});

describe("nothing is written to CODEX_HOME", () => {
  it("the read tools leave the fixture home byte for byte and time for time as it was", async () => {
    const { home: fixtureHome, fixtures } = await copyFixtureHome();
    const before = await snapshot(fixtureHome);
    const reader = await connect(testConfig({ codexHome: fixtureHome }));
    try {
      await reader.call("list_sessions", { limit: 500, include_archived: true });
      for (const entry of fixtures)
        for (const tool of READ_TOOLS) await reader.call(tool, { session_id: entry.session_id });
      await reader.call("session_summary", { session_id: "last" });
    } finally {
      await reader.close();
    }
    expect(await snapshot(fixtureHome)).toEqual(before);
  });
});

async function snapshot(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const rows: string[] = [];
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    rows.push(`${relative(root, path)} ${entry.isDirectory() ? "dir" : info.size} ${info.mtimeMs}`);
  }
  return rows.sort();
}

/** A small deterministic PRNG (mulberry32), so a failing mutation can be made again. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
