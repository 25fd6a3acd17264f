// The pure parts of the diagnosis: error texts of every CLI generation, sandbox-denied outputs, exit codes,
// reset times, the window-full marker, and the run facts merged into one answer. Texts are the ones the real
// CLIs printed against the fake model (test/tools/triage.test.ts makes them), written out by hand.
import { describe, expect, it } from "vitest";
import {
  classifyErrors,
  errorDetails,
  resetTimeFromMessage,
  type ErrorFact,
} from "../../src/sessions/diagnosis-errors.js";
import { exitCodeMeaning, saysItCouldNotFinish } from "../../src/sessions/diagnosis-work.js";
import { diagnose, type RunFacts } from "../../src/sessions/diagnosis.js";
import type { SessionEvent } from "../../src/sessions/events.js";
import { resumeCommandLine } from "../../src/sessions/resume-command.js";
import { normalizeLine } from "../../src/sessions/normalize.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { parseToolOutput } from "../../src/sessions/tool-output.js";
import { tokenUsage } from "../../src/sessions/usage.js";

process.env.TZ = "UTC";

const stream = (message: string): ErrorFact[] => [{ message, source: "stream" }];
const categoryOf = (message: string, info?: string) => classifyErrors([{ message, info, source: "log" }])?.category;

describe("error texts → category, the same on 0.63, 0.100 and 0.169", () => {
  it.each([
    [
      "You’ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/settings/usage to purchase more credits or try again at Jan 1st, 2027 12:00 AM.",
      "usage_limit",
    ],
    ["You've hit your usage limit. Try again later.", "usage_limit"],
    ["Quota exceeded. Check your plan and billing details.", "quota_exhausted"],
    ["To use Codex with your ChatGPT plan, upgrade to Plus: https://openai.com/chatgpt/pricing.", "quota_exhausted"],
    [
      "rate limit exceeded: Rate limit reached for m in organization o on tokens per min (TPM): Limit 30000, Used 29500, Requested 1500. Please try again in 1.5s.",
      "rate_limited",
    ],
    ["stream disconnected before completion: Rate limit reached for m. Please try again in 1.5s.", "rate_limited"],
    ["exceeded retry limit, last status: 429 Too Many Requests, request id: req_1", "rate_limited"],
    ["Selected model is at capacity. Please try a different model.", "server_error"],
    [
      "stream disconnected before completion: Our servers are currently overloaded. Please try again later.",
      "server_error",
    ],
    [
      "stream disconnected before completion: An error occurred while processing your request. Please include the request ID req_1 in your message.",
      "server_error",
    ],
    ["We’re currently experiencing high demand, which may cause temporary errors.", "server_error"],
    ["unexpected status 502 Bad Gateway: Bad gateway., url: http://x/v1/responses, request id: req_1", "server_error"],
    [
      "stream disconnected before completion: Transport error: network error: error decoding response body",
      "server_error",
    ],
    ["exceeded retry limit, last status: 500 Internal Server Error", "server_error"],
    ["Reconnecting... waiting for network (Connection failed: error sending request)", "network_error"],
    ["stream disconnected before completion: error sending request", "network_error"],
    [
      "unexpected status 401 Unauthorized: Incorrect API key provided: sk-fake., url: http://x/v1/responses, request id: req_1",
      "auth_error",
    ],
    ["exceeded retry limit, last status: 401 Unauthorized", "auth_error"],
    [
      "Codex ran out of room in the model's context window. Start a new thread or clear earlier history before retrying.",
      "context_window_exceeded",
    ],
    ['{"error":{"message":"fake: invalid request","type":"invalid_request_error"}}', "model_error"],
  ])("%s", (message, category) => {
    expect(categoryOf(message)).toBe(category);
  });

  it("a Free or Go plan's usage limit resets (it names Plus as an upgrade); a quota or a plan without Codex does not", () => {
    // Codex 0.171 gives all of them the same error info; before, the free plan's words read as a quota
    const info = "usage_limit_exceeded";
    const free =
      "You’ve hit your usage limit. Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or try again at Jan 1st, 2027 12:00 AM.";
    expect(categoryOf(free, info)).toBe("usage_limit");
    expect(categoryOf("Quota exceeded. Check your plan and billing details.", info)).toBe("quota_exhausted");
    expect(
      categoryOf("To use Codex with your ChatGPT plan, upgrade to Plus: https://chatgpt.com/explore/plus.", info),
    ).toBe("quota_exhausted");
    expect(categoryOf("something went wrong", info)).toBe("usage_limit");
  });

  it("Codex's error info decides where the words do not", () => {
    expect(categoryOf("something went wrong", "unauthorized")).toBe("auth_error");
    expect(categoryOf("something went wrong", "server_overloaded")).toBe("server_error");
  });

  it("details: HTTP status, request id, retries, retry-after", () => {
    const facts: ErrorFact[] = [
      { message: "Reconnecting... 1/5 (stream disconnected before completion: x)", source: "stream" },
      { message: "Reconnecting... 2/5 (stream disconnected before completion: x)", source: "stream" },
      {
        message: "unexpected status 503 Service Unavailable: busy, url: http://x, request id: req_9",
        source: "stream",
      },
    ];
    const classified = classifyErrors(facts);
    expect(classified?.category).toBe("server_error");
    expect(errorDetails(classified?.fact ?? { message: "", source: "log" }, facts)).toEqual({
      http_status: 503,
      error_info: null,
      request_id: "req_9",
      retries: 2,
      retry_after: null,
    });
    expect(errorDetails(stream("Please try again in 1.5s.")[0] ?? { message: "", source: "log" }, [])).toMatchObject({
      retry_after: "1.5s",
    });
  });
});

