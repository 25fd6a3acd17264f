// The step for rejected credentials names what Codex 0.171 sends to the session's provider: OpenAI's login for
// openai (the default), the provider's own key otherwise (a custom provider got no Authorization from a login).
import { describe, expect, it } from "vitest";
import { authStep } from "../../src/sessions/diagnosis-auth.js";

describe("authStep", () => {
  it("openai, or no provider in the log: log in again", () => {
    for (const provider of ["openai", undefined, ""])
      expect(authStep(provider, "codex", "codex exec resume x")).toBe(
        "Codex's credentials were rejected: run `codex login` (or fix the API key the provider uses), then run: codex exec resume x",
      );
  });

  it("another provider: its env_key, and login only with requires_openai_auth; a name no config key has is not quoted", () => {
    expect(authStep("azure", "codex", "C")).toBe(
      'The model provider "azure" rejected the credentials: fix the API key it takes (the variable its env_key names in [model_providers.azure] of config.toml; `codex login` helps only a provider with requires_openai_auth = true), then run: C',
    );
    expect(authStep("a`b $(x)", "codex", "C")).toBe(
      "The model provider of this session rejected the credentials: fix the API key it takes (the variable its env_key names in its [model_providers.<id>] table of config.toml; `codex login` helps only a provider with requires_openai_auth = true), then run: C",
    );
  });
});
