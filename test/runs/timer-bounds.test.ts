// Durations above Node's longest timer (2^31-1 ms) fire at once: a run given one was killed as it started.
// The server's flags refuse them naming the maximum, and a run's timeout_ms is refused whatever the config says.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { makeCodexHome } from "../support/codex-home.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";
import { textOf, withCodexServer } from "../support/mcp.js";

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
