// Live quota: `account/rateLimits/read` from a short-lived real CLI 0.169 app-server, against a fake ChatGPT
// backend on loopback that Codex reaches through its own `chatgpt_base_url` config.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyRateLimits, readLiveRateLimits } from "../../src/codex/app-server/rate-limits.js";
import { codexEnv, makeCodexHome } from "../support/codex-home.js";
import { PINNED_CODEX } from "../support/codex-versions.js";
import { FAKE_ACCOUNT_ID, startFakeChatgpt, writeChatgptLogin, type FakeChatgpt } from "../support/fake-chatgpt.js";

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
  if (login === "apikey-file") await writeFile(join(home, "auth.json"), JSON.stringify({ auth_mode: "apikey", OPENAI_API_KEY: "sk-fake" }), { mode: 0o600 });
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
      const result = await readLiveRateLimits(PINNED_CODEX, codexHome, { ...env, ...(login === "none" ? {} : { OPENAI_API_KEY: "sk-fake" }) });
      expect(result.state).toBe("unavailable");
      expect(result.state === "unavailable" && result.reason).toMatch(login === "apikey-file" ? /API key: API usage is billed per token/ : /no ChatGPT login for this CODEX_HOME/);
      expect(chatgpt.requests.slice(before).filter((r) => r.path.endsWith("/usage"))).toEqual([]);
    });
  }

  it("is a plain reason, not a throw, when the CLI cannot serve", async () => {
    const { home: codexHome, env } = await home("chatgpt");
    const result = await readLiveRateLimits(join(codexHome, "no-such-codex"), codexHome, env);
    expect(result).toEqual({ state: "unavailable", reason: expect.stringMatching(/^could not start `codex app-server` to read the live rate limits: cannot start/) });
  });
});

describe("classifyRateLimits", () => {
  it("takes the later reset when both windows are used up", () => {
    expect(classifyRateLimits({ primary: { usedPercent: 100, windowMinutes: 300, resetsAt: 10 }, secondary: { usedPercent: 100, windowMinutes: 10080, resetsAt: 20 }, planType: null })).toMatchObject({ state: "exhausted", resetsAt: 20 });
    expect(classifyRateLimits({ primary: { usedPercent: 99, windowMinutes: 300, resetsAt: 10 }, secondary: null, planType: "pro" })).toMatchObject({ state: "ok", resetsAt: null, weekly: null });
  });
});
