// Damaged logs still summarize; the TypeScript CLI's JSON document; diagnosis categories the fixture
// runs cannot provoke (usage limits, rate limits, context overflow).
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lastCalls } from "../../src/sessions/calls.js";
import { diagnose } from "../../src/sessions/diagnosis.js";
import { loadSession, sessionSummary } from "../../src/sessions/index.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { tokenUsage } from "../../src/sessions/usage.js";
import { fixture, fixtureText } from "../support/fixtures.js";
import { at, failedTurn } from "../support/session-events.js";

async function homeWith(name: string, text: string): Promise<{ home: string; path: string }> {
  const home = await mkdtemp(join(tmpdir(), "ccm-robust-"));
  const dir = join(home, "sessions", "2026", "01", "28");
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, text);
  return { home, path };
}

const ID = "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

describe("damaged rollouts", () => {
  it("garbage lines and a torn last line are counted and skipped; the rest still summarizes", async () => {
    const entry = fixture("0.169.0", "command");
    const lines = (await fixtureText("0.169.0", "command")).trimEnd().split("\n");
    const last = lines.pop() ?? "";
    expect(last).toContain('"task_complete"');
    const damaged = [
      ...lines.slice(0, 3),
      "garbage that is not json",
      "{not json either",
      "\u0000\u0001\u0002binary",
      JSON.stringify({ timestamp: "2026-11-23T00:00:00Z", type: "brand_new_line_type", payload: {} }),
      "",
      ...lines.slice(3),
      last.slice(0, Math.floor(last.length / 2)),
    ].join("\n");
    const { home } = await homeWith(`rollout-2026-11-23T20-41-33-${entry.session_id}.jsonl`, damaged);
    const summary = await sessionSummary(home, entry.session_id, { reasoningLimit: 10 });
    expect(summary.skipped_lines).toBe(5);
    expect(summary.status).toBe("incomplete");
    expect(summary.diagnosis.category).toBe("interrupted");
    expect(summary.last_agent_message).toBe("Done. The tool said: hi");
    expect(summary.tokens?.total).toBe(2800);
    expect(summary.counts).toEqual({ turns: 1, function_calls: 1, failed_calls: 1, messages: 2 });
  });

  it("an empty file and a file with only its meta line", async () => {
    const empty = await homeWith(`rollout-2026-01-28T10-00-00-${ID}.jsonl`, "");
    const summary = await sessionSummary(empty.home, ID, { reasoningLimit: 10 });
    expect(summary).toMatchObject({ session_id: ID, status: "incomplete", turns: [], skipped_lines: 0, tokens: null });
    expect(summary.diagnosis.category).toBe("empty");

    const metaOnly = await homeWith(
      `rollout-2026-01-28T10-00-00-${ID}.jsonl`,
      `${JSON.stringify({ timestamp: "2026-01-28T10:00:00.000Z", type: "session_meta", payload: { id: ID, timestamp: "2026-01-28T10:00:00.000Z", cwd: "/w", cli_version: "0.99.0" } })}\n`,
    );
    expect(await sessionSummary(metaOnly.home, ID, { reasoningLimit: 10 })).toMatchObject({
      cwd: "/w",
      cli_version: "0.99.0",
      started_at: "2026-01-28T10:00:00.000Z",
      status: "incomplete",
    });
  });

  it("a legacy fork copies its parent's meta: the first meta names the session", async () => {
    const parent = "0199a1b2-0000-7000-8000-000000000001";
    const meta = (id: string, at: string) =>
      JSON.stringify({ timestamp: at, type: "session_meta", payload: { id, timestamp: at, cwd: "/w" } });
    const { home } = await homeWith(
      `rollout-2026-01-28T10-00-00-${ID}.jsonl`,
      [meta(ID, "2026-01-28T10:00:00.000Z"), meta(parent, "2026-01-27T10:00:00.000Z")].join("\n"),
    );
    expect((await sessionSummary(home, ID, { reasoningLimit: 0 })).session_id).toBe(ID);
  });
});