describe("reset time of a usage limit", () => {
  it("Codex's message: a date, a time today, or a wait", () => {
    expect(resetTimeFromMessage("… or try again at Jan 1st, 2027 12:00 AM.", undefined)).toBe(
      "2027-01-01T00:00:00.000Z",
    );
    expect(resetTimeFromMessage("You've hit your usage limit. Try again at Mar 22nd, 2027 3:05 PM.", undefined)).toBe(
      "2027-03-22T15:05:00.000Z",
    );
    expect(
      resetTimeFromMessage("You've hit your usage limit. Try again at 11:30 PM.", "2026-11-29T10:00:00.000Z"),
    ).toBe("2026-11-29T23:30:00.000Z");
    expect(resetTimeFromMessage("Try again in 2 hours 5 minutes.", "2026-11-29T10:00:00.000Z")).toBe(
      "2026-11-29T12:05:00.000Z",
    );
    expect(resetTimeFromMessage("Try again later.", "2026-11-29T10:00:00.000Z")).toBeNull();
  });
});

describe("tool output of every generation", () => {
  it("0.100: a sandbox denial printed as a Debug struct has its exit code and fails", () => {
    const output =
      'exec_command failed: CreateProcess { message: "Codex(Sandbox(Denied { output: ExecToolCallOutput { exit_code: 1, stdout: StreamOutput { text: \\"\\", truncated_after_lines: None }, stderr: StreamOutput { text: \\"touch: cannot touch \'/usr/local/x\': Permission denied\\\\n\\", truncated_after_lines: None }, duration: 0ns, timed_out: false } }))" }';
    expect(parseToolOutput(output)).toMatchObject({
      exitCode: 1,
      isError: true,
      denial: { kind: "write", target: "/usr/local/x", explicit: true },
    });
  });

  it("0.100 SandboxDenied, 0.63 shell JSON, 0.169 unified exec", () => {
    expect(
      parseToolOutput(
        'exec_command failed: SandboxDenied { message: "x", output: ExecToolCallOutput { exit_code: 2, stdout: StreamOutput { text: "" } } }',
      ),
    ).toMatchObject({
      exitCode: 2,
      isError: true,
      denial: { explicit: true },
    });
    expect(
      parseToolOutput(
        '{"output":"touch: cannot touch \'/usr/local/x\': Permission denied\\n","metadata":{"exit_code":1,"duration_seconds":0.0}}',
      ),
    ).toMatchObject({
      exitCode: 1,
      denial: { kind: "write", target: "/usr/local/x", explicit: false },
    });
    expect(
      parseToolOutput(
        "Chunk ID: a\nWall time: 0.0 seconds\nProcess exited with code 1\nOutput:\ntouch: cannot touch '/usr/local/x': Read-only file system\n",
      ),
    ).toMatchObject({
      exitCode: 1,
      denial: { kind: "write", target: "/usr/local/x", explicit: true },
    });
    expect(
      parseToolOutput("Process exited with code 6\nOutput:\ncurl: (6) Could not resolve host: example.com\n").denial,
    ).toEqual({ kind: "network", target: "example.com", explicit: false });
  });

  it("a rejected escalation is a failed call with no exit code", () => {
    for (const text of [
      "approval policy is Never; reject command — you cannot ask for escalated permissions if the approval policy is Never",
      "approval policy is Never; reject command — you should not ask for escalated permissions if the approval policy is Never",
    ]) {
      expect(parseToolOutput(text)).toEqual({
        text,
        isError: true,
        denial: { kind: "escalation", target: null, explicit: true },
      });
    }
  });

  it("exit codes that say more than failed; an agent that gives up", () => {
    expect([-1, 1, 124, 126, 127, 137, 143, 139].map(exitCodeMeaning)).toEqual([
      "killed when the turn ended (interrupted or timed out)",
      null,
      "timed out",
      "not runnable (found, but not executable)",
      "command not found",
      "killed (SIGKILL, often out of memory)",
      "terminated (SIGTERM)",
      "killed by signal 11",
    ]);
    expect(
      [
        "I am giving up.",
        "I could not finish: tests fail.",
        "I was unable to run the build.",
        "All done, tests pass.",
      ].map(saysItCouldNotFinish),
    ).toEqual([true, true, true, false]);
  });
});

