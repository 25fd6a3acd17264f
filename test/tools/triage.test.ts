// session_summary's diagnosis on the failures users actually hit: the real Codex CLI (0.169, and 0.100 / 0.63
// where they behave differently) against a fake model endpoint that fails the way the OpenAI and ChatGPT
// backends do. Every case asserts the category, retryable, resets_at and the failing commands, runs the
// pasteable next command in a shell that has no CODEX_HOME, and checks that the CLI and the resource agree.
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RunView } from "../../src/runs/run-manager.js";
import { runCommand } from "../../src/commands/index.js";
import { CATEGORY_GUIDE, DIAGNOSIS_CATEGORIES, type Diagnosis } from "../../src/sessions/index.js";
import { codexEnv, makeCodexHome } from "../support/codex-home.js";
import { followRun } from "../../src/sessions/follow-run.js";
import { codexVersion, PINNED_CODEX } from "../support/codex-versions.js";
import { FAKE_REQUEST_ID, startFakeModel, type FakeModel } from "../support/fake-model.js";
import { connect, testConfig, textOf, type Connected } from "../support/mcp.js";

// Codex prints a usage limit's reset time in its local zone; the test's children run in UTC, and so does this reader.
process.env.TZ = "UTC";

let model: FakeModel;
/** A shell for pasting commands: another HOME, no CODEX_HOME, so the command must name what it needs. */
let elsewhere: string;

beforeAll(async () => {
  model = await startFakeModel();
  elsewhere = await realpath(await mkdtemp(join(tmpdir(), "ccm-elsewhere-")));
});
afterAll(async () => model.close());

interface Triaged {
  mcp: Connected;
  run: RunView;
  diagnosis: Diagnosis;
  summary: { session_id: string; counts: { turns: number }; turns: Array<{ prompt: string | null }> };
}

interface Server {
  mcp: Connected;
  home: string;
  workdir: string;
}

async function server(bin: string, name: string): Promise<Server> {
  const { home, workdir } = await makeCodexHome(model.url, name);
  const mcp = await connect(testConfig({ codexHome: home, codexBin: bin, childEnv: codexEnv(home), waitMs: 120_000 }));
  return { mcp, home, workdir };
}

async function triage(at: Server, prompt: string, args: Record<string, unknown> = {}): Promise<Triaged> {
  const result = await at.mcp.call("run_codex", { cwd: at.workdir, skip_git_repo_check: true, prompt, ...args });
  expect(result.isError, textOf(result)).toBeFalsy();
  const run = result.structuredContent as unknown as RunView;
  expect(run.session_id).toBeTruthy();
  const summary = (await at.mcp.call("session_summary", { session_id: run.session_id }))
    .structuredContent as unknown as Triaged["summary"] & { diagnosis: Diagnosis };
  await sameAnswerElsewhere(at.mcp, summary.session_id, summary.diagnosis);
  return { mcp: at.mcp, run, diagnosis: summary.diagnosis, summary };
}

/** The CLI for people and the codex://sessions resource give the tool's diagnosis. */
async function sameAnswerElsewhere(mcp: Connected, sessionId: string, diagnosis: Diagnosis): Promise<void> {
  const read = await mcp.client.readResource({ uri: `codex://sessions/${sessionId}` });
  const resource = JSON.parse((read.contents[0] as { text: string }).text) as { diagnosis: Diagnosis };
  expect(resource.diagnosis).toEqual(diagnosis);
  const printed: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    await runCommand(["summary", sessionId, "--json"], mcp.config);
  } finally {
    write.mockRestore();
  }
  // the same diagnosis; only how to follow or stop a running run is worded for a person at a shell
  const runId = /run_id "([^"]+)"/.exec(diagnosis.next_step)?.[1] ?? "";
  const forPerson =
    diagnosis.category === "running"
      ? { ...diagnosis, next_step: diagnosis.next_step.replace(followRun(runId, "agent"), followRun(runId, "person")) }
      : diagnosis;
  expect((JSON.parse(printed.join("")) as { diagnosis: Diagnosis }).diagnosis).toEqual(forPerson);
}

