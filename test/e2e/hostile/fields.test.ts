// A semantic fuzzer: real fixture lines stay valid JSON, but one field gets a value of another type or an
// impossible range (a timestamp that is not a date, an out-of-range resets_at, a string token count, an
// object where a number was). Byte-level mutations (rollouts.test.ts) almost never produce these. Every
// tool answers, nothing throws, and a dropped field is counted.
import fc from "fast-check";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_FIXTURES } from "../../support/fixtures.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";

const READ_TOOLS = ["session_summary", "last_function_calls", "token_usage"] as const;
let home: string;
let dir: string;
let mcp: Connected;
let lines: string[][];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "ccm-fuzz-fields-"));
  dir = join(home, "sessions", "2026", "02", "01");
  await mkdir(dir, { recursive: true });
  mcp = await connect(testConfig({ codexHome: home }));
  lines = await Promise.all(
    ALL_FIXTURES.map(async (entry) =>
      (await readFile(entry.path, "utf8")).split("\n").filter((line) => line.trim() !== ""),
    ),
  );
});
afterAll(async () => mcp.close());

/** Values no field of a rollout should ever hold, and a few that fit some fields but not others. */
const wrongValue = fc.oneof(
  fc.constantFrom<unknown>(
    "not a date",
    "",
    "2026-13-45T99:99:99Z",
    "+275760-09-13T00:00:00.001Z",
    -1,
    1.5,
    1e308,
    -1e308,
    2 ** 53 + 2,
    1e20,
    true,
    false,
    [],
    {},
    [1, "a", null],
    { secs: 1e308, nanos: -5 },
    { total_tokens: "12" },
    "<environment_context>",
  ),
  fc.string({ maxLength: 20 }),
  fc.double(),
  fc.integer(),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.anything({ maxDepth: 2 }), { maxKeys: 3 }),
);

/** Paths to every node below the root of a JSON value (objects and arrays alike). */
function paths(
  value: unknown,
  prefix: Array<string | number> = [],
  out: Array<Array<string | number>> = [],
): Array<Array<string | number>> {
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : typeof value === "object" && value !== null
      ? Object.entries(value)
      : [];
  for (const [key, item] of entries) {
    out.push([...prefix, key]);
    paths(item, [...prefix, key], out);
  }
  return out;
}

function replaced(value: unknown, path: Array<string | number>, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  if (Array.isArray(value))
    return value.map((item, index) => (index === head ? replaced(item, rest, replacement) : item));
  // a missing or null container is made, so the field is set wherever the line had room for it
  const record = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  return { ...record, [head]: replaced(record[head], rest, replacement) };
}

let counter = 0;
async function writeSession(content: string): Promise<string> {
  counter += 1;
  const id = `0199f1e1-0000-7000-8000-${String(counter).padStart(12, "0")}`;
  await writeFile(join(dir, `rollout-2026-02-01T10-00-00-${id}.jsonl`), content);
  return id;
}

async function answers(id: string): Promise<Record<string, Record<string, unknown>>> {
  const results: Record<string, Record<string, unknown>> = {};
  for (const tool of READ_TOOLS) {
    const result = await mcp.call(tool, { session_id: id });
    expect([tool, result.isError ?? false, textOf(result).slice(0, 300)]).toEqual([tool, false, expect.any(String)]);
    results[tool] = result.structuredContent as Record<string, unknown>;
  }
  return results;
}

describe("fields of the wrong type or range", () => {
  it("any field of any real line: every tool answers", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), wrongValue, async (fileIndex, lineIndex, pathIndex, value) => {
        const file = lines[fileIndex % lines.length] ?? [];
        const at = lineIndex % file.length;
        const parsed = JSON.parse(file[at] ?? "null") as unknown;
        const all = paths(parsed);
        const path = all[pathIndex % Math.max(1, all.length)] ?? [];
        const mutated = file.map((line, index) =>
          index === at ? JSON.stringify(replaced(parsed, path, value)) : line,
        );
        await answers(await writeSession(`${mutated.join("\n")}\n`));
      }),
      { numRuns: 150, seed: 20261129 },
    );
    const listed = await mcp.call("list_sessions", { limit: 500 });
    expect(listed.isError ?? false).toBe(false);
  }, 120_000);

  it("a token_count line with a bad timestamp, counter or resets_at: the line is counted, the rest kept", async () => {
    const withCounts = lines.filter((file) => file.some((line) => line.includes('"type":"token_count","info":{')));
    const fields = [
      ["timestamp"],
      ["payload", "info", "total_token_usage", "total_tokens"],
      ["payload", "info", "total_token_usage", "input_tokens"],
      ["payload", "rate_limits", "primary", "resets_at"],
    ];
    const bad = fc.constantFrom<unknown>(
      "not a date",
      "2026-02-30T25:00:00Z",
      -5,
      1.25,
      1e300,
      "12",
      { n: 1 },
      [3],
      true,
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(...fields), bad, async (fileIndex, path, value) => {
        const file = withCounts[fileIndex % withCounts.length] ?? [];
        const at = file.findIndex((line) => line.includes('"type":"token_count","info":{'));
        const parsed = JSON.parse(file[at] ?? "null") as Record<string, unknown>;
        // a resets_at of the right type and range is no mutation; a timestamp string Date reads is a date
        if (path[0] === "timestamp" && typeof value === "string" && Number.isFinite(Date.parse(value))) return;
        if (path.at(-1) === "resets_at" && typeof value === "number" && Math.abs(value) < 1e9) return;
        const mutated = file.map((line, index) =>
          index === at ? JSON.stringify(replaced(parsed, path, value)) : line,
        );
        const id = await writeSession(`${mutated.join("\n")}\n`);
        const results = await answers(id);
        expect([path.join("."), value, results.session_summary?.bad_field_lines]).toEqual([path.join("."), value, 1]);
        expect(results.token_usage?.bad_field_lines).toBe(1);
        expect(results.session_summary?.skipped_lines).toBe(0);
      }),
      { numRuns: 60, seed: 20261130 },
    );
  }, 120_000);

  it("the reported crash: a timestamp that is not a date and a resets_at past year 275760", async () => {
    const line = (payload: object, timestamp: unknown = "2026-02-01T10:00:01.000Z") =>
      JSON.stringify({ timestamp, type: "event_msg", payload });
    const id = await writeSession(
      [
        JSON.stringify({
          timestamp: "2026-02-01T10:00:00.000Z",
          type: "session_meta",
          payload: { id: "0199f1e1-0000-7000-8000-ffffffffffff", timestamp: "yesterday", cwd: "/w" },
        }),
        line({ type: "task_started", turn_id: "t1" }, "not a date"),
        line({ type: "user_message", message: "go" }),
        line({
          type: "token_count",
          info: { total_token_usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 } },
          rate_limits: { primary: { used_percent: 5, window_minutes: 300, resets_at: 1e15 } },
        }),
        line({ type: "task_complete", turn_id: "t1", last_agent_message: "done" }),
      ].join("\n") + "\n",
    );
    const results = await answers(id);
    expect(results.session_summary).toMatchObject({
      status: "completed",
      started_at: "2026-02-01T10:00:00.000Z",
      bad_field_lines: 3,
      tokens: { total: 15 },
    });
    expect(results.token_usage).toMatchObject({
      rate_limits: { primary: { used_percent: 5, window_minutes: 300, resets_at: null } },
    });
    const listed = await mcp.call("list_sessions", { limit: 500 });
    expect(listed.isError ?? false).toBe(false);
  });
});