const ID = "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
const at = (line: number) => ({ line, timestamp: `2026-11-29T10:00:0${line}.000Z` });
const counter = (input: number, output: number, window: number): SessionEvent => ({
  ...at(3),
  kind: "token_count",
  total: { input, cached_input: 0, output, reasoning_output: 0, total: input + output },
  last: { input, cached_input: 0, output, reasoning_output: 0, total: input + output },
  modelContextWindow: window,
});

describe("token usage after an overflow", () => {
  it("a rate-limit reading on a line whose time is unreadable has no reset time, and does not crash", () => {
    const line = {
      timestamp: "[trimmed]",
      type: "event_msg",
      payload: {
        type: "token_count",
        info: null,
        rate_limits: { primary: { used_percent: 0, window_minutes: 0, resets_in_seconds: 0 } },
      },
    };
    expect(normalizeLine(line, 1)?.[0]).toMatchObject({
      kind: "token_count",
      rateLimits: { primary: { used_percent: 0, window_minutes: 0, resets_at: null } },
    });
  });

  it("the window-full marker is not a count", async () => {
    const marker: SessionEvent = {
      ...at(4),
      kind: "token_count",
      total: { input: 0, cached_input: 0, output: 0, reasoning_output: 0, total: 10000 },
      last: { input: 0, cached_input: 0, output: 0, reasoning_output: 0, total: 10000 },
      modelContextWindow: 10000,
    };
    const model = await foldEvents([{ ...at(1), kind: "user_message", text: "go" }, counter(1200, 60, 10000), marker]);
    expect(tokenUsage(model)).toMatchObject({
      total: { input: 1200, output: 60, total: 1260 },
      context_used_percent: 12.6,
      context_window_full: true,
      note: "The context window filled up: a request overflowed it (Codex's window-full marker is not a count; totals and context_used_percent come from the last real counter).",
    });
  });

  it("a request above 80% of the window says so", async () => {
    const model = await foldEvents([{ ...at(1), kind: "user_message", text: "go" }, counter(8200, 100, 10000)]);
    expect(tokenUsage(model)).toMatchObject({
      context_used_percent: 83,
      context_window_full: false,
      note: "The newest request used 83% of the context window: the next turns may overflow it.",
    });
    expect(diagnose(model, { sessionId: ID }).evidence).toContain(
      "the newest request used 83% of the context window: the next turn may overflow it",
    );
  });
});

