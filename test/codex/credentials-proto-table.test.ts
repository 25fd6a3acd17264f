// A provider's table merged across layers must not take a sub-table named `__proto__` for the object's prototype:
// `[model_providers.x.__proto__]` is a key Codex 0.171 ignores (an unknown field of provider x), so its `env_key`
// is not provider x's. Merged onto a plain object, the check read that env_key as x's own and refused a run that
// Codex runs (x needs no key) for want of a variable Codex never reads.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { assessCredentials } from "../../src/codex/credentials.js";
import { makeCodexHome } from "../support/codex-home.js";
import { execInHome } from "../support/exec-codex.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => {
  await model.close();
});

it("a [model_providers.x.__proto__] table's env_key is not x's: Codex runs keyless, and the check passes it", async () => {
  const { home, workdir } = await makeCodexHome(model.url, "proto-table");
  const text = [
    'model = "mock-model"',
    'approval_policy = "never"',
    'model_provider = "x"',
    "[model_providers.x]",
    'name = "x"',
    `base_url = "${model.url}"`,
    "request_max_retries = 0",
    "stream_max_retries = 0",
    "[model_providers.x.__proto__]",
    'env_key = "X_KEY"',
    "",
  ].join("\n");
  await writeFile(join(home, "config.toml"), text);
  // X_KEY is nowhere: Codex neither asks for it nor fails
  const run = await execInHome(home, workdir, { OPENAI_API_KEY: "" });
  expect([run.code, run.stderr.includes("X_KEY")]).toEqual([0, false]);
  // before: "model provider "x" reads its key from X_KEY, which is not in the environment Codex runs get"
  expect(assessCredentials({ runEnv: {}, serverEnv: {}, codexHome: home, configToml: text, authJson: null })).toEqual({
    provider: "x",
    endpoint: model.url,
    source: "none_needed",
    variable: null,
    found: 'model provider "x" needs no API key',
    fix: null,
  });
}, 120_000);
