// `cli_auth_credentials_store = "ephemeral"`: 0.171 keeps the login in memory only and reads no auth.json (`codex
// login status` says "Not logged in" beside one), so a run on the openai provider sends no key and gets a 401 unless
// CODEX_API_KEY is set. The check read auth.json all the same and passed the run ("Codex's own login").
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assessCredentials } from "../../src/codex/credentials.js";
import { makeCodexHome } from "../support/codex-home.js";
import { execInHome } from "../support/exec-codex.js";
import { useKeyRecorder } from "../support/key-recorder.js";

const served = useKeyRecorder();

const AUTH = JSON.stringify({ OPENAI_API_KEY: "sk-login" });

async function runAndCheck(env: Record<string, string>) {
  const { home, workdir } = await makeCodexHome(served.model.url, "store-ephemeral");
  const configToml = `model = "mock-model"\nopenai_base_url = "${served.recorder.url}"\ncli_auth_credentials_store = "ephemeral"\n`;
  await writeFile(join(home, "config.toml"), configToml);
  await writeFile(join(home, "auth.json"), AUTH);
  served.recorder.seen.length = 0;
  const run = await execInHome(home, workdir, { OPENAI_API_KEY: "", CODEX_API_KEY: "", ...env });
  const check = assessCredentials({
    runEnv: env,
    serverEnv: {},
    codexHome: home,
    configToml,
    authJson: AUTH,
  });
  return { home, code: run.code, seen: [...new Set(served.recorder.seen)], check };
}

describe('cli_auth_credentials_store = "ephemeral" (real CLI)', () => {
  it("auth.json with a key: Codex does not read it (a 401), and the check refuses", async () => {
    const { home, code, seen, check } = await runAndCheck({});
    expect([code, seen]).toEqual([1, ["-"]]);
    // before: source "login", "Codex's own login (API key) in …/auth.json"
    expect(check).toEqual({
      provider: "openai",
      source: "missing",
      variable: "CODEX_API_KEY",
      endpoint: "https://api.openai.com/v1",
      found: `cli_auth_credentials_store = "ephemeral" in config.toml: Codex keeps its login in memory only and does not read the one in ${home}/auth.json, so it sends no key`,
      fix: `Set cli_auth_credentials_store = "file" (or drop it) in ${home}/config.toml, or pass the key as CODEX_API_KEY: Add CODEX_API_KEY to the \`env\` of this server's entry in your MCP host's configuration (or start the host from a shell that has it).`,
    });
  }, 120_000);

  it("CODEX_API_KEY: Codex sends it, and the check passes it", async () => {
    const { code, seen, check } = await runAndCheck({ CODEX_API_KEY: "sk-codex" });
    expect([code, seen, check.source, check.variable]).toEqual([0, ["Bearer sk-codex"], "env", "CODEX_API_KEY"]);
  }, 120_000);
});