/** Runs next_command as a person would paste it, and checks it continued the same session (or started one). */
async function pasteNextCommand(at: Server, triaged: Triaged, expectNewSession = false): Promise<void> {
  const command = triaged.diagnosis.next_command;
  expect(command).toBeTruthy();
  expect(command).toContain(`CODEX_HOME=${at.home}`);
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: elsewhere,
    OPENAI_API_KEY: "sk-fake",
    TZ: "UTC",
    NO_COLOR: "1",
    RUST_LOG: "error",
  };
  const child = promisify(execFile)("sh", ["-c", command ?? ""], { cwd: elsewhere, env, timeout: 120_000 });
  child.child.stdin?.end();
  await child;
  const after = (await at.mcp.call("session_summary", { session_id: triaged.summary.session_id }))
    .structuredContent as unknown as Triaged["summary"];
  if (expectNewSession) {
    expect(after.counts.turns).toBe(triaged.summary.counts.turns);
    const newest = (await at.mcp.call("session_summary", { session_id: "last" }))
      .structuredContent as unknown as Triaged["summary"];
    expect(newest.session_id).not.toBe(triaged.summary.session_id);
    expect(newest.turns[0]?.prompt).toContain(`Continue the work of Codex session ${triaged.summary.session_id}`);
  } else {
    expect(after.counts.turns).toBe(triaged.summary.counts.turns + 1);
  }
}

const USAGE_RESET = "2027-01-01T00:00:00.000Z";

