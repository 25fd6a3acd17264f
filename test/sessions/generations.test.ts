// Every reader view on logs written by the real published CLIs (0.20 bare lines, 0.39/0.63 RolloutLine,
// 0.100 task events, 0.169 paginated history), asserted to the exact values those runs produced.
import { describe, expect, it } from "vitest";
import { lastCalls } from "../../src/sessions/calls.js";
import { join } from "node:path";
import { loadSession } from "../../src/sessions/index.js";
import { rolloutEvents } from "../../src/sessions/rollout-reader.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { summarize } from "../../src/sessions/summary.js";
import { tokenUsage } from "../../src/sessions/usage.js";
import { FIXTURE_HOME, FIXTURES, fixture, type Scenario } from "../support/fixtures.js";

interface Expected {
  status: string;
  diagnosis: string;
  prompts: string[];
  calls: Array<[name: string, command: string | null, exitCode: number | null, status: string]>;
  tokens: number | null;
  segments?: number;
  filesChanged?: string[];
  model: string | null;
}

const RESET_PRIMARY = "2026-11-24T06:00:00.000Z";
const FAILING = ["please RUN:echo hi; exit 3"];
const SLEEP = ["please RUN:sleep 30"];
const FAIL400 = ["please FAIL400"];
const RESUMED = ["please RUN:echo one", "now PATCH:hello.txt"];
const MCP: Expected = {
  status: "completed",
  diagnosis: "completed",
  prompts: ['please MCP:list_sessions {"limit":1}'],
  calls: [["mcp__ccm__list_sessions", null, null, "completed"]],
  tokens: 2800,
  model: "mock-model",
};

