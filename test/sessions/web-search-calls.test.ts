// last_function_calls did not list web searches. 0.171 writes each as a `web_search_call` response item
// (`id`, `status`, `action`; checked with the real CLI and the fake model) after a `WebSearch` item with the same
// id; older files (0.37 →) write no id. Each is now a call named `web_search` with its action and status, the
// same read from the end (the first question on a log) and from the fold; a failed search is no failed command.
// A tool search (`tool_search_call` / `tool_search_output`, 0.115+; shapes from a published 0.146 log) was left
// out too: a `tool_search` call with the names of the tools it found as its output.
import { mkdir, mkdtemp, readdir, readFile, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCalls, SessionStore } from "../../src/sessions/index.js";
import { normalizeLine } from "../../src/sessions/normalize.js";
import { currentActivity } from "../../src/sessions/diagnosis-evidence.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { pasted } from "../support/pasted.js";
import { codexEnv, makeCodexHome } from "../support/codex-home.js";
import { FIXTURE_HOME } from "../support/fixtures.js";
import { PINNED_CODEX } from "../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";
import { connect, testConfig, textOf, type Connected } from "../support/mcp.js";

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => model.close());

const searched = (callId: string, query: string, status: string) => ({
  call_id: callId,
  name: "web_search",
  arguments: { type: "search", query, queries: [query] },
  command: null,
  output: null,
  output_truncated: false,
  exit_code: null,
  duration_ms: null,
  status,
  turn: 1,
  parent_call_id: null,
});

describe("web searches in last_function_calls (real CLI 0.171)", () => {
  it("each search with its action and status, from the end and from the fold; the diagnosis counts no failed command", async () => {
    const { home, workdir } = await makeCodexHome(model.url, "websearch");
    const config = testConfig({ codexHome: home, codexBin: PINNED_CODEX, childEnv: codexEnv(home), waitMs: 120_000 });
    let id: string;
    const runner: Connected = await connect(config);
    try {
      const prompt = "WEBSEARCH:completed:rust async|failed:tokio";
      const result = await runner.call("run_codex", { cwd: workdir, skip_git_repo_check: true, prompt });
      expect(result.isError, textOf(result)).toBeFalsy();
      id = (result.structuredContent as { session_id: string }).session_id;
    } finally {
      await runner.close();
    }
    const options = { limit: 10, includeOutput: true, maxOutputChars: 1000 };
    const expected = [searched("ws_1_0", "rust async", "completed"), searched("ws_1_1", "tokio", "failed")];
    // the first question on a log: read from its end (quickFromBytes 0), then from the fold
    const first = await sessionCalls(new SessionStore(home, { quickFromBytes: 0 }), id, options);
    expect(first.total_calls).toBeNull();
    expect(first.calls.map(({ timestamp: _, ...call }) => call)).toEqual(expected);
    const folded = await sessionCalls(new SessionStore(home, { quickFromBytes: Infinity }), id, options);
    expect(folded.total_calls).toBe(2);
    expect(folded.calls).toEqual(first.calls);
    const mcp = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX }));
    try {
      expect((await mcp.call("last_function_calls", { session_id: id })).structuredContent).toMatchObject({
        calls: folded.calls,
      });
      const summary = (await mcp.call("session_summary", { session_id: id })).structuredContent as {
        diagnosis: { category: string; failed_commands: unknown[] };
      };
      // a failed search is no failed command to run again (it was "its last command failed")
      expect(summary.diagnosis.category).toBe("completed");
      expect(summary.diagnosis.failed_commands).toEqual([]);
    } finally {
      await mcp.close();
    }
  });

  it("an older search without an id (0.37 → 0.1xx): named by its line's time; a search still running has no result", () => {
    const line = (payload: Record<string, unknown>) => ({
      timestamp: "2026-02-23T11:55:12.622Z",
      type: "response_item",
      payload,
    });
    const action = { type: "search", query: "q", queries: ["q"] };
    expect(normalizeLine(line({ type: "web_search_call", status: "completed", action }), 7)).toEqual([
      {
        kind: "call",
        callId: "web_search@2026-02-23T11:55:12.622Z",
        name: "web_search",
        arguments: action,
        hosted: true,
        line: 7,
        timestamp: "2026-02-23T11:55:12.622Z",
      },
      {
        kind: "call_result",
        callId: "web_search@2026-02-23T11:55:12.622Z",
        status: "completed",
        line: 7,
        timestamp: "2026-02-23T11:55:12.622Z",
      },
    ]);
    expect(normalizeLine(line({ type: "web_search_call", status: "in_progress" }), 7)).toEqual([
      {
        kind: "call",
        callId: "web_search@2026-02-23T11:55:12.622Z",
        name: "web_search",
        arguments: null,
        hosted: true,
        line: 7,
        timestamp: "2026-02-23T11:55:12.622Z",
      },
    ]);
  });
});

