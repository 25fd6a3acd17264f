// The report's per-session shortcuts (skipping work whose cheap precondition fails) answer exactly what the
// work itself answers: each is compared with the unshortened computation on texts on both sides of its test.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { diagnose, type Diagnosis } from "../../../src/sessions/diagnosis.js";
import { readableError } from "../../../src/sessions/diagnosis-errors.js";
import { rateLimits } from "../../../src/sessions/normalize-fields.js";
import { failureSignature, signatureOf } from "../../../src/sessions/report/signature.js";
import { denialIn, denialOf } from "../../../src/sessions/tool-output.js";
import { newReadStats, readForward } from "../../../src/sessions/rollout-reader.js";
import { foldEvents, SessionFolder, type SessionModel } from "../../../src/sessions/session-model.js";
import { ALL_FIXTURES, FIXTURES } from "../../support/fixtures.js";
import { at, failedTurn } from "../../support/session-events.js";

/** readableError without its precondition: the parse and the provider-body check on every text. */
function readableErrorByParse(message: string): string {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return message;
  }
  const body = z.object({ error: z.object({ message: z.string() }) }).safeParse(value);
  return body.success ? body.data.error.message : message;
}

const BODY = '{"error": {"message": "Rate limit reached for gpt-5 in organization org-123", "type": "requests"}}';

describe("readableError's precondition (only text that starts as a JSON object is parsed)", () => {
  it("reads every body JSON.parse reads, whatever JSON whitespace leads it", () => {
    for (const lead of ["", " ", "\t", "\n", "\r", " \r\n\t  "]) {
      expect(readableError(`${lead}${BODY}`)).toBe("Rate limit reached for gpt-5 in organization org-123");
      expect(readableError(`${lead}${BODY}${lead}`)).toBe(readableErrorByParse(`${lead}${BODY}${lead}`));
    }
  });

  it("returns every other text as it is, as the parse does", () => {
    const texts = [
      "",
      "stream error: unexpected status 429",
      "\uFEFF" + BODY, // a BOM is not JSON whitespace: JSON.parse refuses it
      "\u00A0" + BODY,
      "x" + BODY,
      `[${BODY}]`,
      '"quoted"',
      "42",
      "{",
      '{"error": "flat"}',
      '{"error": {"message": 5}}',
      '{"detail": {"message": "no"}}',
      "{not json at all}",
    ];
    for (const text of texts) expect(readableError(text), JSON.stringify(text)).toBe(readableErrorByParse(text));
  });
});

describe("diagnose without command lines (commandLines: false, the report's digest)", () => {
  const ID = "019bfe00-0000-7000-8000-000000000001";
  const ERRORS: Array<[string, string?]> = [
    ["You've hit your usage limit. Try again later.", "usage_limit_exceeded"],
    ["exceeded retry limit, last status: 429 Too Many Requests"],
    ["Codex ran out of room in the model's context window.", "context_window_exceeded"],
    ["unexpected status 401 Unauthorized: Incorrect API key provided"],
    ["stream error: error sending request for url (https://api.openai.com/v1/responses)"],
    ["unexpected status 500 Internal Server Error"],
    ['{"error": {"message": "The model `gpt-9` does not exist", "type": "invalid_request_error"}}'],
    ["something nobody classifies"],
    [""],
  ];

  async function models(): Promise<Array<[string, SessionModel]>> {
    const shapes = readdirSync(join(FIXTURES, "shapes"))
      .filter((name) => name.endsWith(".jsonl"))
      .map((name) => join(FIXTURES, "shapes", name));
    const paths = [...ALL_FIXTURES.map((entry) => entry.path).filter((path) => path.endsWith(".jsonl")), ...shapes];
    const folded: Array<[string, SessionModel]> = [];
    for (const path of paths) {
      const folder = new SessionFolder({ compact: { reasoningLimit: 0, textChars: 500 } });
      await readForward(path, newReadStats(), (event) => folder.add(event));
      folded.push([path, folder.model]);
    }
    for (const [message, info] of ERRORS) folded.push([message, await foldEvents(failedTurn(message, info))]);
    folded.push(["no turn", await foldEvents([])]);
    // a turn cut short with the context window nearly full: evidence that is not the turn's own
    const usage = { input: 95_000, cached_input: 0, output: 0, reasoning_output: 0, total: 95_000 };
    folded.push([
      "nearly full",
      await foldEvents([
        ...failedTurn("").slice(0, 2),
        { ...at(3), kind: "token_count", total: usage, last: usage, modelContextWindow: 100_000 },
      ]),
    ]);
    // a completed turn whose MCP call was cancelled for want of an approval (approval_required)
    folded.push([
      "approval",
      await foldEvents([
        ...failedTurn("").slice(0, 2),
        { ...at(3), kind: "call", callId: "c1", name: "mcp__docs__search", arguments: {} },
        {
          ...at(4),
          kind: "call_output",
          callId: "c1",
          text: "user cancelled MCP tool call",
          isError: true,
          denial: { kind: "approval", target: null, explicit: true },
        },
        { ...at(5), kind: "agent_message", text: "The search needs an approval." },
        { ...at(6), kind: "turn_ended", turnId: "t1", outcome: "completed", lastAgentMessage: null },
      ]),
    ]);
    return folded;
  }

  const withoutNextStep = (diagnosis: Diagnosis) => ({ ...diagnosis, next_step: "", next_command: null });

  it("gives what the full diagnosis gives, but the next step, on every fixture and error category", async () => {
    const categories = new Set<string>();
    for (const [name, model] of await models()) {
      const input = { sessionId: ID, cwd: model.lastContext?.cwd ?? "/w" };
      const full = diagnose(model, input);
      const digest = diagnose(model, { ...input, commandLines: false });
      expect(withoutNextStep(digest), name).toEqual(withoutNextStep(full));
      categories.add(full.category);
    }
    // the comparison covers the categories a log alone can show
    expect([...categories].sort()).toEqual(
      [
        "aborted",
        "approval_required",
        "auth_error",
        "command_failures",
        "completed",
        "context_window_exceeded",
        "empty",
        "interrupted",
        "model_error",
        "network_error",
        "rate_limited",
        "sandbox_blocked",
        "server_error",
        "usage_limit",
      ].sort(),
    );
  });
});

