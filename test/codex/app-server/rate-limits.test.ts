// Live quota: `account/rateLimits/read` from a short-lived real CLI 0.169 app-server, against a fake ChatGPT
// backend on loopback that Codex reaches through its own `chatgpt_base_url` config.
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyRateLimits, readLiveRateLimits } from "../../../src/codex/app-server/rate-limits.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { FAKE_ACCOUNT_ID, startFakeChatgpt, writeChatgptLogin, type FakeChatgpt } from "../../support/fake-chatgpt.js";

let chatgpt: FakeChatgpt;
beforeAll(async () => {
  chatgpt = await startFakeChatgpt();
});
afterAll(async () => {
  await chatgpt.close();
});

/** A CODEX_HOME whose config sends Codex's backend calls to the fake; with a ChatGPT login unless told otherwise. */
async function home(login: "chatgpt" | "apikey-file" | "none"): Promise<{ home: string; env: Record<string, string> }> {
  // the model URL is never called: no turn is started
  const { home } = await makeCodexHome("http://127.0.0.1:9/v1", "quota");
  // an API-key login shows as one only under Codex's own provider; the mock provider hides the account
  const config = login === "apikey-file" ? "" : await readFile(join(home, "config.toml"), "utf8");
  await writeFile(join(home, "config.toml"), `chatgpt_base_url = "${chatgpt.baseUrl}"\n${config}`);
  const { OPENAI_API_KEY: _key, ...env } = codexEnv(home);
  if (login === "chatgpt") await writeChatgptLogin(home);
  if (login === "apikey-file")
    await writeFile(join(home, "auth.json"), JSON.stringify({ auth_mode: "apikey", OPENAI_API_KEY: "sk-fake" }), {
      mode: 0o600,
    });
  return { home, env };
}

describe("readLiveRateLimits", () => {
  it("reads the 5-hour and weekly windows of a ChatGPT login through Codex", async () => {
    chatgpt.setExhausted(false);
    const before = chatgpt.requests.length;
    const { home: codexHome, env } = await home("chatgpt");
    expect(await readLiveRateLimits(PINNED_CODEX, codexHome, env)).toEqual({
      state: "ok",
      fiveHour: { usedPercent: 25, windowMinutes: 300, resetsAt: 1798761600 },
      weekly: { usedPercent: 60, windowMinutes: 10080, resetsAt: 1799366400 },
      planType: "plus",
      resetsAt: null,
    });
    const usage = chatgpt.requests.slice(before).filter((r) => r.path === "/backend-api/wham/usage");
    expect(usage.length).toBe(1);
    expect(usage[0]?.accountId).toBe(FAKE_ACCOUNT_ID);
    expect(usage[0]?.authorization).toMatch(/^Bearer ey/);
  });

  it("says when a window is used up, and when it resets", async () => {
    chatgpt.setExhausted(true);
    try {
      const { home: codexHome, env } = await home("chatgpt");
      const result = await readLiveRateLimits(PINNED_CODEX, codexHome, env);
      expect(result.state).toBe("exhausted");
      expect(result.state !== "unavailable" && result.resetsAt).toBe(1798761600);
    } finally {
      chatgpt.setExhausted(false);
    }
  });

  for (const login of ["apikey-file", "none"] as const) {
    it(`gives a plain reason, not numbers, for a login that cannot have limits (${login})`, async () => {
      const before = chatgpt.requests.length;
      const { home: codexHome, env } = await home(login);
      const result = await readLiveRateLimits(PINNED_CODEX, codexHome, {
        ...env,
        ...(login === "none" ? {} : { OPENAI_API_KEY: "sk-fake" }),
      });
      expect(result.state).toBe("unavailable");
      expect(result.state === "unavailable" && result.reason).toMatch(
        login === "apikey-file" ? /API key: API usage is billed per token/ : /no ChatGPT login for this CODEX_HOME/,
      );
      expect(chatgpt.requests.slice(before).filter((r) => r.path.endsWith("/usage"))).toEqual([]);
    });
  }

  it("is a plain reason, not a throw, when the CLI cannot serve", async () => {
    const { home: codexHome, env } = await home("chatgpt");
    const result = await readLiveRateLimits(join(codexHome, "no-such-codex"), codexHome, env);
    expect(result).toEqual({
      state: "unavailable",
      reason: expect.stringMatching(/^could not start `codex app-server` to read the live rate limits: cannot start/),
    });
  });
});

