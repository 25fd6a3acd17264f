// Forks, sub-agents, steering and prompts stored only as copies: hand-written files of the shapes real
// Codex Desktop / 0.1xx logs have (test/fixtures/shapes/, each named after what it shows).
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSession } from "../../src/sessions/index.js";
import { FIXTURES } from "../support/fixtures.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";

const SHAPES = join(FIXTURES, "shapes");
const PARENT = "0199aaaa-0000-7000-8000-000000000001";
let home: string;
let mcp: Connected;
const ids = new Map<string, string>();

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "ccm-lineage-"));
  const dir = join(home, "sessions", "2026", "01", "10");
  await mkdir(dir, { recursive: true });
  const named: Array<[string, number]> = [
    ["fork-copied-parent-history", 2],
    ["steering-message-during-turn", 3],
    ["subagent-history-by-ordinal", 4],
    ["subagent-counter-restarts", 5],
    ["prompt-only-in-response-item", 6],
  ];
  for (const [index, [name, n]] of named.entries()) {
    const id = `0199aaaa-0000-7000-8000-${String(n).padStart(12, "0")}`;
    ids.set(name, id);
    await copyFile(join(SHAPES, `${name}.jsonl`), join(dir, `rollout-2026-01-10T09-00-0${index}-${id}.jsonl`));
  }
  mcp = await connect(testConfig({ codexHome: home }));
});
afterAll(async () => mcp.close());

async function tools(name: string) {
  const session_id = ids.get(name) as string;
  const summary = (await mcp.call("session_summary", { session_id })).structuredContent as Record<string, unknown>;
  const usage = (await mcp.call("token_usage", { session_id })).structuredContent as Record<string, unknown>;
  const calls = (await mcp.call("last_function_calls", { session_id })).structuredContent as Record<string, unknown>;
  return { summary, usage, calls, full: await loadSession(home, session_id) };
}

describe("forks and sub-agents are charged only their own work", () => {
  it("a legacy fork with the parent's session_meta and history copied in: the copy is `inherited`", async () => {
    const { summary, usage, calls, full } = await tools("fork-copied-parent-history");
    expect(summary).toMatchObject({
      kind: "fork",
      parent_session_id: PARENT,
      inherited: { parent_session_id: PARENT, lines: 9, turns: 1, calls: 1, tokens: { total: 3000 } },
      counts: { turns: 1, function_calls: 0, failed_calls: 0, messages: 2 },
      turns: [{ index: 1, prompt: "child prompt", status: "completed" }],
      tokens: { input: 400, output: 0, total: 400 },
    });
    expect(usage).toMatchObject({
      total: { total: 400 },
      inherited: { parent_session_id: PARENT, tokens: { total: 3000 } },
      segments: 1,
    });
    expect(calls).toMatchObject({ total_calls: 0, calls: [] });
    expect(full.model.turns.map((turn) => turn.prompt)).toEqual(["child prompt"]);
  });

  it("a sub-agent whose history starts at subagent_history_start_ordinal: the lines before are the parent's", async () => {
    const { summary, usage, calls } = await tools("subagent-history-by-ordinal");
    expect(summary).toMatchObject({
      kind: "subagent",
      parent_session_id: PARENT,
      agent_nickname: "Ada",
      inherited: { parent_session_id: PARENT, lines: 5, turns: 1, calls: 1, tokens: { total: 5000 } },
      counts: { turns: 1, function_calls: 1, failed_calls: 1 },
      // the sub-agent's task arrives as an `agent_message` response item (0.158)
      turns: [{ index: 1, prompt: "check the tests", status: "completed", last_agent_message: "The tests fail." }],
      tokens: { total: 1200 },
      diagnosis: { category: "command_failures" },
    });
    // its counter restarted below the parent's: its own count, not a resumed segment on top
    expect(usage).toMatchObject({ total: { total: 1200 }, segments: 1 });
    expect(calls).toMatchObject({
      total_calls: 1,
      calls: [{ call_id: "call_c1", command: "npm test", exit_code: 1, status: "failed" }],
    });
  });

  it("a sub-agent whose replayed counter sits at spawn time and whose own counter restarts: 700, not 10,700", async () => {
    const { summary, usage } = await tools("subagent-counter-restarts");
    expect(summary).toMatchObject({
      kind: "subagent",
      parent_session_id: PARENT,
      inherited: { lines: 1, turns: 0, tokens: { total: 10000 } },
      counts: { turns: 1 },
    });
    expect(summary.turns).toMatchObject([{ prompt: "sub-agent task", status: "completed" }]);
    expect(usage).toMatchObject({ total: { total: 700 }, segments: 1, inherited: { tokens: { total: 10000 } } });
  });
});

