// Field fidelity III (issue 21): shapes real sessions have that the reader got wrong, each a hand-written file
// in test/fixtures/shapes/ named after what it shows, read through the MCP tools as a client would.
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSession, type SessionSummary } from "../../src/sessions/index.js";
import { renderSummary } from "../../src/text/render.js";
import { resetTimeFromMessage, unreadResetTime } from "../../src/sessions/diagnosis-errors.js";
import { parseToolOutput } from "../../src/sessions/tool-output.js";
import { TokenLedger } from "../../src/sessions/usage.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { SHAPES, shapeHome, shapeIdOf } from "../support/shape-home.js";

const NAMED: Array<[string, number]> = [
  ["token-sources-counter-restarts", 1],
  ["sandbox-success-prints-operation-not-permitted", 2],
  ["sandbox-seatbelt-apply-refused", 3],
  ["sandbox-read-only-relative-write", 4],
  ["unified-exec-polls", 5],
  ["guardian-subagent-own-tokens", 6],
  ["usage-limit-localized-reset", 7],
  ["settings-applied-before-first-turn-context", 8],
  ["fork-sibling-a-of-missing-parent", 9],
  ["fork-sibling-b-of-missing-parent", 10],
  ["guardian-subagent-history-marker-past-its-lines", 11],
  ["sandbox-read-only-write-to-tmp", 12],
  ["answerless-turn-outside-git", 14],
  ["code-mode-script-yields-then-waits", 15],
  ["code-mode-nested-patches", 16],
  ["apply-patch-refused-and-named-twice", 17],
  ["unified-exec-poll-of-an-ended-process", 18],
];
const idOf = shapeIdOf;
let home: string;
let mcp: Connected;

beforeAll(async () => {
  home = await shapeHome("ccm-fidelity-", NAMED, "2026-07-10T09-00");
  mcp = await connect(testConfig({ codexHome: home }));
});
afterAll(async () => mcp.close());

async function tools(name: string) {
  const n = NAMED.find(([candidate]) => candidate === name)?.[1] as number;
  const session_id = idOf(n);
  const summary = (await mcp.call("session_summary", { session_id })).structuredContent as Record<string, unknown>;
  const usage = (await mcp.call("token_usage", { session_id })).structuredContent as Record<string, unknown>;
  const calls = (await mcp.call("last_function_calls", { session_id })).structuredContent as Record<string, unknown>;
  return { summary, usage, calls, diagnosis: summary.diagnosis as Record<string, unknown> };
}

describe("totals never add two sources of the same numbers", () => {
  it("token_count restarting while token_usage_record keeps counting: the total is the thread's own final usage", async () => {
    const { usage, summary } = await tools("token-sources-counter-restarts");
    // per turn 1000 + 1500 + 1500 + 1000; the records' thread counter ends at 5000 (adding the restarted
    // token_count segment on top gave 4000 + 2500 + 5000 = 11500)
    expect(usage.total).toEqual({ input: 4450, cached_input: 0, output: 550, reasoning_output: 0, total: 5000 });
    expect((usage.per_turn as Array<{ turn: number; total: number }>).map((turn) => [turn.turn, turn.total])).toEqual([
      [1, 1000],
      [2, 1500],
      [3, 1500],
      [4, 1000],
    ]);
    expect(usage.segments).toBe(1);
    expect(summary.tokens).toMatchObject({ total: 5000 });
  });
});