describe("Codex 0.169", () => {
  let at: Server;
  beforeAll(async () => {
    at = await server(PINNED_CODEX, "triage169");
  });
  afterAll(async () => at.mcp.close());

  it("completed", async () => {
    const triaged = await triage(at, "please say hi");
    expect(triaged.diagnosis).toMatchObject({
      category: "completed",
      retryable: false,
      resets_at: null,
      failed_commands: [],
      sandbox_denials: [],
    });
    await pasteNextCommand(at, triaged);
  });

  it("command_failures: every failing command with what its code means, and a final 'I am giving up' though the last command passed", async () => {
    const triaged = await triage(
      at,
      "please STEPS: RUN:no-such-command-ccm ;; RUN:timeout 0.1 sleep 5 ;; RUN:kill -9 $$ ;; RUN:exit 3 ;; RUN:true ;; SAY:I am giving up: the build keeps failing.",
    );
    expect(triaged.diagnosis).toMatchObject({
      category: "command_failures",
      retryable: false,
      resets_at: null,
      sandbox_denials: [],
    });
    expect(
      triaged.diagnosis.failed_commands.map(({ command, exit_code, meaning }) => [command, exit_code, meaning]),
    ).toEqual([
      ["no-such-command-ccm", 127, "command not found"],
      ["timeout 0.1 sleep 5", 124, "timed out"],
      ["kill -9 $$", 137, "killed (SIGKILL, often out of memory)"],
      ["exit 3", 3, null],
    ]);
    expect(triaged.diagnosis.evidence[0]).toBe("turn 1 completed, but the agent says it could not finish");
    await pasteNextCommand(at, triaged);
  }, 300_000);

  it("sandbox_blocked: a write outside the workspace and an escalation the approval policy rejected", async () => {
    const triaged = await triage(
      at,
      "please STEPS: RUN:touch /usr/local/ccm-blocked ;; ESCALATE:touch /usr/local/ccm-blocked ;; SAY:Done.",
      { mode: "sandboxed" },
    );
    expect(triaged.diagnosis).toMatchObject({ category: "sandbox_blocked", retryable: false, resets_at: null });
    expect(
      triaged.diagnosis.sandbox_denials.map(({ command, kind, target, mode }) => [command, kind, target, mode]),
    ).toEqual([
      ["touch /usr/local/ccm-blocked", "write", "/usr/local/ccm-blocked", "workspace-write"],
      ["touch /usr/local/ccm-blocked", "escalation", null, "workspace-write"],
    ]);
    expect(triaged.diagnosis.next_step).toMatch(/needs the operator's consent/);
    expect(triaged.diagnosis.next_command).toContain("--dangerously-bypass-approvals-and-sandbox");
    await pasteNextCommand(at, triaged);
  });

  it("model_error", async () => {
    const triaged = await triage(at, "please FAIL400");
    expect(triaged.diagnosis).toMatchObject({ category: "model_error", retryable: false, resets_at: null });
  });

  it("auth_error: a 401 with its request id", async () => {
    const triaged = await triage(at, "please STEPS: FAIL:unauthorized");
    expect(triaged.diagnosis).toMatchObject({
      category: "auth_error",
      retryable: false,
      error: { http_status: 401, request_id: FAKE_REQUEST_ID },
    });
    // before: "run `codex login`", whose credentials 0.171 does not send to this provider (no requires_openai_auth)
    expect(triaged.diagnosis.next_step).toBe(
      `The model provider "mock" rejected the credentials: fix the API key it takes, the variable its env_key names in [model_providers.mock] of CODEX_HOME's config.toml (a table without env_key sends no key: add one, and set that variable; \`CODEX_HOME=${at.home} ${PINNED_CODEX} login\` helps only a provider with requires_openai_auth = true, and there a CODEX_API_KEY in the environment is used before the login), then run: ${triaged.diagnosis.next_command}`,
    );
    // the resume it prints, pasted once the key is right (the fake model takes any): the session goes on
    await pasteNextCommand(at, triaged);
  });

  it("quota_exhausted: insufficient_quota is billing, not a wait", async () => {
    const triaged = await triage(at, "please STEPS: FAIL:insufficient_quota");
    expect(triaged.diagnosis).toMatchObject({
      category: "quota_exhausted",
      retryable: false,
      resets_at: null,
      error: { error_info: "usage_limit_exceeded" },
    });
  });

  it("usage_limit: the reset time from Codex's message, with and without x-codex headers", async () => {
    for (const prompt of [
      "please STEPS: RUN:exit 3 ;; FAIL:usage_limit",
      "please NOHEADERS STEPS: RUN:exit 3 ;; FAIL:usage_limit",
      "please LIMITHEADERS STEPS: RUN:exit 3 ;; FAIL:usage_limit",
    ]) {
      const triaged = await triage(at, prompt);
      expect(triaged.diagnosis).toMatchObject({ category: "usage_limit", retryable: true, resets_at: USAGE_RESET });
      expect(triaged.diagnosis.failed_commands.map((failed) => failed.exit_code)).toEqual([3]);
      expect(triaged.diagnosis.next_step).toBe(
        `Wait until ${USAGE_RESET}, then run: ${triaged.diagnosis.next_command}`,
      );
      expect(
        triaged.diagnosis.evidence.includes(
          `the primary rate-limit window (300 min) is 100% used until ${USAGE_RESET}`,
        ),
      ).toBe(prompt.includes("LIMITHEADERS"));
      await pasteNextCommand(at, triaged);
    }
  }, 300_000);

  it("rate_limited: response.failed with retry-after, and a 429", async () => {
    const failed = await triage(at, "please STEPS: FAIL:rate_limit");
    expect(failed.diagnosis).toMatchObject({
      category: "rate_limited",
      retryable: true,
      resets_at: null,
      error: { retry_after: "1.5s" },
    });
    await pasteNextCommand(at, failed);
    const http = await triage(at, "please STEPS: FAIL:rate_limit_429");
    expect(http.diagnosis).toMatchObject({
      category: "rate_limited",
      retryable: true,
      error: { http_status: 429, request_id: FAKE_REQUEST_ID },
    });
  }, 300_000);

  it("server_error: server_error, overloaded, 500, 502 and a dropped stream", async () => {
    for (const kind of ["server_error", "overloaded", "http500", "http502", "drop"]) {
      const triaged = await triage(at, `please STEPS: FAIL:${kind}`);
      expect([kind, triaged.diagnosis.category, triaged.diagnosis.retryable]).toEqual([kind, "server_error", true]);
      if (kind === "server_error") {
        expect(triaged.diagnosis.error).toMatchObject({ request_id: FAKE_REQUEST_ID });
        await pasteNextCommand(at, triaged);
      }
    }
  }, 300_000);

  it("context_window_exceeded: the window-full marker is not a count, and the next step starts afresh", async () => {
    const triaged = await triage(at, "please STEPS: RUN:echo a ;; FAIL:context");
    expect(triaged.diagnosis).toMatchObject({ category: "context_window_exceeded", retryable: false, resets_at: null });
    const usage = (await at.mcp.call("token_usage", { session_id: triaged.summary.session_id })).structuredContent;
    expect(usage).toMatchObject({
      total: { input: 1200, output: 60, total: 1260 },
      context_window_full: true,
      context_used_percent: 0.5,
      note: expect.stringContaining("The context window filled up"),
    });
    await pasteNextCommand(at, triaged, true);
  });

  it("timeout, cancelled and running: the run ledger decides", async () => {
    const hung = await triage(at, "please HANG", { timeout_ms: 3000 });
    expect(hung.diagnosis).toMatchObject({ category: "timeout", retryable: false });
    // pasted, the printed resume (codex exec has no timeout of this server's) finishes the turn
    await pasteNextCommand(at, hung);

    let started = (
      await at.mcp.call("run_codex", {
        cwd: at.workdir,
        skip_git_repo_check: true,
        prompt: "please RUN:sleep 30",
        background: true,
      })
    ).structuredContent as unknown as RunView;
    // a background run answers at once: its session id comes when Codex has started the session
    while (!started.session_id) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      started = (await at.mcp.call("run_status", { run_id: started.run_id })).structuredContent as unknown as RunView;
    }
    // Codex names the session before it writes the rollout: until then session_summary finds no session
    let running = (await at.mcp.call("session_summary", { session_id: started.session_id })).structuredContent as
      { diagnosis: Diagnosis } | undefined;
    while (!running?.diagnosis.activity?.message.startsWith("running: sleep 30")) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      running = (await at.mcp.call("session_summary", { session_id: started.session_id })).structuredContent as
        { diagnosis: Diagnosis } | undefined;
    }
    // Codex may still log the turn's reasoning after the command starts: wait until two reads a second apart
    // agree (the 30 s command then logs nothing more), so the other readers below see the same state
    for (let settled = false, tries = 0; !settled && tries < 30; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const again = (await at.mcp.call("session_summary", { session_id: started.session_id })).structuredContent as {
        diagnosis: Diagnosis;
      };
      settled = JSON.stringify(again.diagnosis) === JSON.stringify(running.diagnosis);
      running = again;
    }
    expect(running.diagnosis).toMatchObject({ category: "running", retryable: false, next_command: null });
    await sameAnswerElsewhere(at.mcp, started.session_id ?? "", running.diagnosis);
    await at.mcp.call("cancel_run", { run_id: started.run_id });
    const cancelled = (await at.mcp.call("session_summary", { session_id: started.session_id }))
      .structuredContent as unknown as Triaged["summary"] & { diagnosis: Diagnosis };
    expect(cancelled.diagnosis).toMatchObject({ category: "cancelled", retryable: true });
    await pasteNextCommand(at, { mcp: at.mcp, run: started, diagnosis: cancelled.diagnosis, summary: cancelled });
  }, 300_000);
});

