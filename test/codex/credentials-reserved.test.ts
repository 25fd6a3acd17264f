// A config that redefines a built-in provider: 0.171 refuses to start with `[model_providers.openai]` (or ollama,
// lmstudio) in any layer: "Error loading config.toml: model_providers contains reserved built-in provider IDs:
// `openai`. Built-in providers cannot be overridden. Rename your custom provider (for example, `openai-custom`)."
// The credentials check took such a table for a provider of its own (no env_key: "needs no API key"), passed
// the run, and Codex then exited 1. It refuses the run up front, with the table's file and the rename.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assessCredentials } from "../../src/codex/credentials.js";
import { makeCodexHome } from "../support/codex-home.js";
import { execInHome } from "../support/exec-codex.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";
import { runCodexOnce } from "../support/mcp.js";

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => {
  await model.close();
});

describe("a config redefining a built-in provider (real CLI)", () => {
  it("is refused before the run starts, with the table's file and the rename", async () => {
    const { home, workdir } = await makeCodexHome(model.url, "cred-reserved");
    await writeFile(
      join(home, "config.toml"),
      `model = "mock-model"\napproval_policy = "never"\n[model_providers.openai]\nname = "mine"\nbase_url = "${model.url}"\nwire_api = "responses"\n`,
    );
    const direct = await execInHome(home, workdir, { CODEX_API_KEY: "sk-codex" });
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain(
      "model_providers contains reserved built-in provider IDs: `openai`. Built-in providers cannot be overridden.",
    );
    const { isError, text } = await runCodexOnce(home, workdir, { childEnv: { CODEX_API_KEY: "sk-codex" } });
    // before: the run started and failed, "codex exited with code 1" with Codex's words
    expect({ isError, text }).toEqual({
      isError: true,
      text: `Codex would refuse to start: ${home}/config.toml defines [model_providers.openai], a built-in provider's ID, which Codex 0.171 refuses to start with ("model_providers contains reserved built-in provider IDs: \`openai\`. Built-in providers cannot be overridden."). Rename the table (for example [model_providers.openai-custom]) and select it with model_provider = "openai-custom"; or, to send the built-in provider elsewhere, drop the table and set openai_base_url.`,
    });
  }, 120_000);

  it("names the machine's file, for ollama and lmstudio too, but not a provider called oss", () => {
    const base = { runEnv: {}, serverEnv: {}, codexHome: "/h", configToml: "", authJson: null };
    const systemToml = '[model_providers.lmstudio]\nbase_url = "http://127.0.0.1:1/v1"\n';
    expect(assessCredentials({ ...base, systemToml })).toMatchObject({
      provider: "lmstudio",
      source: "missing",
      startRefused: true,
      found: expect.stringMatching(/^\/etc\/codex\/config\.toml defines \[model_providers\.lmstudio\]/),
    });
    expect(
      assessCredentials({ ...base, configToml: '[model_providers.ollama.http_headers]\nX = "1"\n' }),
    ).toMatchObject({
      provider: "ollama",
      startRefused: true,
    });
    expect(
      assessCredentials({
        ...base,
        configToml: 'model_provider = "oss"\n[model_providers.oss]\nbase_url = "http://127.0.0.1:1/v1"\n',
      }),
    ).toEqual({
      provider: "oss",
      source: "none_needed",
      variable: null,
      endpoint: "http://127.0.0.1:1/v1",
      found: 'model provider "oss" needs no API key',
      fix: null,
    });
  });
});