describe("classifyRateLimits", () => {
  it("takes the later reset when both windows are used up", () => {
    expect(
      classifyRateLimits({
        primary: { usedPercent: 100, windowMinutes: 300, resetsAt: 10 },
        secondary: { usedPercent: 100, windowMinutes: 10080, resetsAt: 20 },
        planType: null,
      }),
    ).toMatchObject({ state: "exhausted", resetsAt: 20 });
    expect(
      classifyRateLimits({
        primary: { usedPercent: 99, windowMinutes: 300, resetsAt: 10 },
        secondary: null,
        planType: "pro",
      }),
    ).toMatchObject({ state: "ok", resetsAt: null, weekly: null });
  });
});

describe("the live windows in doctor and token_usage", () => {
  it("doctor warns with the reset when a window is used up; token_usage live: true shows the windows", async () => {
    const { connect, testConfig } = await import("../../support/mcp.js");
    const { home: codexHome, env } = await home("chatgpt");
    const mcp = await connect(testConfig({ codexHome, codexBin: PINNED_CODEX, childEnv: env }));
    chatgpt.setExhausted(true);
    try {
      const checks = (
        (await mcp.call("doctor", {})).structuredContent as {
          checks: Array<{ name: string; level: string; found: string; fix: string | null }>;
        }
      ).checks;
      expect(checks.find((check) => check.name === "live rate limits")).toEqual({
        name: "live rate limits",
        level: "warn",
        found: `used up (plus plan): 5-hour 100% used (resets ${new Date(1798761600 * 1000).toISOString()}) · weekly 60% used (resets ${new Date(1799366400 * 1000).toISOString()}); runs fail with usage_limit until ${new Date(1798761600 * 1000).toISOString()}`,
        fix: "Wait for the reset, or switch to an API key (a provider's env_key) to keep working.",
      });
      chatgpt.setExhausted(false);
      // a session of the home's own, so token_usage has something to answer about
      const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "codex-home", "sessions");
      const name = (await readdir(fixtures, { recursive: true })).find((file) => file.endsWith(".jsonl")) ?? "";
      await mkdir(join(codexHome, "sessions", dirname(name)), { recursive: true });
      await copyFile(join(fixtures, name), join(codexHome, "sessions", name));
      const id = /([0-9a-f-]{36})\.jsonl$/.exec(name)?.[1] ?? "";
      const usage = (await mcp.call("token_usage", { session_id: id, live: true })).structuredContent as {
        live_rate_limits: unknown;
      };
      expect(usage.live_rate_limits).toEqual({
        state: "ok",
        five_hour: { used_percent: 25, window_minutes: 300, resets_at: new Date(1798761600 * 1000).toISOString() },
        weekly: { used_percent: 60, window_minutes: 10080, resets_at: new Date(1799366400 * 1000).toISOString() },
        plan_type: "plus",
        resets_at: null,
        reason: null,
      });
      // without live, nothing is started and the field is absent
      expect("live_rate_limits" in ((await mcp.call("token_usage", { session_id: id })).structuredContent ?? {})).toBe(
        false,
      );
    } finally {
      chatgpt.setExhausted(false);
      await mcp.close();
    }
  });
});

describe("--preflight-limits", () => {
  it("refuses a run at once, as usage_limit with the reset, when a window is used up; without the flag the run starts", async () => {
    const { connect, testConfig, textOf } = await import("../../support/mcp.js");
    const { home: codexHome, env } = await home("chatgpt");
    const workdir = join(dirname(codexHome), "proj");
    chatgpt.setExhausted(true);
    const guarded = await connect(
      testConfig({
        codexHome,
        codexBin: PINNED_CODEX,
        childEnv: { ...env, OPENAI_API_KEY: "sk-test" },
        preflightLimits: true,
      }),
    );
    const plain = await connect(
      testConfig({ codexHome, codexBin: PINNED_CODEX, childEnv: { ...env, OPENAI_API_KEY: "sk-test" } }),
    );
    try {
      const refused = await guarded.call("run_codex", {
        cwd: workdir,
        prompt: "hi",
        mode: "read-only",
        skip_git_repo_check: true,
      });
      expect([refused.isError, textOf(refused)]).toEqual([
        true,
        `usage_limit: the ChatGPT plan's 5-hour window is used up until ${new Date(1798761600 * 1000).toISOString()} (resets_at), so a run would fail at once. Wait for the reset, or use an API key (a provider's env_key); nothing was started.`,
      ]);
      // the control: the same call without the flag starts a run (it then fails against the unreachable model)
      const started = await plain.call("run_codex", {
        cwd: workdir,
        prompt: "hi",
        mode: "read-only",
        skip_git_repo_check: true,
        background: true,
      });
      expect(started.isError).toBeFalsy();
    } finally {
      chatgpt.setExhausted(false);
      await guarded.close();
      await plain.close();
    }
  });
});