describe("only a failed action can be a sandbox block", () => {
  it("commands that exit 0 printing `Operation not permitted` leave a completed session completed", async () => {
    const { diagnosis, summary } = await tools("sandbox-success-prints-operation-not-permitted");
    expect(diagnosis).toMatchObject({
      category: "completed",
      retryable: false,
      sandbox_denials: [],
      failed_commands: [],
    });
    expect(summary.counts).toMatchObject({ function_calls: 3, failed_calls: 0 });
  });

  it("Seatbelt's `sandbox_apply: Operation not permitted` (exit 71: nothing ran) is a sandbox block", async () => {
    const { diagnosis } = await tools("sandbox-seatbelt-apply-refused");
    expect(diagnosis).toMatchObject({
      category: "sandbox_blocked",
      sandbox_denials: [{ call_id: "call_sb", command: "make", kind: "start", target: null, mode: "workspace-write" }],
      failed_commands: [{ call_id: "call_sb", exit_code: 71 }],
    });
  });

  it("a relative write a read-only sandbox refused is a sandbox block, fixed by the workspace-write sandbox", async () => {
    const { diagnosis } = await tools("sandbox-read-only-relative-write");
    expect(diagnosis).toMatchObject({
      category: "sandbox_blocked",
      sandbox_denials: [
        { call_id: "call_ro", command: "echo hi > notes.txt", kind: "write", target: "notes.txt", mode: "read-only" },
      ],
    });
    expect(diagnosis.next_command).toContain("workspace-write");
  });

  it("a read-only sandbox that refused a write to /tmp: workspace-write writes /tmp, so it is the fix, not full access", async () => {
    const { diagnosis, summary } = await tools("sandbox-read-only-write-to-tmp");
    expect(diagnosis).toMatchObject({
      category: "sandbox_blocked",
      sandbox_denials: [
        {
          call_id: "call_15",
          command: "echo hi > /tmp/out.txt",
          kind: "write",
          target: "/tmp/out.txt",
          mode: "read-only",
        },
      ],
    });
    const command = `CODEX_HOME=${home} codex exec --cd /home/user/proj --sandbox workspace-write --skip-git-repo-check --model mock-model resume ${idOf(12)} 'The sandbox was read-only; do the writes again.'`;
    expect(diagnosis.next_command).toBe(command);
    expect(diagnosis.next_step).toBe(
      `Resume with the workspace-write sandbox (resume_session mode "sandboxed", skip_git_repo_check true): ${command}`,
    );
    // nothing asks a person to turn the sandbox off
    expect(renderSummary(summary as unknown as SessionSummary, "person")).not.toContain("Caution");
  });

  it("the shapes' texts, one by one", () => {
    expect(
      parseToolOutput(
        "Exit code: 71\nWall time: 0 seconds\nOutput:\nsandbox-exec: sandbox_apply: Operation not permitted\n",
      ).denial,
    ).toEqual({ kind: "start", target: null, explicit: true });
    expect(
      parseToolOutput("Process exited with code 1\nOutput:\nzsh:1: read-only file system: notes.txt\n").denial,
    ).toEqual({ kind: "write", target: "notes.txt", explicit: true });
    expect(
      parseToolOutput("Process exited with code 1\nOutput:\n/bin/bash: line 1: notes.txt: Read-only file system\n")
        .denial,
    ).toEqual({ kind: "write", target: "notes.txt", explicit: true });
    // a program's own message about a relative name is not a shell's refusal of a write
    expect(
      parseToolOutput("Process exited with code 1\nOutput:\nerror: config.json: Permission denied\n").denial,
    ).toBeUndefined();
  });
});

describe("unified exec: a process's exit belongs to the call that started it, once", () => {
  it("write_stdin polls are completed reads; the exec_command that started the process carries its exit", async () => {
    const { calls, summary, diagnosis } = await tools("unified-exec-polls");
    const byId = Object.fromEntries(
      (calls.calls as Array<{ call_id: string; status: string; exit_code: number | null }>).map((call) => [
        call.call_id,
        [call.status, call.exit_code],
      ]),
    );
    expect(byId).toEqual({
      call_a: ["failed", 1],
      poll_a1: ["completed", null],
      poll_a2: ["completed", null],
      poll_a3: ["completed", null],
      call_b: ["completed", 0],
      poll_b1: ["completed", null],
    });
    expect(summary.counts).toMatchObject({ function_calls: 6, failed_calls: 1 });
    expect(diagnosis).toMatchObject({
      category: "completed",
      failed_commands: [{ call_id: "call_a", command: "npm run e2e", exit_code: 1 }],
    });
  });
});

describe("inheritance needs proof", () => {
  it("a guardian sub-agent that copied nothing owns its counter, though it answered within the fork burst", async () => {
    const { summary, usage } = await tools("guardian-subagent-own-tokens");
    expect(summary).toMatchObject({
      kind: "subagent",
      parent_session_id: "0199bbbb-0000-7000-8000-000000000099",
      inherited: null,
      counts: { turns: 1 },
    });
    expect(summary.turns).toMatchObject([{ index: 1, status: "completed" }]);
    expect(usage).toMatchObject({
      total: { input: 1800, cached_input: 600, output: 120, reasoning_output: 40, total: 1920 },
      inherited: null,
      note: null,
      segments: 1,
    });
  });
});

describe("a history marker is proof only while the lines below it were written at spawn time", () => {
  it("a guardian whose subagent_history_start_ordinal points past its last line owns its turn and its tokens", async () => {
    const { summary, usage } = await tools("guardian-subagent-history-marker-past-its-lines");
    expect(summary).toMatchObject({
      kind: "subagent",
      parent_session_id: idOf(97),
      inherited: null,
      status: "completed",
      counts: { turns: 1 },
    });
    expect(summary.turns).toMatchObject([
      { index: 1, prompt: "Assess: git push --force", status: "completed", last_agent_message: '{"outcome":"deny"}' },
    ]);
    expect(usage).toMatchObject({
      total: { input: 9000, cached_input: 4000, output: 300, reasoning_output: 200, total: 9300 },
      inherited: null,
      note: null,
    });
  });
});

