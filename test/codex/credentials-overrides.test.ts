// The call's `config` reaches Codex as `-c key=value` overrides; an operator may allow keys that decide the
// credentials (`--allow-config-key model_providers`). The credentials check took only `model_provider` from it:
// `model_providers.mock.env_key` made Codex (0.171, real CLI) stop with "Missing environment variable" after
// the check had passed the run as one whose provider needs no key.
import { describe, expect, it } from "vitest";
import { makeCodexHome } from "../support/codex-home.js";
import { startFakeModel } from "../support/fake-model.js";
import { runCodexOnce } from "../support/mcp.js";

describe("the credentials check and the call's config overrides (real CLI)", () => {
  it("refuses a run whose provider the call's config gives an env_key that the run does not get", async () => {
    const model = await startFakeModel();
    try {
      const { home, workdir } = await makeCodexHome(model.url, "cred-overrides");
      const answer = await runCodexOnce(
        home,
        workdir,
        { allowConfigKeys: ["model_providers"] },
        { config: { model_providers: { mock: { env_key: "CCM_TEST_MOCK_KEY" } } } },
      );
      // before: the run started and failed ("Missing environment variable: `CCM_TEST_MOCK_KEY`")
      expect([answer?.isError, answer?.text]).toEqual([
        true,
        "Codex would have no credentials: model provider \"mock\" reads its key from CCM_TEST_MOCK_KEY, which is not in the environment Codex runs get. Add CCM_TEST_MOCK_KEY to the `env` of this server's entry in your MCP host's configuration (or start the host from a shell that has it).",
      ]);
    } finally {
      await model.close();
    }
  }, 120_000);
});
