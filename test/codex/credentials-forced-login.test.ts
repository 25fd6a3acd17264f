// `forced_login_method = "chatgpt"` with an API key: the real Codex 0.171 `codex exec` takes CODEX_API_KEY, then
// refuses it ("ChatGPT login is required, but an API key is currently being used. Logging out.") and deletes
// auth.json, the user's ChatGPT sign-in included. The credentials check passed such a run (CODEX_API_KEY is there).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requireCredentials } from "../../src/codex/credentials.js";
import { codexEnv } from "../support/codex-home.js";
import { PINNED_CODEX } from "../support/codex-versions.js";
import { writeChatgptLogin } from "../support/fake-chatgpt.js";

async function forcedHome(method = "chatgpt") {
  const root = await realpath(await mkdtemp(join(tmpdir(), "cred-forced-")));
  const home = join(root, "home");
  await mkdir(home);
  await mkdir(join(root, "proj"));
  await writeFile(
    join(home, "config.toml"),
    `model = "m"\nforced_login_method = "${method}"\nopenai_base_url = "http://127.0.0.1:9/v1"\nchatgpt_base_url = "http://127.0.0.1:9/backend-api/"\n`,
  );
  await writeChatgptLogin(home);
  return { home, workdir: join(root, "proj") };
}

describe('forced_login_method = "chatgpt" and CODEX_API_KEY', () => {
  it("the real CLI deletes the ChatGPT login (the harm), and the check refuses such a run", async () => {
    const control = await forcedHome();
    const child = spawn(PINNED_CODEX, ["exec", "--skip-git-repo-check", "-C", control.workdir, "hi"], {
      env: { ...codexEnv(control.home), OPENAI_API_KEY: "", CODEX_API_KEY: "sk-codex" },
      stdio: ["ignore", "ignore", "ignore"],
    });
    expect(await new Promise((resolve) => child.on("exit", resolve))).toBe(1);
    expect(existsSync(join(control.home, "auth.json"))).toBe(false);

    const { home } = await forcedHome();
    // before: resolved, and the run started, failed, and logged the user out
    await expect(
      requireCredentials({ runEnv: { CODEX_API_KEY: "sk-codex" }, serverEnv: {}, codexHome: home, engine: "exec" }),
    ).rejects.toThrow(
      `Codex would have no credentials: forced_login_method = "chatgpt" in config.toml, and CODEX_API_KEY is in the environment Codex runs get: Codex would refuse that key ("ChatGPT login is required, but an API key is currently being used. Logging out.") and delete ${home}/auth.json. Take CODEX_API_KEY out of the environment Codex runs get (\`--env-allow\` without it, or the server's entry), and sign Codex in with ChatGPT: \`CODEX_HOME=${home} codex login\`.`,
    );
  }, 60_000);

  it("the ChatGPT login alone passes (the control)", async () => {
    const { home } = await forcedHome();
    await expect(requireCredentials({ runEnv: {}, serverEnv: {}, codexHome: home, engine: "exec" })).resolves.toBe(
      undefined,
    );
  });
});

describe('forced_login_method = "api" and a ChatGPT sign-in', () => {
  it("the real CLI deletes the ChatGPT login (the harm), and the check refuses such a run", async () => {
    const control = await forcedHome("api");
    const child = spawn(PINNED_CODEX, ["exec", "--skip-git-repo-check", "-C", control.workdir, "hi"], {
      env: { ...codexEnv(control.home), OPENAI_API_KEY: "", CODEX_API_KEY: "" },
      stdio: ["ignore", "ignore", "ignore"],
    });
    expect(await new Promise((resolve) => child.on("exit", resolve))).toBe(1);
    expect(existsSync(join(control.home, "auth.json"))).toBe(false);

    const { home } = await forcedHome("api");
    // before: resolved (a ChatGPT login), and the run started, failed, and logged the user out
    await expect(
      requireCredentials({ runEnv: {}, serverEnv: {}, codexHome: home, engine: "app-server" }),
    ).rejects.toThrow(
      `Codex would have no credentials: forced_login_method = "api" in config.toml, and the login in ${home}/auth.json is a ChatGPT sign-in: Codex would refuse it ("API key login is required, but ChatGPT is currently being used. Logging out.") and delete ${home}/auth.json. Log Codex in with an API key: \`CODEX_HOME=${home} codex login --with-api-key\` (the key on stdin).`,
    );
    // exec: CODEX_API_KEY beside it is the key Codex takes
    await expect(
      requireCredentials({ runEnv: { CODEX_API_KEY: "sk-codex" }, serverEnv: {}, codexHome: home, engine: "exec" }),
    ).resolves.toBe(undefined);
  }, 60_000);
});