describe("TypeScript CLI session (a single JSON document)", () => {
  it("reads the document the TS CLI rewrote after every turn", async () => {
    const document = {
      session: { timestamp: "2025-05-17T19:44:31.088Z", id: "dd3a4447-311a-47ef-ade0-25a669164032", instructions: "" },
      items: [
        { role: "user", content: [{ type: "input_text", text: "please RUN:echo hi; exit 3" }], type: "message" },
        {
          type: "reasoning",
          id: "rs_31",
          summary: [{ type: "summary_text", text: "**Planning** I will run it" }],
          duration_ms: 69,
        },
        {
          id: "fc_31",
          call_id: "call_31",
          type: "function_call",
          name: "shell",
          arguments: '{"command":["bash","-lc","echo hi; exit 3"]}',
        },
        {
          type: "function_call_output",
          call_id: "call_31",
          output: '{"output":"hi\\n","metadata":{"exit_code":3,"duration_seconds":0.1}}',
        },
        { type: "message", role: "assistant", id: "msg_32", content: [{ type: "output_text", text: "Done." }] },
      ],
    };
    const { home } = await homeWith(
      "../../../rollout-2025-05-17-dd3a4447-311a-47ef-ade0-25a669164032.json",
      JSON.stringify(document, null, 2),
    );
    const summary = await sessionSummary(home, "dd3a4447", { reasoningLimit: 10 });
    expect(summary).toMatchObject({
      session_id: "dd3a4447-311a-47ef-ade0-25a669164032",
      status: "completed",
      started_at: "2025-05-17T19:44:31.088Z",
      last_agent_message: "Done.",
      reasoning: [{ turn: 1, text: "**Planning** I will run it" }],
      tokens: null,
    });
    expect(summary.diagnosis.evidence).toEqual([
      "turn 1 completed, but its last command failed",
      'the agent\'s last message: "Done."',
      'failed: "echo hi; exit 3" exited with 3',
    ]);
    const { model } = await loadSession(home, "dd3a4447-311a-47ef-ade0-25a669164032");
    expect(lastCalls(model, { limit: 5, includeOutput: true, maxOutputChars: 100 }).calls[0]).toMatchObject({
      exit_code: 3,
      duration_ms: 100,
      output: "hi\n",
    });
  });

  it("a truncated document is one skipped line, not a crash", async () => {
    const { home } = await homeWith(
      "../../../rollout-2025-05-17-dd3a4447-311a-47ef-ade0-25a669164032.json",
      '{"session":{"id":"dd3a',
    );
    expect(await sessionSummary(home, "dd3a4447", { reasoningLimit: 10 })).toMatchObject({
      skipped_lines: 1,
      turns: [],
    });
  });
});

describe("diagnosis of failures the fake model cannot make the CLI write", () => {
  it("usage limit, with the reset time of the exhausted window", async () => {
    const model = await foldEvents([
      ...failedTurn("You've hit your usage limit. Try again later.", "usage_limit_exceeded"),
      {
        ...at(4),
        kind: "token_count",
        rateLimits: {
          primary: { used_percent: 100, window_minutes: 300, resets_at: "2026-01-28T15:00:00.000Z" },
          secondary: null,
          plan_type: "plus",
        },
      },
    ]);
    const command = `codex exec --cd /w resume ${ID} 'Continue where you left off.'`;
    expect(diagnose(model, { sessionId: ID, cwd: "/w" })).toMatchObject({
      category: "usage_limit",
      retryable: true,
      resets_at: "2026-01-28T15:00:00.000Z",
      evidence: [
        'turn 1 failed: "You\'ve hit your usage limit. Try again later." (usage_limit_exceeded)',
        "the primary rate-limit window (300 min) is 100% used until 2026-01-28T15:00:00.000Z",
      ],
      next_step: `Wait until 2026-01-28T15:00:00.000Z, then run: ${command}`,
      next_command: command,
      error: {
        message: "You've hit your usage limit. Try again later.",
        source: "log",
        error_info: "usage_limit_exceeded",
        http_status: null,
        request_id: null,
        retries: null,
      },
    });
    expect(tokenUsage(model)).toMatchObject({
      plan_type: "plus",
      observed_at: "2026-01-28T10:00:04.000Z",
      total: null,
    });
  });

  it("rate limited and context window exceeded", async () => {
    expect(
      diagnose(await foldEvents(failedTurn("exceeded retry limit, last status: 429 Too Many Requests")), {
        sessionId: ID,
      }),
    ).toMatchObject({
      category: "rate_limited",
      next_step: `Wait a minute and resume: codex exec resume ${ID} 'Continue where you left off.'`,
    });
    expect(
      diagnose(
        await foldEvents(failedTurn("Codex ran out of room in the model's context window.", "context_window_exceeded")),
        { sessionId: ID, cwd: "/my proj" },
      ),
    ).toMatchObject({
      category: "context_window_exceeded",
      retryable: false,
      next_command: `codex exec --cd '/my proj' 'Continue the work of Codex session ${ID}, which ran out of context. Its first request was: do the thing'`,
      next_step: expect.stringContaining(
        `codex exec --cd '/my proj' --model '<model with a larger context window>' resume ${ID}`,
      ),
    });
  });

  it("an unfinished turn while a rate-limit window is exhausted is a usage limit, not a crash", async () => {
    const model = await foldEvents([
      { ...at(1), kind: "user_message", text: "go" },
      {
        ...at(2),
        kind: "token_count",
        rateLimits: {
          primary: null,
          secondary: { used_percent: 100, window_minutes: 10080, resets_at: null },
          plan_type: null,
        },
      },
    ]);
    expect(diagnose(model, { sessionId: ID })).toMatchObject({
      category: "usage_limit",
      resets_at: null,
      evidence: expect.arrayContaining(["the secondary rate-limit window (10080 min) is 100% used"]),
      next_step: `Wait for the usage limit to reset (Codex did not say when; \`codex\` /status shows it), then run: codex exec resume ${ID} 'Continue where you left off.'`,
    });
  });

  it("a counter emitted again unchanged is counted once", async () => {
    const total = { input: 100, cached_input: 0, output: 10, reasoning_output: 0, total: 110 };
    const model = await foldEvents([
      { ...at(1), kind: "user_message", text: "go" },
      { ...at(2), kind: "token_count", total },
      { ...at(3), kind: "token_count", total },
      { ...at(4), kind: "token_count", total: { ...total, input: 200, total: 210 } },
    ]);
    expect(tokenUsage(model)).toMatchObject({
      total: { input: 200, total: 210 },
      segments: 1,
      per_turn: [{ turn: 1, total: 210 }],
    });
  });
});