describe("calls of 0.171 that were lost or misread", () => {
  const callsOf = (calls: Record<string, unknown>) =>
    (calls.calls as Array<Record<string, unknown>>).map((call) => [
      call.name,
      call.status,
      call.exit_code,
      call.parent_call_id ?? null,
    ]);

  it("code mode: a command a script runs after it handed control back (`wait`) is its call, and failed", async () => {
    const { summary, calls, diagnosis } = await tools("code-mode-script-yields-then-waits");
    expect(callsOf(calls)).toEqual([
      ["exec", "completed", null, null],
      ["apply_patch", "completed", null, "c0_0"],
      ["wait", "completed", null, null],
      ["exec_command", "failed", 4, "c0_0"],
    ]);
    expect([summary.counts, summary.files_changed, diagnosis.category]).toEqual([
      expect.objectContaining({ function_calls: 4, failed_calls: 1 }),
      ["/home/user/proj/new.txt"],
      "command_failures",
    ]);
  });

  it("code mode: each patch a script applies is a call, a failed one failed", async () => {
    const { calls, summary } = await tools("code-mode-nested-patches");
    // the script's exit code is none: the `Exit code: 1` its error prints is the failed patch's (s10)
    expect(callsOf(calls)).toEqual([
      ["exec", "failed", null, null],
      ["apply_patch", "completed", null, "c0_0"],
      ["apply_patch", "failed", null, "c0_0"],
    ]);
    expect(summary.files_changed).toEqual(["/home/user/proj/new.txt"]);
  });

  it("a patch Codex refused to apply failed; a file a patch wrote is named once", async () => {
    const { calls, summary, diagnosis } = await tools("apply-patch-refused-and-named-twice");
    expect(callsOf(calls)).toEqual([
      ["apply_patch", "completed", 0, null],
      ["apply_patch", "failed", null, null],
      ["apply_patch", "failed", 1, null],
    ]);
    expect(summary.files_changed).toEqual(["/home/user/proj/a.txt"]);
    expect(diagnosis.evidence).toContain('failed: "apply_patch" (no exit code)');
  });

  it("a poll of a process that had ended is judged by the command it polled: exit 3 fails the session, exit 0 not", async () => {
    const { calls, diagnosis } = await tools("unified-exec-poll-of-an-ended-process");
    expect(callsOf(calls)).toEqual([
      ["exec_command", "failed", 3, null],
      ["write_stdin", "completed", null, null],
      ["write_stdin", "completed", null, null],
    ]);
    expect(diagnosis.category).toBe("command_failures");
    // control: the same session whose command exited 0
    const text = await readFile(join(SHAPES, "unified-exec-poll-of-an-ended-process.jsonl"), "utf8");
    const succeeded = text
      .replaceAll("exit 3", "exit 0")
      .replaceAll("code 3", "code 0")
      .replaceAll('"exit_code":3', '"exit_code":0')
      .replaceAll('"status":"failed"', '"status":"completed"');
    expect(succeeded).not.toBe(text);
    const other = await mkdtemp(join(tmpdir(), "ccm-fidelity-poll-"));
    const dir = join(other, "sessions", "2026", "07", "10");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `rollout-2026-07-10T09-00-00-${idOf(18)}.jsonl`), succeeded);
    const otherMcp = await connect(testConfig({ codexHome: other }));
    try {
      const summary = (await otherMcp.call("session_summary", { session_id: idOf(18) })).structuredContent as {
        counts: { failed_calls: number };
        diagnosis: { category: string };
      };
      expect([summary.diagnosis.category, summary.counts.failed_calls]).toEqual(["completed", 0]);
    } finally {
      await otherMcp.close();
    }
  });
});

describe("a turn 0.171 ends without a final message", () => {
  it("completed: its end carries no error, which 0.150+ writes there when a turn fails", async () => {
    const { summary, diagnosis } = await tools("answerless-turn-outside-git");
    expect([summary.status, diagnosis.category, diagnosis.evidence]).toEqual([
      "completed",
      "completed",
      ["turn 1 completed", "the turn ended without a final message from the agent"],
    ]);
  });
});

