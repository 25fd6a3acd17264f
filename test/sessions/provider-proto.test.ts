// A provider named `__proto__` (`[model_providers.__proto__]`, a table like any other to Codex) was assigned onto a
// plain object of facts: it became the object's prototype, not a provider, so the step of rejected credentials
// said no file defines it and its `env_key` read as inherited by every lookup.
import { describe, expect, it } from "vitest";
import { parseToml } from "../../src/sessions/codex-config-files.js";
import { providerFacts } from "../../src/sessions/codex-config-providers.js";
import { providerOf } from "../../src/sessions/diagnosis-auth.js";

describe("a provider named __proto__", () => {
  it("is a provider of its own", () => {
    const parsed = parseToml('[model_providers.__proto__]\nenv_key = "PROTO_KEY"\n');
    const table = "table" in parsed ? parsed.table : {};
    const facts = providerFacts([[table, "config.toml"]], table);
    const modelProviders = facts === undefined ? undefined : { ...facts };
    // before: [[], undefined, "PROTO_KEY"] (the provider a prototype, its env_key a key of the facts)
    expect([
      Object.keys(modelProviders ?? {}),
      providerOf({ modelProviders }, "__proto__"),
      (facts as Record<string, unknown> | undefined)?.envKey,
    ]).toEqual([["__proto__"], { files: ["config.toml"], envKey: "PROTO_KEY", hasEnvKey: true }, undefined]);
  });
});