describe("failureSignature remembers signatures by exact text", () => {
  it("answers what a signature made afresh answers, in any order, past the bound, for near-equal texts", () => {
    const texts = [
      "`cargo test` exited with 101",
      "`cargo test` exited with 101 ",
      "`cargo test`  exited with 101",
      "`cargo test` exited with 102",
      '{"error": {"message": "Rate limit reached for gpt-5 in organization org-123"}}',
      "Rate limit reached for gpt-5 in organization org-123",
      `${"w".repeat(210)} one`,
      `${"w".repeat(210)} two`,
      `${"x".repeat(999)}1`,
      `${"x".repeat(999)}1 at /home/ci/repo/src/main.rs`,
      `${"y".repeat(1000)} /a/b/c`,
      `${"y".repeat(1000)} /a/b/d`,
      ...Array.from({ length: 600 }, (_, i) => `turn ${i} failed at /srv/run-${i % 7}/log: ${"z".repeat(i % 13)}`),
    ];
    const first = texts.map((text) => failureSignature(text));
    expect(first).toEqual(texts.map(signatureOf));
    expect([...texts].reverse().map((text) => failureSignature(text))).toEqual([...first].reverse());
    expect(new Set(first.slice(0, 4)).size).toBe(1); // whitespace and the number differ: one signature
  });
});

describe("rate-limit reset times, remembered two at a time", () => {
  it("are each window's own, whatever order the windows' times come in", () => {
    const seconds = [1795500000, 1795586400, 1795500000, 1795586400, 1795586400, 1795600000, 1795500000, 1795600000];
    for (let i = 0; i + 1 < seconds.length; i++) {
      const [primary, secondary] = [seconds[i] ?? 0, seconds[i + 1] ?? 0];
      const limits = rateLimits(
        { primary: { used_percent: 1, resets_at: primary }, secondary: { used_percent: 2, resets_at: secondary } },
        undefined,
      );
      expect([limits?.primary?.resets_at, limits?.secondary?.resets_at]).toEqual([
        new Date(primary * 1000).toISOString(),
        new Date(secondary * 1000).toISOString(),
      ]);
    }
    const relative = rateLimits({ primary: { resets_in_seconds: 60 } }, "2026-01-28T10:00:00.000Z");
    expect(relative?.primary?.resets_at).toBe("2026-01-28T10:01:00.000Z");
  });
});

describe("denialOf's word test (an output naming none of the words of a denial is none)", () => {
  // one text per shape denialIn reads, each a denial: a word missing from the test would make it undefined
  const DENIALS = [
    "approval policy is Never; reject command — you cannot ask for escalated permissions",
    "exec command rejected by user",
    "rejected by user",
    "sandbox-exec: sandbox_apply: Operation not permitted",
    "MCP tool call requires approval, but approval policy is never",
    "user cancelled MCP tool call",
    "exec_command failed: CreateProcess { Sandbox(Denied { output: ExecToolCallOutput { exit_code: 1",
    "error: SandboxDenied",
    "codex: sandbox denied exec error",
    "command failed in sandbox",
    "touch: cannot touch '/etc/x': Read-only file system",
    'mkdir: cannot create directory \\"/srv/out\\": Permission denied',
    "cp: cannot create regular file '/opt/a': Operation not permitted",
    "bash: line 1: notes.txt: Read-only file system",
    "zsh:1: read-only file system: notes.txt",
    "zsh: permission denied: ./run.sh",
    "zsh: operation not permitted: x",
    "curl: (6) Could not resolve host: example.com",
    "curl: (7) Failed to connect to localhost port 8080 after 0 ms",
    "npm ERR! getaddrinfo ENOTFOUND registry.npmjs.org",
    "getaddrinfo EAI_AGAIN github.com",
    "ping: connect: Network is unreachable",
    "Temporary failure in name resolution",
  ];

  it("reads every shape as denialIn does, and each of them is a denial", () => {
    for (const text of DENIALS) {
      expect(denialIn(text), text).toBeDefined();
      expect(denialOf(text), text).toEqual(denialIn(text));
      const upper = text.toUpperCase();
      expect(denialOf(upper), upper).toEqual(denialIn(upper));
    }
  });

  const DENIALS_IN_FIXTURES = 11;
  it("answers as denialIn on every output of the fixtures", () => {
    const logs = [
      ...ALL_FIXTURES.map((entry) => entry.path).filter((path) => path.endsWith(".jsonl")),
      ...readdirSync(join(FIXTURES, "shapes"))
        .filter((name) => name.endsWith(".jsonl"))
        .map((name) => join(FIXTURES, "shapes", name)),
    ];
    let outputs = 0;
    let denials = 0;
    for (const path of logs)
      for (const line of readFileSync(path, "utf8").split("\n")) {
        const output = /"output":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
        if (output === undefined) continue;
        const text = JSON.parse(`"${output}"`) as string;
        expect(denialOf(text), text).toEqual(denialIn(text));
        outputs += 1;
        if (denialIn(text)) denials += 1;
      }
    expect([outputs, denials]).toEqual([71, DENIALS_IN_FIXTURES]);
  });
});