const cases: Array<[version: string, scenario: Scenario, expected: Expected]> = [
  [
    "0.20.0",
    "command",
    {
      status: "completed",
      diagnosis: "command_failures",
      prompts: FAILING,
      calls: [["shell", "echo hi; exit 3", 3, "failed"]],
      tokens: null,
      model: null,
    },
  ],
  [
    "0.20.0",
    "model-error",
    { status: "incomplete", diagnosis: "interrupted", prompts: FAIL400, calls: [], tokens: null, model: null },
  ],
  [
    "0.39.0",
    "command",
    {
      status: "completed",
      diagnosis: "command_failures",
      prompts: FAILING,
      calls: [["shell", "echo hi; exit 3", 3, "failed"]],
      tokens: 2800,
      model: "mock-model",
    },
  ],
  [
    "0.39.0",
    "interrupted",
    { status: "aborted", diagnosis: "aborted", prompts: SLEEP, calls: [], tokens: null, model: "mock-model" },
  ],
  [
    "0.39.0",
    "killed",
    { status: "incomplete", diagnosis: "interrupted", prompts: SLEEP, calls: [], tokens: null, model: "mock-model" },
  ],
  [
    "0.39.0",
    "model-error",
    { status: "incomplete", diagnosis: "interrupted", prompts: FAIL400, calls: [], tokens: null, model: "mock-model" },
  ],
  [
    "0.39.0",
    "resumed",
    {
      status: "completed",
      diagnosis: "completed",
      prompts: RESUMED,
      calls: [
        ["shell", "echo one", 0, "completed"],
        ["apply_patch", null, 0, "completed"],
      ],
      tokens: 5600,
      segments: 2,
      // the patch names it relative to the session's cwd
      filesChanged: ["/home/user/proj/hello.txt"],
      model: "mock-model",
    },
  ],
  [
    "0.63.0",
    "command",
    {
      status: "completed",
      diagnosis: "command_failures",
      prompts: FAILING,
      calls: [["shell", "echo hi; exit 3", 3, "failed"]],
      tokens: 2800,
      model: "mock-model",
    },
  ],
  [
    "0.63.0",
    "interrupted",
    { status: "incomplete", diagnosis: "interrupted", prompts: SLEEP, calls: [], tokens: 1260, model: "mock-model" },
  ],
  [
    "0.63.0",
    "killed",
    { status: "incomplete", diagnosis: "interrupted", prompts: SLEEP, calls: [], tokens: 1260, model: "mock-model" },
  ],
  ["0.63.0", "mcp", MCP],
  [
    "0.63.0",
    "model-error",
    { status: "incomplete", diagnosis: "interrupted", prompts: FAIL400, calls: [], tokens: null, model: "mock-model" },
  ],
  [
    "0.63.0",
    "resumed",
    {
      status: "completed",
      diagnosis: "command_failures",
      prompts: RESUMED,
      calls: [
        ["shell", "echo one", 0, "completed"],
        ["apply_patch", null, null, "failed"],
      ],
      tokens: 5600,
      segments: 2,
      filesChanged: [],
      model: "mock-model",
    },
  ],
  [
    "0.100.0",
    "command",
    {
      status: "completed",
      diagnosis: "command_failures",
      prompts: FAILING,
      calls: [["exec_command", "echo hi; exit 3", 3, "failed"]],
      tokens: 2800,
      model: "mock-model",
    },
  ],
  [
    "0.100.0",
    "interrupted",
    {
      status: "aborted",
      diagnosis: "aborted",
      prompts: SLEEP,
      calls: [["exec_command", "sleep 30", null, "interrupted"]],
      tokens: 1260,
      model: "mock-model",
    },
  ],
  [
    "0.100.0",
    "killed",
    {
      status: "incomplete",
      diagnosis: "interrupted",
      prompts: SLEEP,
      calls: [["exec_command", "sleep 30", null, "no_output"]],
      tokens: 1260,
      model: "mock-model",
    },
  ],
  ["0.100.0", "mcp", MCP],
  [
    "0.100.0",
    "model-error",
    { status: "failed", diagnosis: "model_error", prompts: FAIL400, calls: [], tokens: null, model: "mock-model" },
  ],
  [
    "0.100.0",
    "resumed",
    {
      status: "completed",
      diagnosis: "command_failures",
      prompts: RESUMED,
      calls: [
        ["exec_command", "echo one", 0, "completed"],
        ["apply_patch", null, null, "failed"],
      ],
      tokens: 5600,
      segments: 1,
      model: "mock-model",
    },
  ],
  [
    "0.169.0",
    "command",
    {
      status: "completed",
      diagnosis: "command_failures",
      prompts: FAILING,
      calls: [["exec_command", "echo hi; exit 3", 3, "failed"]],
      tokens: 2800,
      model: "mock-model",
    },
  ],
  [
    "0.169.0",
    "interrupted",
    {
      status: "aborted",
      diagnosis: "aborted",
      prompts: SLEEP,
      calls: [["exec_command", "sleep 30", null, "interrupted"]],
      tokens: 1260,
      model: "mock-model",
    },
  ],
  [
    "0.169.0",
    "killed",
    {
      status: "incomplete",
      diagnosis: "interrupted",
      prompts: SLEEP,
      calls: [["exec_command", "sleep 30", null, "no_output"]],
      tokens: 1260,
      model: "mock-model",
    },
  ],
  ["0.169.0", "mcp", MCP],
  [
    "0.169.0",
    "model-error",
    { status: "failed", diagnosis: "model_error", prompts: FAIL400, calls: [], tokens: null, model: "mock-model" },
  ],
  [
    "0.169.0",
    "resumed",
    {
      status: "completed",
      diagnosis: "command_failures",
      prompts: RESUMED,
      calls: [
        ["exec_command", "echo one", 0, "completed"],
        ["apply_patch", null, null, "failed"],
      ],
      tokens: 5600,
      segments: 1,
      model: "mock-model",
    },
  ],
];

