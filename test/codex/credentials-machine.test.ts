// The credentials check and the machine's config files: Codex 0.171 takes `model_provider`, `[model_providers.*]`,
// `forced_login_method` and `cli_auth_credentials_store` from /etc/codex/config.toml (under the user's
// config.toml) and /etc/codex/managed_config.toml (over every layer and every `-c`). Checked with the CLI in a
// mount namespace whose /etc had those files, a loopback server recording the Authorization header: a provider
// the system file selects got `Bearer <its env_key>`, its key missing stopped the run ("Missing environment
// variable"), and the managed file's provider won over `-c model_provider="openai"`. The check read CODEX_HOME's
// files only: it passed runs that then failed, and refused runs that would have worked.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assessCredentials, readCodexFiles, requireCredentials } from "../../src/codex/credentials.js";

const MOCK =
  'model_provider = "mock"\n[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:9/v1"\nenv_key = "MOCK_KEY"\n';

/** A CODEX_HOME with only `model` set, and the machine's two files (written when given) beside it. */
async function machineHome(system?: string, managed?: string) {
  const home = await mkdtemp(join(tmpdir(), "cred-machine-"));
  await writeFile(join(home, "config.toml"), 'model = "m"\n');
  const machine = { config: join(home, "etc-config.toml"), managed: join(home, "etc-managed.toml") };
  if (system !== undefined) await writeFile(machine.config, system);
  if (managed !== undefined) await writeFile(machine.managed, managed);
  return { home, machine };
}

describe("the credentials check reads the machine's config files", () => {
  it("refuses a run whose provider, selected in the system's config, has no key (CODEX_API_KEY is not its key)", async () => {
    const { home, machine } = await machineHome(MOCK);
    // before: passed (openai assumed, CODEX_API_KEY counted); Codex then stopped: "Missing environment variable: `MOCK_KEY`"
    await expect(
      requireCredentials({ runEnv: { CODEX_API_KEY: "sk-codex" }, serverEnv: {}, codexHome: home }, machine),
    ).rejects.toThrow(
      "Codex would have no credentials: model provider \"mock\" reads its key from MOCK_KEY, which is not in the environment Codex runs get. Add MOCK_KEY to the `env` of this server's entry in your MCP host's configuration (or start the host from a shell that has it).",
    );
  });

  it("passes a run whose provider, selected in the system's config, has its key (no OpenAI login needed)", async () => {
    const { home, machine } = await machineHome(MOCK);
    // before: refused, "no login in …/auth.json, and no CODEX_API_KEY …", though Codex sent Bearer <MOCK_KEY>
    await expect(
      requireCredentials({ runEnv: { MOCK_KEY: "sk-mock" }, serverEnv: {}, codexHome: home }, machine),
    ).resolves.toBeUndefined();
    const files = await readCodexFiles(home, undefined, machine);
    expect(assessCredentials({ runEnv: { MOCK_KEY: "sk-mock" }, serverEnv: {}, codexHome: home, ...files })).toEqual({
      provider: "mock",
      source: "env",
      variable: "MOCK_KEY",
      endpoint: "http://127.0.0.1:9/v1",
      found: 'model provider "mock" reads its key from MOCK_KEY, which Codex runs get',
      fix: null,
    });
  });

  it("takes the managed config's provider over the call's `-c model_provider`", async () => {
    const { home, machine } = await machineHome(undefined, MOCK);
    const files = await readCodexFiles(home, undefined, machine);
    const env = { CODEX_API_KEY: "sk-codex" };
    // before: openai (the override), passed with CODEX_API_KEY
    expect(
      assessCredentials({ runEnv: env, serverEnv: {}, codexHome: home, providerOverride: "openai", ...files }),
    ).toMatchObject({ provider: "mock", source: "missing", variable: "MOCK_KEY" });
  });

  it("takes the user's config over the system's, and a provider table's keys merged across them", async () => {
    const { home, machine } = await machineHome(MOCK);
    await writeFile(
      join(home, "config.toml"),
      'model_provider = "openai"\n[model_providers.mock]\nenv_key = "OTHER_KEY"\n',
    );
    const files = await readCodexFiles(home, undefined, machine);
    expect(
      assessCredentials({ runEnv: { CODEX_API_KEY: "k" }, serverEnv: {}, codexHome: home, ...files }),
    ).toMatchObject({ provider: "openai", source: "env", variable: "CODEX_API_KEY" });
    expect(
      assessCredentials({ runEnv: {}, serverEnv: {}, codexHome: home, providerOverride: "mock", ...files }),
    ).toMatchObject({ provider: "mock", source: "missing", variable: "OTHER_KEY", endpoint: "http://127.0.0.1:9/v1" });
  });

  it("takes forced_login_method from the managed config", async () => {
    const { home, machine } = await machineHome(undefined, 'forced_login_method = "chatgpt"\n');
    const files = await readCodexFiles(home, undefined, machine);
    // before: passed with CODEX_API_KEY; Codex refuses that key ("ChatGPT login is required …") and logs out
    expect(
      assessCredentials({ runEnv: { CODEX_API_KEY: "k" }, serverEnv: {}, codexHome: home, ...files }),
    ).toMatchObject({ provider: "openai", source: "missing", variable: "CODEX_API_KEY" });
  });
});