describe("run facts merged with the log", () => {
  const facts = (over: Partial<RunFacts>): RunFacts => ({
    runId: "run_1",
    status: "failed",
    alive: false,
    startedAt: "2026-11-29T10:00:00.000Z",
    endedAt: "2026-11-29T10:00:09.000Z",
    error: null,
    errors: [],
    stderrTail: "",
    ...over,
  });
  const prompted = (): SessionEvent[] => [
    { ...at(1), kind: "turn_started", turnId: "t1" },
    { ...at(2), kind: "user_message", text: "go" },
  ];

  it("a live run is running, whatever the log says; a dead one without an end is interrupted", async () => {
    const model = await foldEvents(prompted());
    expect(diagnose(model, { sessionId: ID, run: facts({ status: "running", alive: true }) })).toMatchObject({
      category: "running",
      next_command: null,
      activity: { message: "waiting for the model" },
    });
    expect(diagnose(model, { sessionId: ID, run: facts({ status: "running", alive: false }) }).category).toBe(
      "interrupted",
    );
  });

  it("a live run's own progress (its supervisor's stream) is what it does now when it is newer than the log", async () => {
    const model = await foldEvents(prompted());
    const newer = { at: "2026-11-29T10:00:05.000Z", message: "running: npm test" };
    const older = { at: "2026-11-29T10:00:01.000Z", message: "session: x" };
    expect(
      diagnose(model, { sessionId: ID, run: facts({ status: "running", alive: true, activity: newer }) }).activity,
    ).toEqual(newer);
    expect(
      diagnose(model, { sessionId: ID, run: facts({ status: "running", alive: true, activity: older }) }).activity,
    ).toEqual({ at: "2026-11-29T10:00:02.000Z", message: "waiting for the model" });
  });

  it("0.63 keeps the error in the stream: the stream classifies the incomplete turn", async () => {
    const model = await foldEvents(prompted());
    const diagnosis = diagnose(model, {
      sessionId: ID,
      run: facts({
        errors: [
          "stream disconnected before completion: Our servers are currently overloaded. Please try again later.",
        ],
      }),
    });
    expect(diagnosis).toMatchObject({ category: "server_error", retryable: true, error: { source: "stream" } });
  });

  it("a run that ended before the last turn began did not run it: its errors are not that turn's", async () => {
    // a run that failed with 401, then a resume by hand whose turn was killed
    const model = await foldEvents([
      { ...at(1), kind: "turn_started", turnId: "t1" },
      { ...at(2), kind: "user_message", text: "go" },
      { ...at(3), kind: "error", message: "unexpected status 401 Unauthorized: Missing bearer" },
      { ...at(4), kind: "turn_ended", turnId: "t1", outcome: "failed", lastAgentMessage: null },
      { ...at(7), kind: "turn_started", turnId: "t2" },
      { ...at(8), kind: "user_message", text: "by hand" },
    ]);
    const run = facts({
      startedAt: "2026-11-29T10:00:00.500Z",
      endedAt: "2026-11-29T10:00:05.000Z",
      errors: ["unexpected status 401 Unauthorized: Missing bearer"],
    });
    expect(diagnose(model, { sessionId: ID, run }).category).toBe("interrupted");
    // control: a run still going when the turn began is that turn's (its 401 decides)
    expect(diagnose(model, { sessionId: ID, run: { ...run, endedAt: "2026-11-29T10:00:09.000Z" } }).category).toBe(
      "auth_error",
    );
  });

  it("next commands name CODEX_HOME, the binary and --skip-git-repo-check when not the defaults", async () => {
    const model = await foldEvents([
      ...prompted(),
      { ...at(3), kind: "agent_message", text: "ok" },
      { ...at(4), kind: "turn_ended", turnId: "t1", outcome: "completed", lastAgentMessage: "ok" },
    ]);
    const diagnosis = diagnose(model, {
      sessionId: ID,
      cwd: "/w",
      invocation: { codexHome: "/my home", codexBin: "/opt/codex" },
      run: facts({ status: "completed", skipGitRepoCheck: true }),
    });
    expect(diagnosis.next_command).toBe(
      `CODEX_HOME='/my home' /opt/codex exec --cd /w --skip-git-repo-check resume ${ID} 'Continue where you left off.'`,
    );
    expect(resumeCommandLine({ sessionId: ID, model: "gpt-big", options: ["-c", "a=b"] })).toBe(
      `codex exec --model gpt-big -c a=b resume ${ID} 'Continue where you left off.'`,
    );
    // a log's id that is not a UUID is never printed: quoted, `--config=…` would still be an option to Codex
    expect(resumeCommandLine({ sessionId: "x; rm -rf ~", cwd: "/a b" })).toBe(
      "codex exec --cd '/a b' resume '<session id: the log'\\''s is not a UUID>' 'Continue where you left off.'",
    );
  });

  it("an unreachable host is the sandbox's doing only when the sandbox had no network", async () => {
    const turn = (networkAccess: boolean): SessionEvent[] => [
      { ...at(1), kind: "turn_context", turnId: "t1", sandbox: "workspace-write", networkAccess, cwd: "/w" },
      ...prompted(),
      {
        ...at(3),
        kind: "call",
        callId: "c1",
        name: "exec_command",
        arguments: {},
        command: "curl https://example.com",
      },
      {
        ...at(4),
        kind: "call_output",
        callId: "c1",
        text: "",
        exitCode: 6,
        denial: { kind: "network", target: "example.com", explicit: false },
      },
      { ...at(5), kind: "agent_message", text: "The download failed." },
      { ...at(6), kind: "turn_ended", turnId: "t1", outcome: "completed", lastAgentMessage: "The download failed." },
    ];
    const blocked = diagnose(await foldEvents(turn(false)), { sessionId: ID, cwd: "/w" });
    expect(blocked).toMatchObject({
      category: "sandbox_blocked",
      sandbox_denials: [{ kind: "network", target: "example.com", mode: "workspace-write" }],
    });
    expect(blocked.next_command).toBe(
      `codex exec --cd /w --sandbox workspace-write -c sandbox_workspace_write.network_access=true resume ${ID} 'Network access is allowed now; run the blocked commands again.'`,
    );
    expect(diagnose(await foldEvents(turn(true)), { sessionId: ID, cwd: "/w" })).toMatchObject({
      category: "command_failures",
      sandbox_denials: [],
    });
  });
});