describe.each(cases)("Codex %s, %s", (version, scenario, expected) => {
  const entry = fixture(version, scenario);

  it("summarizes the session", async () => {
    const { file, model, stats } = await loadSession(FIXTURE_HOME, entry.session_id);
    const summary = summarize(
      model,
      { id: file.id, path: file.path },
      { reasoningLimit: 10, skippedLines: stats.skipped },
    );
    expect(summary.session_id).toBe(entry.session_id);
    expect(summary.status).toBe(expected.status);
    expect(summary.diagnosis.category).toBe(expected.diagnosis);
    expect(summary.turns.map((turn) => turn.prompt)).toEqual(expected.prompts);
    expect(summary.model).toBe(expected.model);
    expect(summary.cli_version).toBe(version === "0.20.0" ? null : version);
    expect(summary.cwd).toBe(version === "0.20.0" ? null : "/home/user/proj");
    expect(summary.skipped_lines).toBe(0);
    expect(summary.tokens?.total ?? null).toBe(expected.tokens);
    if (expected.filesChanged) expect(summary.files_changed).toEqual(expected.filesChanged);
  });

  it("lists its tool calls paired with their outputs", async () => {
    const { model } = await loadSession(FIXTURE_HOME, entry.session_id);
    const { calls } = lastCalls(model, { limit: 10, includeOutput: true, maxOutputChars: 2000 });
    expect(calls.map((call) => [call.name, call.command, call.exit_code, call.status])).toEqual(expected.calls);
  });

  it("reports token usage from the session's own counters", async () => {
    const { model } = await loadSession(FIXTURE_HOME, entry.session_id);
    const usage = tokenUsage(model);
    expect(usage.total?.total ?? null).toBe(expected.tokens);
    if (expected.tokens === null) expect(usage.note).toMatch(/no token counters/);
    if (expected.segments !== undefined) expect(usage.segments).toBe(expected.segments);
  });
});

