// The step for rejected credentials named a provider's table as "config.toml" (the user's) wherever it was
// defined: one in /etc/codex/config.toml (0.171 checked, /etc bound over in a private mount namespace: its
// provider and env_key are used) has no table in the user's file to fix, and one a trusted project's
// .codex/config.toml defines is not used at all (0.171: "Ignored unsupported project-local config keys in
// <file>: model_provider, model_providers", the run went to openai). And for a provider with `requires_openai_auth = true` it did not say that
// Codex sends the login's credentials there, a CODEX_API_KEY in the environment before them (checked with the
// 0.171 CLI, `codex exec`: diagnosis-auth.test.ts "openai: a login …" sees "Bearer sk-codex" over the login's
// "Bearer sk-login" for such a provider, and the login's key, never OPENAI_API_KEY's, without it).
import { mkdir, mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCodexConfig } from "../../src/sessions/codex-config.js";
import { authStep, providerOf } from "../../src/sessions/diagnosis-auth.js";
import { putFile } from "../support/files.js";

let root: string;
let home: string;
let repo: string;
let files: { config: string; managed: string };
beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-provider-files-")));
  home = join(root, "home");
  repo = join(root, "repo");
  await mkdir(home);
  await putFile(join(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
  files = { config: join(root, "etc", "config.toml"), managed: join(root, "etc", "managed_config.toml") };
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const CORP = '[model_providers.corp]\nname = "corp"\nbase_url = "http://127.0.0.1:1/v1"\nenv_key = "CORP_KEY"\n';

async function stepWith(user: string, system: string, project?: string): Promise<string> {
  await putFile(join(home, "config.toml"), user);
  await putFile(files.config, system);
  await rm(join(repo, ".codex"), { recursive: true, force: true });
  if (project !== undefined) await putFile(join(repo, ".codex", "config.toml"), project);
  const config = await readCodexConfig(home, repo, files);
  return authStep("corp", "codex", "C", providerOf(config, "corp"));
}

describe("the provider of rejected credentials", () => {
  it("is named in the file that defines it, with its env_key", async () => {
    expect(await stepWith("", CORP)).toBe(
      `The model provider "corp" rejected the credentials: fix the API key it takes, CORP_KEY, the variable its env_key names in [model_providers.corp] of ${files.config} (a table without env_key sends no key: add one, and set that variable; \`codex login\` helps only a provider with requires_openai_auth = true, and there a CODEX_API_KEY in the environment is used before the login), then run: C`,
    );
    const trusted = `[projects."${repo}"]\ntrust_level = "trusted"\n`;
    expect(await stepWith(trusted, "", CORP)).toBe(
      `The model provider "corp" is defined only in ${join(repo, ".codex", "config.toml")}, whose model_provider and model_providers Codex 0.171 ignores ("Ignored unsupported project-local config keys"): a resume runs with another provider. Move [model_providers.corp] (and model_provider) to CODEX_HOME's config.toml, then run: C`,
    );
    // the user's own table as well: that one is used
    expect(await stepWith(`${trusted}${CORP}`, "", CORP)).toContain(
      "in [model_providers.corp] of CODEX_HOME's config.toml (",
    );
    // defined twice: both files, the lower layer first; an env_key that is no variable name is not printed
    expect(await stepWith(CORP.replace("CORP_KEY", "$(x)"), CORP.replace("CORP_KEY", "$(x)"))).toBe(
      `The model provider "corp" rejected the credentials: fix the API key it takes, the variable its env_key names in [model_providers.corp] of ${files.config} and CODEX_HOME's config.toml (a table without env_key sends no key: add one, and set that variable; \`codex login\` helps only a provider with requires_openai_auth = true, and there a CODEX_API_KEY in the environment is used before the login), then run: C`,
    );
  });

  it("with requires_openai_auth: log in, a CODEX_API_KEY in the environment coming first", async () => {
    const noKey = CORP.replace('env_key = "CORP_KEY"\n', "");
    expect(await stepWith(`${noKey}requires_openai_auth = true\n`, "")).toBe(
      "The model provider \"corp\" takes Codex's own credentials (requires_openai_auth = true in [model_providers.corp] of CODEX_HOME's config.toml) and rejected them: run `codex login` (an API key: `codex login --with-api-key`, the key on stdin; Codex reads no OPENAI_API_KEY, and a CODEX_API_KEY in the environment is used before any login: fix or unset it), then run: C",
    );
  });

  it("with requires_openai_auth and an env_key: the env_key's variable, which Codex sends over the login", async () => {
    // 0.171 sent the env_key's key, not the login's nor CODEX_API_KEY's (diagnosis-auth.test.ts, "an env_key
    // wins"); before, the step said to log in, which changes nothing Codex sends
    expect(await stepWith(`${CORP}requires_openai_auth = true\n`, "")).toBe(
      "The model provider \"corp\" rejected the credentials: fix the API key it takes, CORP_KEY, the variable its env_key names in [model_providers.corp] of CODEX_HOME's config.toml (Codex sends that variable's key, not the login's nor a CODEX_API_KEY, though the table has requires_openai_auth = true), then run: C",
    );
  });
});