describe("turns as Codex means them", () => {
  it("a message typed while a turn runs is that turn's steering message; the compaction is noted on the turn", async () => {
    const { summary, usage } = await tools("steering-message-during-turn");
    expect(summary).toMatchObject({
      kind: "session",
      parent_session_id: null,
      inherited: null,
      counts: { turns: 2, messages: 5 },
    });
    expect(summary.turns).toEqual([
      expect.objectContaining({
        index: 1,
        prompt: "fix the build",
        status: "completed",
        steering_messages: 1,
        compactions: 1,
        last_agent_message: "Built and tested.",
      }),
      expect.objectContaining({
        index: 2,
        prompt: "thanks",
        status: "completed",
        steering_messages: 0,
        compactions: 0,
      }),
    ]);
    expect(usage).toMatchObject({
      per_turn: [
        { turn: 1, total: 900 },
        { turn: 2, total: 600 },
      ],
    });
  });

  it("the text mirror's turn lines say so too (some hosts show their model only the text)", async () => {
    const result = await mcp.call("session_summary", { session_id: ids.get("steering-message-during-turn") });
    const text = (result.content as Array<{ text: string }>)[0]?.text ?? "";
    const lines = text.split("\n");
    const turns = lines.indexOf("Turns:");
    expect(lines.slice(turns + 1, turns + 3)).toEqual([
      "1. completed: prompt “fix the build” · 1 steering message · context compacted once",
      "2. completed: prompt “thanks”",
    ]);
  });

  it("a prompt stored only as a response_item (no user_message event) is the turn's prompt", async () => {
    const { summary } = await tools("prompt-only-in-response-item");
    expect(summary).toMatchObject({
      counts: { turns: 1 },
      turns: [{ index: 1, prompt: "what does this repo do?", status: "completed" }],
    });
  });

  it("list_sessions shows parent and kind", async () => {
    const listed = (await mcp.call("list_sessions", { limit: 10 })).structuredContent as {
      sessions: Array<Record<string, unknown>>;
    };
    const byId = new Map(listed.sessions.map((session) => [session.session_id, session]));
    expect(byId.get(ids.get("subagent-history-by-ordinal"))).toMatchObject({
      kind: "subagent",
      parent_session_id: PARENT,
      first_prompt: "check the tests",
    });
    expect(byId.get(ids.get("fork-copied-parent-history"))).toMatchObject({
      kind: "fork",
      parent_session_id: PARENT,
      first_prompt: "child prompt",
    });
    expect(byId.get(ids.get("steering-message-during-turn"))).toMatchObject({
      kind: "session",
      parent_session_id: null,
    });
  });
});

describe("code mode (0.145+)", () => {
  it("commands and MCP calls run inside an `exec` call are calls of their own, attached to it, and their failures count", async () => {
    const dir = join(home, "sessions", "2026", "01", "11");
    await mkdir(dir, { recursive: true });
    const id = "0199aaaa-0000-7000-8000-000000000007";
    await copyFile(
      join(SHAPES, "code-mode-exec-with-nested-calls.jsonl"),
      join(dir, `rollout-2026-01-11T09-00-00-${id}.jsonl`),
    );
    const calls = (await mcp.call("last_function_calls", { session_id: id })).structuredContent as Record<
      string,
      unknown
    >;
    expect(calls).toMatchObject({
      total_calls: 3,
      calls: [
        // the exec call's output was stored as one content item, not an array: its text is kept
        {
          call_id: "call_exec1",
          name: "exec",
          parent_call_id: null,
          status: "completed",
          output: "Script completed\nexit 2 from make check",
        },
        {
          call_id: "item_mcp1",
          name: "mcp__docs__search",
          parent_call_id: "call_exec1",
          arguments: { q: "lint" },
          output: "2 hits",
          duration_ms: 5,
          status: "completed",
        },
        {
          call_id: "item_cmd1",
          name: "exec_command",
          parent_call_id: "call_exec1",
          command: "make check",
          exit_code: 2,
          output: "lint: 3 errors\n",
          duration_ms: 250,
          status: "failed",
        },
      ],
    });
    const summary = (await mcp.call("session_summary", { session_id: id })).structuredContent as Record<
      string,
      unknown
    >;
    expect(summary).toMatchObject({
      counts: { turns: 1, function_calls: 3, failed_calls: 1 },
      diagnosis: { category: "command_failures" },
    });
  });
});