describe("exact details per generation", () => {
  it("0.20.0: bare lines, shell output as JSON metadata, no usage", async () => {
    const { model } = await loadSession(FIXTURE_HOME, fixture("0.20.0", "command").session_id);
    expect(model.meta?.startedAt).toMatch(/^2026-11-23T/);
    expect(model.reasoning.map((r) => r.text)).toEqual([
      "**Planning** I will run `echo hi; exit 3` to check the workspace.",
    ]);
    const [call] = lastCalls(model, { limit: 1, includeOutput: true, maxOutputChars: 2000 }).calls;
    expect(call).toMatchObject({
      call_id: "call_1",
      arguments: { command: ["bash", "-lc", "echo hi; exit 3"] },
      output: "",
      duration_ms: 0,
      timestamp: null,
      turn: 1,
    });
  });

  it("0.39.0 resumed: the counter restarts in the resumed process, so the total sums both segments", async () => {
    const usage = tokenUsage((await loadSession(FIXTURE_HOME, fixture("0.39.0", "resumed").session_id)).model);
    expect(usage.total).toEqual({ input: 5400, cached_input: 1350, output: 200, reasoning_output: 100, total: 5600 });
    expect(usage.per_turn).toEqual([
      { turn: 1, input: 2700, cached_input: 675, output: 100, reasoning_output: 50, total: 2800 },
      { turn: 2, input: 2700, cached_input: 675, output: 100, reasoning_output: 50, total: 2800 },
    ]);
    expect(usage.rate_limits).toBeNull();
  });

  it("0.63.0: rate limits with an epoch reset time", async () => {
    const usage = tokenUsage((await loadSession(FIXTURE_HOME, fixture("0.63.0", "command").session_id)).model);
    expect(usage.rate_limits).toEqual({
      primary: { used_percent: 12.5, window_minutes: 300, resets_at: RESET_PRIMARY },
      secondary: { used_percent: 40, window_minutes: 10080, resets_at: "2026-11-25T06:00:00.000Z" },
    });
    expect(usage.model_context_window).toBeNull();
    expect(usage.context_used_percent).toBeNull();
  });

  it("0.100.0: a failed model request is a task_complete without an answer", async () => {
    const { file, model } = await loadSession(FIXTURE_HOME, fixture("0.100.0", "model-error").session_id);
    const summary = summarize(model, { id: file.id, path: file.path }, { reasoningLimit: 10, skippedLines: 0 });
    expect(summary.diagnosis.evidence[0]).toMatch(
      /ended without an answer and neither the log nor a run of this server says why/,
    );
  });

  it("0.169.0: the model's error message, the context window and per-turn records", async () => {
    const id = fixture("0.169.0", "model-error").session_id;
    const { file, model } = await loadSession(FIXTURE_HOME, id);
    const summary = summarize(model, { id: file.id, path: file.path }, { reasoningLimit: 10, skippedLines: 0 });
    expect(summary.errors).toEqual([
      {
        turn: 1,
        message: '{"error":{"message":"fake: invalid request","type":"invalid_request_error"}}',
        info: "other",
      },
    ]);
    expect(summary.diagnosis.evidence).toEqual(['turn 1 failed: "fake: invalid request" (other)']);
    expect(summary.diagnosis.next_step).toBe(
      `Fix what the error names (model, provider, request), then: codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model mock-model resume ${id} 'Continue where you left off.'`,
    );

    const usage = tokenUsage((await loadSession(FIXTURE_HOME, fixture("0.169.0", "command").session_id)).model);
    expect(usage.model_context_window).toBe(258400);
    expect(usage.context_used_percent).toBe(0.6);
    expect(usage.last_turn).toEqual({
      turn: 1,
      input: 2700,
      cached_input: 675,
      output: 100,
      reasoning_output: 50,
      total: 2800,
    });
  });

  it("0.169.0 interrupted: a CommandExecution written after turn_aborted still gives the call its exit code", async () => {
    const stats = { lines: 0, skipped: 0, badFieldLines: 0 };
    const model = await foldEvents(rolloutEvents(join(FIXTURES, "kept", "0.169.0-interrupted-late-item.jsonl"), stats));
    const [call] = lastCalls(model, { limit: 1, includeOutput: true, maxOutputChars: 2000 }).calls;
    expect(call).toMatchObject({
      call_id: "call_38",
      exit_code: -1,
      duration_ms: 1521,
      status: "interrupted",
      output: "Wall time: 1.7 seconds\naborted by user",
    });
    expect(model.turns.map((turn) => turn.ended?.outcome)).toEqual(["aborted"]);
  });

  it("0.169.0 killed: the dangling call and the resume command", async () => {
    const id = fixture("0.169.0", "killed").session_id;
    const { file, model } = await loadSession(FIXTURE_HOME, id);
    const summary = summarize(model, { id: file.id, path: file.path }, { reasoningLimit: 10, skippedLines: 0 });
    expect(summary.diagnosis.evidence).toEqual([
      "turn 1 has no end: the run was killed, crashed, or is still running",
      'the last call, "sleep 30", never returned: the process was stopped while the tool ran',
    ]);
    expect(summary.diagnosis.next_step).toBe(
      `If no Codex process is still running this session, resume it: codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model mock-model resume ${id} 'Continue where you left off.'`,
    );
  });
});

describe("MCP tool calls (this server, called by the real Codex)", () => {
  it.each([
    ["0.63.0", '{"codex_home":'],
    ["0.100.0", '{"codex_home":'],
    ["0.169.0", "Wall time: "],
  ])("%s: the call's name, parsed arguments and output", async (version, outputStart) => {
    const { model } = await loadSession(FIXTURE_HOME, fixture(version, "mcp").session_id);
    const [call] = lastCalls(model, { limit: 1, includeOutput: true, maxOutputChars: 2000 }).calls;
    expect(call?.name).toBe("mcp__ccm__list_sessions");
    expect(call?.arguments).toEqual({ limit: 1 });
    expect(call?.output?.startsWith(outputStart)).toBe(true);
    expect(call?.output).toContain('"sessions":[]');
  });
});
