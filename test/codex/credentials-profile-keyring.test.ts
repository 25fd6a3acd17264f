// Runs the credentials check refused though Codex 0.171 would have run them: a `--profile <name>` whose
// provider is in `$CODEX_HOME/<name>.config.toml` (0.171's only place for a profile: `[profiles.<name>]` in
// config.toml with `--profile` stops it, "move those settings into …/<name>.config.toml"), and a login kept in
// the OS keyring (`cli_auth_credentials_store = "keyring"` or `"auto"`), where auth.json is absent.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assessCredentials, readCodexFiles, requireCredentials } from "../../src/codex/credentials.js";
import { defaultSessionBus } from "../../src/codex/credentials-store.js";

const MOCK = '[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:9/v1"\n';

describe("the credentials check and 0.171's profile files", () => {
  it("takes the provider of `<CODEX_HOME>/<profile>.config.toml`", async () => {
    const home = await mkdtemp(join(tmpdir(), "cred-profile-"));
    await writeFile(join(home, "config.toml"), `model = "m"\n${MOCK}`);
    await writeFile(join(home, "local.config.toml"), 'model_provider = "mock"\n');
    // before: "Codex would have no credentials: no login in …/auth.json, and no CODEX_API_KEY …" (openai assumed)
    await expect(
      requireCredentials({ runEnv: {}, serverEnv: {}, codexHome: home, profile: "local", engine: "exec" }),
    ).resolves.toBeUndefined();
    const files = await readCodexFiles(home, "local");
    expect(assessCredentials({ runEnv: {}, serverEnv: {}, codexHome: home, profile: "local", ...files })).toMatchObject(
      { provider: "mock", source: "none_needed" },
    );
  });

  it("reads no file for a profile name that is not a plain name", async () => {
    const home = await mkdtemp(join(tmpdir(), "cred-profile-"));
    const machine = { config: join(home, "system.toml"), managed: join(home, "managed.toml") };
    expect(await readCodexFiles(home, "../x", machine)).toEqual({
      configToml: "",
      authJson: null,
      profileToml: null,
      systemToml: null,
      managedToml: null,
      defaultBus: await defaultSessionBus(),
    });
  });
});

describe("the credentials check and a login in the OS keyring", () => {
  const assess = (configToml: string) =>
    assessCredentials({ runEnv: {}, serverEnv: {}, codexHome: "/h/.codex", configToml, authJson: null });

  it.each(["keyring", "auto"])("cli_auth_credentials_store = %s: not refused", (store) => {
    // before: source "missing", the run refused though Codex reads its login from the keyring
    expect(assess(`cli_auth_credentials_store = "${store}"\n`)).toEqual({
      provider: "openai",
      source: "login",
      variable: null,
      endpoint: "https://api.openai.com/v1",
      found: `no login in /h/.codex/auth.json, but cli_auth_credentials_store = "${store}" keeps Codex's login in the OS keyring, which this check does not read (not checked)`,
      fix: null,
    });
  });

  it('cli_auth_credentials_store = "file": still refused (the control)', () => {
    expect(assess('cli_auth_credentials_store = "file"\n').source).toBe("missing");
  });
});