describe("a parent's children", () => {
  it("session_summary lists its forks and sub-agents with their status; a failed sub-agent is named in the diagnosis", async () => {
    const dir = join(home, "sessions", "2026", "01", "12");
    await mkdir(dir, { recursive: true });
    await copyFile(join(SHAPES, "parent-of-subagents.jsonl"), join(dir, `rollout-2026-01-10T08-59-00-${PARENT}.jsonl`));
    const failed = "0199aaaa-0000-7000-8000-000000000008";
    await copyFile(
      join(SHAPES, "subagent-failed-turn.jsonl"),
      join(dir, `rollout-2026-01-10T09-00-00-${failed}.jsonl`),
    );
    const summary = (await mcp.call("session_summary", { session_id: PARENT })).structuredContent as {
      children: Array<Record<string, unknown>>;
      diagnosis: { category: string; evidence: string[] };
    };
    const children = summary.children.map(({ session_id, kind, status, first_prompt }) => ({
      session_id,
      kind,
      status,
      first_prompt,
    }));
    expect(children.sort((a, b) => String(a.session_id).localeCompare(String(b.session_id)))).toEqual([
      {
        session_id: ids.get("fork-copied-parent-history"),
        kind: "fork",
        status: "completed",
        first_prompt: "child prompt",
      },
      {
        session_id: ids.get("subagent-history-by-ordinal"),
        kind: "subagent",
        status: "completed",
        first_prompt: "check the tests",
      },
      {
        session_id: ids.get("subagent-counter-restarts"),
        kind: "subagent",
        status: "completed",
        first_prompt: "sub-agent task",
      },
      { session_id: failed, kind: "subagent", status: "failed", first_prompt: "update the docs" },
    ]);
    expect(summary.diagnosis.category).toBe("completed");
    expect(summary.diagnosis.evidence.at(-1)).toBe(`sub-agent ${failed} ended failed: see session_summary ${failed}`);
  });

  it("finds a child whose first line is longer than the quick look at it (read in full instead)", async () => {
    const dir = join(home, "sessions", "2026", "01", "12");
    const padded = "0199aaaa-0000-7000-8000-000000000009";
    const [meta = "", ...rest] = (await readFile(join(SHAPES, "subagent-failed-turn.jsonl"), "utf8")).split("\n");
    const line = JSON.parse(meta) as { payload: Record<string, unknown> };
    // the parent's id comes after 70 KB of instructions: past the first look, so only the full description finds it
    line.payload = { base_instructions: { text: "x".repeat(70 * 1024) }, ...line.payload };
    line.payload.id = padded;
    await writeFile(
      join(dir, `rollout-2026-01-10T09-30-00-${padded}.jsonl`),
      [JSON.stringify(line), ...rest].join("\n"),
    );
    const summary = (await mcp.call("session_summary", { session_id: PARENT })).structuredContent as {
      children: Array<{ session_id: string }>;
    };
    expect(summary.children.map((child) => child.session_id)).toContain(padded);
  });
});

describe("a fork that copied its parent's counters without a marker", () => {
  it("with the parent's log in CODEX_HOME, the counters that repeat the parent's are inherited", async () => {
    const parent = "0199aaaa-0000-7000-8000-000000000009";
    const child = "0199aaaa-0000-7000-8000-00000000000a";
    const dir = join(home, "sessions", "2026", "01", "13");
    await mkdir(dir, { recursive: true });
    await copyFile(
      join(SHAPES, "fork-counters-copied-without-marker.jsonl"),
      join(dir, `rollout-2026-01-10T09-00-00-${child}.jsonl`),
    );
    // without the parent: nothing in the file says where the copy ends, the whole counter is reported
    const alone = (await mcp.call("token_usage", { session_id: child })).structuredContent as Record<string, unknown>;
    expect(alone).toMatchObject({ total: { total: 5100 }, inherited: null });
    await copyFile(
      join(SHAPES, "fork-parent-counters.jsonl"),
      join(dir, `rollout-2026-01-10T08-59-10-${parent}.jsonl`),
    );
    const usage = (await mcp.call("token_usage", { session_id: child })).structuredContent as Record<string, unknown>;
    expect(usage).toMatchObject({
      total: { total: 1100 },
      inherited: { parent_session_id: parent, tokens: { total: 4000 } },
    });
    const summary = (await mcp.call("session_summary", { session_id: child })).structuredContent as Record<
      string,
      unknown
    >;
    expect(summary).toMatchObject({
      kind: "fork",
      parent_session_id: parent,
      tokens: { total: 1100 },
      inherited: { lines: 4, tokens: { total: 4000 } },
    });
  });
});

describe("a fresh sub-agent of 0.171 (no fork_context: nothing copied, no marker)", () => {
  it("keeps its own counters even where they equal its parent's first ones (a model that answers alike)", async () => {
    // real 0.171 logs, trimmed: the parent spawned a sub-agent with only a prompt; each model response of both
    // cost 110 tokens, so the child's counters (110, 220) are the parent's first two (110, 220, 330)
    const parent = "0199aaaa-0000-7000-8000-00000000000b";
    const child = "0199aaaa-0000-7000-8000-00000000000c";
    const dir = join(home, "sessions", "2026", "12", "06");
    await mkdir(dir, { recursive: true });
    await copyFile(
      join(SHAPES, "parent-of-fresh-subagent.jsonl"),
      join(dir, `rollout-2026-12-06T00-15-02-${parent}.jsonl`),
    );
    await copyFile(
      join(SHAPES, "subagent-fresh-counters-like-parents.jsonl"),
      join(dir, `rollout-2026-12-06T00-15-03-${child}.jsonl`),
    );
    const usage = (await mcp.call("token_usage", { session_id: child })).structuredContent as Record<string, unknown>;
    expect(usage).toMatchObject({
      total: { input: 200, cached_input: 0, output: 20, reasoning_output: 4, total: 220 },
      last_turn: { turn: 1, total: 220 },
      inherited: null,
      note: null,
    });
    const summary = (await mcp.call("session_summary", { session_id: child })).structuredContent as Record<
      string,
      unknown
    >;
    expect(summary).toMatchObject({
      kind: "subagent",
      parent_session_id: parent,
      agent_nickname: "Volta",
      inherited: null,
      tokens: { total: 220 },
    });
  });
});
