// Durations above Node's longest timer (2^31-1 ms) fire at once: a run given one was killed as it started.
// The server's flags refuse them naming the maximum, and a run's timeout_ms is refused whatever the config says.
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_TIMER_MS } from "../../src/codex/run-modes.js";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { makeCodexHome } from "../support/codex-home.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";
import { textOf, withCodexServer } from "../support/mcp.js";
import { QUICK_SUCCESS, stubCodex } from "../support/stub-codex.js";

let model: FakeModel;
let home: string;
let workdir: string;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "timer-bounds"));
});
afterAll(async () => model.close());

describe("durations past Node's longest timer", () => {
  it("are refused as flags and settings, naming the maximum", () => {
    expect(() => loadConfig(["--max-timeout-ms", "2147483648"], {})).toThrow(
      new ConfigError(
        '--max-timeout-ms (or CODEX_CONTROL_MAX_TIMEOUT_MS) must be at most 2147483647 (24.8 days, the longest timer Node keeps: a longer one fires at once), got "2147483648"',
      ),
    );
    expect(() => loadConfig([], { CODEX_CONTROL_KILL_GRACE_MS: "3000000000" })).toThrow(
      new ConfigError(
        '--kill-grace-ms (or CODEX_CONTROL_KILL_GRACE_MS) must be at most 2147483647 (24.8 days, the longest timer Node keeps: a longer one fires at once), got "3000000000"',
      ),
    );
    expect(loadConfig(["--max-timeout-ms", "2147483647"], {}).runner.maxTimeoutMs).toBe(2_147_483_647);
  });

  it("is refused as a run's timeout_ms even where the config allows it (before: the run was killed at once)", async () => {
    await withCodexServer(home, { maxTimeoutMs: 3_000_000_000 }, async (mcp) => {
      const result = await mcp.call("run_codex", {
        cwd: workdir,
        skip_git_repo_check: true,
        prompt: "please say hi",
        mode: "read-only",
        timeout_ms: 2_500_000_000,
      });
      expect(textOf(result)).toBe(
        "timeout_ms 2500000000 is above 2147483647 ms (24.8 days, the longest timer Node keeps: a longer one fires at once).",
      );
      expect(result.isError).toBe(true);
    });
  });
});

describe("the longest --wait-ms, when stdin ends with a run_codex call still waiting", () => {
  // the server answers what stdin carried before it exits, waiting the wait and a margin: that sum went past
  // Node's longest timer, which fired at once, and the server exited without the answer
  it("still answers the call before it exits", async () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
    const initialize =
      '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"printf","version":"0"}}}';
    const initialized = '{"jsonrpc":"2.0","method":"notifications/initialized"}';
    const call = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_codex","arguments":{"prompt":"x","cwd":"${workdir}","mode":"read-only","skip_git_repo_check":true}}}`;
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: await mkdtemp(join(tmpdir(), "ccm-home-")),
      CODEX_HOME: home,
      OPENAI_API_KEY: "sk-test",
      CODEX_BIN: await stubCodex(`sleep 1; ${QUICK_SUCCESS}`),
      CODEX_CONTROL_STATE_DIR: await mkdtemp(join(tmpdir(), "ccm-state-")),
      CODEX_CONTROL_WAIT_MS: String(MAX_TIMER_MS),
    };
    const script = `printf '%s\\n' '${initialize}' '${initialized}' '${call}' | node dist/cli.js`;
    const { stdout, stderr } = await promisify(execFile)("sh", ["-c", script], { cwd: root, env, timeout: 60_000 });
    const answers = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: number; result?: { structuredContent?: { status: string } } });
    // before: "TimeoutOverflowWarning: 2147488647 does not fit into a 32-bit signed integer", and no answer 2
    expect([stderr.includes("TimeoutOverflowWarning"), answers.map((answer) => answer.id)]).toEqual([false, [1, 2]]);
    expect(answers[1]?.result?.structuredContent?.status).toBe("completed");
  });
});