describe("Codex 0.169 run by hand (no ledger)", () => {
  let at: Server;
  beforeAll(async () => {
    at = await server(PINNED_CODEX, "triage-byhand");
  });
  afterAll(async () => at.mcp.close());

  /** Starts `codex exec` as a person would, waits until the model has the request, then sends the signal. */
  async function byHand(signal: NodeJS.Signals): Promise<Diagnosis> {
    const before = model.requests.length;
    const child = spawn(PINNED_CODEX, ["exec", "--json", "--skip-git-repo-check", "--cd", at.workdir, "please HANG"], {
      env: codexEnv(at.home),
      detached: true,
      stdio: ["ignore", "ignore", "ignore"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    while (model.requests.length === before) await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(-(child.pid ?? 0), signal);
    await exited;
    if (signal === "SIGKILL") await new Promise((resolve) => setTimeout(resolve, 300)); // the group's other members
    const summary = (await at.mcp.call("session_summary", { session_id: "last" })).structuredContent as {
      session_id: string;
      diagnosis: Diagnosis;
    };
    await sameAnswerElsewhere(at.mcp, summary.session_id, summary.diagnosis);
    return summary.diagnosis;
  }

  it("aborted: Ctrl-C", async () => {
    const diagnosis = await byHand("SIGINT");
    expect(diagnosis).toMatchObject({ category: "aborted", retryable: true, error: null });
    expect(diagnosis.next_command).toContain(`CODEX_HOME=${at.home}`);
  });

  it("interrupted: killed", async () => {
    const diagnosis = await byHand("SIGKILL");
    expect(diagnosis).toMatchObject({ category: "interrupted", retryable: true, error: null });
  });

  it("empty: the log ends before the prompt", async () => {
    const id = "01a2ffff-0000-7000-8000-00000000e111";
    const dir = join(at.home, "sessions", "2026", "11", "29");
    await mkdir(dir, { recursive: true });
    const meta = {
      timestamp: "2026-11-29T10:00:00.000Z",
      type: "session_meta",
      payload: {
        id,
        timestamp: "2026-11-29T10:00:00.000Z",
        cwd: at.workdir,
        cli_version: "0.169.0",
        originator: "codex_exec",
      },
    };
    await writeFile(join(dir, `rollout-2026-11-29T10-00-00-${id}.jsonl`), `${JSON.stringify(meta)}\n`);
    const summary = (await at.mcp.call("session_summary", { session_id: id })).structuredContent as {
      diagnosis: Diagnosis;
    };
    expect(summary.diagnosis).toMatchObject({ category: "empty", retryable: true, next_command: null });
    await sameAnswerElsewhere(at.mcp, id, summary.diagnosis);
  });
});

describe("docs/tools.md", () => {
  it("lists every category with its meaning, retryable and next step, as the code has them", async () => {
    const readme = await readFile(join(import.meta.dirname, "..", "..", "docs", "tools.md"), "utf8");
    const rows = [...readme.matchAll(/^\| `(\w+)` \| (.+) \| (yes|no) \| (.+) \|$/gm)].filter((row) =>
      (DIAGNOSIS_CATEGORIES as readonly string[]).includes(row[1] ?? ""),
    );
    expect(rows.map((row) => row[1])).toEqual([...DIAGNOSIS_CATEGORIES]);
    for (const [, category, meaning, retryable, next] of rows) {
      const guide = CATEGORY_GUIDE[category as Diagnosis["category"]];
      expect([category, meaning, retryable, next]).toEqual([
        category,
        guide.meaning,
        guide.retryable ? "yes" : "no",
        guide.next,
      ]);
    }
  });
});

describe("Codex 0.169 with an unreachable endpoint", () => {
  it("network_error, not timeout: Codex spent the run waiting for the network", async () => {
    const { home, workdir } = await makeCodexHome("http://127.0.0.1:9/v1", "triage-offline");
    const mcp = await connect(
      testConfig({ codexHome: home, codexBin: PINNED_CODEX, childEnv: codexEnv(home), waitMs: 120_000 }),
    );
    try {
      const triaged = await triage({ mcp, home, workdir }, "please say hi", { timeout_ms: 5000 });
      expect(triaged.run.status).toBe("timeout");
      expect(triaged.diagnosis).toMatchObject({
        category: "network_error",
        retryable: true,
        error: { source: "stream" },
      });
      expect(triaged.diagnosis.error?.retries).toBeGreaterThan(0);
    } finally {
      await mcp.close();
    }
  });
});

describe.each(["0.100.0", "0.63.0"])("Codex %s: the same failure gets the same category", (version) => {
  let at: Server;
  beforeAll(async () => {
    at = await server(await codexVersion(version), `triage${version}`);
  }, 600_000);
  afterAll(async () => at?.mcp.close());

  it("usage_limit with its reset time, from the run's stream (this CLI keeps it out of the log)", async () => {
    const triaged = await triage(at, "please STEPS: RUN:exit 3 ;; FAIL:usage_limit");
    expect(triaged.diagnosis).toMatchObject({
      category: "usage_limit",
      retryable: true,
      resets_at: USAGE_RESET,
      error: { source: "stream" },
    });
    expect(triaged.diagnosis.failed_commands.map((failed) => failed.exit_code)).toEqual([3]);
    await pasteNextCommand(at, triaged);
  });

  it("rate_limited, server_error, overloaded and context", async () => {
    const expected: Array<[string, string, boolean]> = [
      ["rate_limit", "rate_limited", true],
      ["server_error", "server_error", true],
      ["overloaded", "server_error", true],
      ["context", "context_window_exceeded", false],
    ];
    for (const [kind, category, retryable] of expected) {
      const triaged = await triage(at, `please STEPS: FAIL:${kind}`);
      expect([kind, triaged.diagnosis.category, triaged.diagnosis.retryable]).toEqual([kind, category, retryable]);
    }
  }, 300_000);

  it("sandbox_blocked: this CLI's sandbox-denied output and a rejected escalation", async () => {
    const triaged = await triage(
      at,
      "please STEPS: RUN:touch /usr/local/ccm-blocked ;; ESCALATE:touch /usr/local/ccm-blocked ;; SAY:Done.",
      { mode: "sandboxed" },
    );
    expect(triaged.diagnosis).toMatchObject({ category: "sandbox_blocked", retryable: false });
    expect(triaged.diagnosis.sandbox_denials.map(({ kind, target, mode }) => [kind, target, mode])).toEqual([
      ["write", "/usr/local/ccm-blocked", "workspace-write"],
      ["escalation", null, "workspace-write"],
    ]);
    expect(triaged.diagnosis.failed_commands.map(({ command, exit_code }) => [command, exit_code])).toEqual([
      ["touch /usr/local/ccm-blocked", 1],
    ]);
  });

  it("command_failures", async () => {
    const triaged = await triage(at, "please STEPS: RUN:exit 3 ;; RUN:true ;; SAY:I could not finish.");
    expect(triaged.diagnosis).toMatchObject({ category: "command_failures", retryable: false });
    expect(triaged.diagnosis.failed_commands.map(({ command, exit_code }) => [command, exit_code])).toEqual([
      ["exit 3", 3],
    ]);
    await pasteNextCommand(at, triaged);
  });
});