describe("tool searches in last_function_calls", () => {
  it("a tool_search call with its query, paired with the tools it found, from the end and from the fold", async () => {
    const home = await realpath(await mkdtemp(join(tmpdir(), "ccm-toolsearch-")));
    const id = "019fc8be-3658-7ca3-9e29-000000000000";
    const at = (second: number) => `2026-05-12T08:00:0${second}.000Z`;
    const lines = [
      { type: "session_meta", payload: { id, cwd: "/tmp/repo", cli_version: "0.146.0", timestamp: at(0) } },
      { type: "event_msg", payload: { type: "task_started", turn_id: "t1" } },
      { type: "event_msg", payload: { type: "user_message", message: "find a tool" } },
      {
        type: "response_item",
        payload: {
          type: "tool_search_call",
          id: "ts-1",
          call_id: "call-3",
          status: "completed",
          execution: "local",
          arguments: { query: "example" },
        },
      },
      {
        type: "response_item",
        payload: {
          type: "tool_search_output",
          id: "tso-1",
          call_id: "call-3",
          status: "completed",
          execution: "local",
          tools: [
            {
              type: "function_group",
              name: "example_group",
              tools: [{ type: "function", name: "example_tool", parameters: { type: "object" } }],
            },
          ],
        },
      },
      { type: "event_msg", payload: { type: "task_complete", turn_id: "t1", last_agent_message: "ok" } },
    ];
    const folder = join(home, "sessions", "2026", "05", "12");
    await mkdir(folder, { recursive: true });
    const text = lines.map((line, i) => JSON.stringify({ timestamp: at(i), ...line })).join("\n");
    await writeFile(join(folder, `rollout-2026-05-12T08-00-00-${id}.jsonl`), `${text}\n`);
    const options = { limit: 10, includeOutput: true, maxOutputChars: 1000 };
    const expected = [
      {
        call_id: "call-3",
        name: "tool_search",
        arguments: { query: "example" },
        command: null,
        output: "example_group: example_tool",
        output_truncated: false,
        exit_code: null,
        duration_ms: null,
        status: "completed",
        timestamp: at(3),
        turn: 1,
        parent_call_id: null,
      },
    ];
    const first = await sessionCalls(new SessionStore(home, { quickFromBytes: 0 }), id, options);
    expect(first.total_calls).toBeNull();
    expect(first.calls).toEqual(expected);
    const folded = await sessionCalls(new SessionStore(home, { quickFromBytes: Infinity }), id, options);
    expect(folded.total_calls).toBe(1);
    expect(folded.calls).toEqual(expected);
  });
});

// Two searches of an older log (no id, no ordinal: 0.104) in the same millisecond were named alike
// (`web_search@<time>`): last_function_calls listed two calls with one call_id. The later ones of a millisecond
// are numbered now (`~2`, …), the same from the end (however few calls asked for) and from the fold.
describe("id-less web searches in the same millisecond", () => {
  it("get distinct ids, the same read from the end and from the fold", async () => {
    const id = "01a20a2b-928f-7bb2-8b9e-f6f0421d171b";
    const rollout = `sessions/2026/11/23/rollout-2026-11-23T20-49-17-${id}.jsonl`;
    const lines = (await readFile(join(FIXTURE_HOME, rollout), "utf8")).trimEnd().split("\n");
    const call = lines.findIndex((line) => line.includes('"call_id":"call_12"'));
    const search = (query: string) =>
      JSON.stringify({
        timestamp: "2026-11-23T20:49:17.513Z",
        type: "response_item",
        payload: { type: "web_search_call", status: "completed", action: { type: "search", query } },
      });
    // a search, the command, a search: all three in the same millisecond
    lines.splice(call + 1, 0, search("second"));
    lines.splice(call, 0, search("first"));
    const home = await realpath(await mkdtemp(join(tmpdir(), "ccm-websearch-same-ms-")));
    await mkdir(join(home, "sessions/2026/11/23"), { recursive: true });
    await writeFile(join(home, rollout), `${lines.join("\n")}\n`);
    const idsOf = async (quickFromBytes: number, limit: number) =>
      (
        await sessionCalls(new SessionStore(home, { quickFromBytes }), id, {
          limit,
          includeOutput: false,
          maxOutputChars: 100,
        })
      ).calls.map((one) => one.call_id);
    const all = ["web_search@2026-11-23T20:49:17.513Z", "call_12", "web_search@2026-11-23T20:49:17.513Z~2"];
    expect(await idsOf(0, 10)).toEqual(all);
    expect(await idsOf(0, 1)).toEqual(all.slice(-1));
    expect(await idsOf(0, 2)).toEqual(all.slice(-2));
    expect(await idsOf(0, 3)).toEqual(all);
    expect(await idsOf(Infinity, 10)).toEqual(all);
    expect(await idsOf(Infinity, 1)).toEqual(all.slice(-1));
  });
});

// A live session said "running: web_search" after a search until its next item, though 0.171 writes a search
// only once it ended: an `item_completed` WebSearch item (with `completed_at_ms`), then its `web_search_call`
// with `status: "completed"` (or "failed"); nothing is written as it starts. Checked with the real CLI: the log
// cut right after the search (as a live session's is at that moment) is waiting for the model, not searching.
describe("a live session right after a web search (real CLI 0.171)", () => {
  it("is waiting for the model, not running the search", async () => {
    const { home, workdir } = await makeCodexHome(model.url, "websearch-live");
    const ran = await pasted(
      `cd ${workdir} && ${process.execPath} ${PINNED_CODEX} exec --skip-git-repo-check 'WEBSEARCH:completed:rust async'`,
      codexEnv(home),
    );
    expect(ran.code, ran.stderr).toBe(0);
    const [day] = await readdir(join(home, "sessions"), { recursive: true }).then((names) =>
      names.filter((name) => name.endsWith(".jsonl")),
    );
    const lines = (await readFile(join(home, "sessions", day ?? ""), "utf8")).trimEnd().split("\n");
    const search = lines.findIndex((line) => line.includes('"type":"web_search_call"'));
    expect(lines[search]).toContain('"status":"completed"');
    const live = lines.slice(0, search + 1).flatMap((line, index) => normalizeLine(JSON.parse(line), index + 1) ?? []);
    const folded = await foldEvents(live);
    expect(folded.calls.map((call) => [call.name, call.result?.status])).toEqual([["web_search", "completed"]]);
    expect(currentActivity(folded)?.message).toBe("waiting for the model");
  });
});