describe("reset times as the localized apps print them", () => {
  it("a usage limit whose message names `10 de jul. de 2026, 11:52` has that resets_at", async () => {
    const { diagnosis } = await tools("usage-limit-localized-reset");
    expect(diagnosis).toMatchObject({
      category: "usage_limit",
      retryable: true,
      resets_at: new Date(2026, 6, 10, 11, 52).toISOString(),
    });
  });

  it("each shipped shape is read in this process's zone; an ambiguous one is said to be unread", () => {
    const at = "2026-07-01T10:00:00.000Z";
    const read = (text: string) => resetTimeFromMessage(`You've hit your usage limit. Try again at ${text}.`, at);
    const expected = new Date(2026, 6, 10, 11, 52).toISOString();
    for (const text of [
      "Jul 10th, 2026 11:52 AM",
      "Jul 10, 2026, 11:52 AM",
      "10 de jul. de 2026, 11:52",
      "10 jul 2026, 11:52",
      "10 juil. 2026 à 11:52",
      "10. Juli 2026 um 11:52",
      "10 lug 2026, 11:52",
      "10.07.2026, 11:52",
      "2026年7月10日 11:52",
      "2026/07/10 11:52",
      "2026. 7. 10. 오전 11:52",
    ]) {
      expect([text, read(text)]).toEqual([text, expected]);
    }
    expect(read("11:52")).toBe(new Date(2026, 6, 1, 11, 52).toISOString());
    expect(read("3:05 PM")).toBe(new Date(2026, 6, 1, 15, 5).toISOString());
    // day/month or month/day: not guessed
    expect(read("07/10/2026 11:52")).toBeNull();
    expect(unreadResetTime("Try again at 07/10/2026 11:52.", at)).toBe("07/10/2026 11:52");
    expect(unreadResetTime("Try again later.", at)).toBeUndefined();
  });
});

describe("Codex 0.171's thread_settings_applied", () => {
  it("a run stopped before its first turn_context still says what it ran with: the model, cwd, approval, effort, the sandbox off", async () => {
    const { model } = await loadSession(home, idOf(8));
    expect(model.lastContext).toMatchObject({
      model: "gpt-5.5",
      cwd: "/w",
      approval: "never",
      sandbox: "danger-full-access",
      effort: "high",
    });
    const { summary, diagnosis } = await tools("settings-applied-before-first-turn-context");
    expect(summary.turns).toMatchObject([{ index: 1, prompt: "refactor the parser", status: "incomplete" }]);
    expect(diagnosis).toMatchObject({ category: "interrupted" });
    expect(diagnosis.next_command).toContain("--dangerously-bypass-approvals-and-sandbox --model gpt-5.5 resume");
  });
});

describe("forks of a parent that is gone", () => {
  const parent = idOf(98);
  it("the earliest sibling is charged the copied prefix once; the later one reports it inherited, naming who pays", async () => {
    const a = await tools("fork-sibling-a-of-missing-parent");
    const b = await tools("fork-sibling-b-of-missing-parent");
    expect(a.usage).toMatchObject({ total: { total: 9000 }, inherited: null });
    // its copied turn_context (written in the fork's first burst) is the parent's; no tokens are
    expect(a.summary).toMatchObject({
      kind: "fork",
      parent_session_id: parent,
      inherited: { lines: 1, tokens: null, charged_to_session_id: null },
    });
    // four counter rows equal to sibling A's first four: 6000 tokens of the parent's, charged to A
    expect(b.usage).toMatchObject({
      total: { input: 400, cached_input: 50, output: 100, reasoning_output: 5, total: 500 },
      inherited: { parent_session_id: parent, tokens: { total: 6000 }, charged_to_session_id: idOf(9) },
    });
    expect(b.summary).toMatchObject({
      inherited: { parent_session_id: parent, lines: 5, tokens: { total: 6000 }, charged_to_session_id: idOf(9) },
    });
  });
});

// Guards of the records-win rule (the reader before it gave the same answers here; taking the records alone
// would give 900 in the first case)
describe("a session an older CLI began and 0.160+ resumed: events before the first record", () => {
  const totals = (total: number) => ({ input: total - 100, cached_input: 0, output: 100, reasoning_output: 0, total });
  const counter = (total: number, source?: "record") => ({
    kind: "token_count" as const,
    line: 1,
    total: totals(total),
    ...(source && { source }),
  });
  it("are added when the records start below them (the resumed process did not carry the count on)", () => {
    const ledger = new TokenLedger();
    for (const [total, turn] of [
      [1000, 1],
      [3000, 2],
    ] as const)
      ledger.count(counter(total), turn);
    for (const [total, turn] of [
      [500, 3],
      [900, 4],
    ] as const) {
      ledger.count(counter(total, "record"), turn);
      ledger.count(counter(total), turn);
    }
    expect([ledger.total()?.total, ledger.segments]).toEqual([3900, 2]);
    expect(ledger.perTurn().map((turn) => turn.total)).toEqual([1000, 2000, 500, 400]);
  });

  it("are not added when the records carry the count on", () => {
    const ledger = new TokenLedger();
    for (const [total, turn] of [
      [1000, 1],
      [3000, 2],
    ] as const)
      ledger.count(counter(total), turn);
    for (const [total, turn] of [
      [3500, 3],
      [4200, 4],
    ] as const) {
      ledger.count(counter(total, "record"), turn);
      ledger.count(counter(total), turn);
    }
    expect([ledger.total()?.total, ledger.segments]).toEqual([4200, 1]);
    expect(ledger.perTurn().map((turn) => turn.total)).toEqual([1000, 2000, 500, 700]);
  });
});
