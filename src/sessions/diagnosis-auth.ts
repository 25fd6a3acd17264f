// The next step for credentials a provider rejected. `codex login` stores OpenAI credentials (ChatGPT or an API
// key in auth.json); Codex 0.171 sends them only to a provider that uses OpenAI's auth: the built-in `openai`,
// or one with `requires_openai_auth = true`. Another provider's key comes from the variable its `env_key`
// names (a 401 from a `[model_providers.mock]` after `codex login --with-api-key`: no Authorization header sent).

import { inline } from "../shared/text.js";
import type { ProviderFact } from "./codex-config-providers.js";

/** Codex's provider ids as config keys have them: only such a name is quoted into the step. */
const PROVIDER_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Codex 0.171's other built-in providers: they send no key, and a config with a table of their id does not load
 * ("Built-in providers cannot be overridden"), so the step may not send the user to one.
 */
const KEYLESS_BUILT_IN = new Set(["ollama", "lmstudio"]);

/**
 * `provider`: the session's `model_provider` (session_meta), absent in old logs (then Codex's default, openai).
 * `fact`: what the config a resume reads says of it (codex-config-providers.ts); undefined: not known.
 */
export function authStep(
  provider: string | undefined,
  codexWord: string,
  command: string,
  fact?: ProviderFact,
): string {
  const login = `\`${codexWord} login\``;
  // 0.171 sends auth.json's key or tokens, or CODEX_API_KEY's before them; an OPENAI_API_KEY it never reads
  // (checked for openai and for a provider with requires_openai_auth = true, `codex exec`)
  const loginStep = `run ${login} (an API key: \`${codexWord} login --with-api-key\`, the key on stdin; Codex reads no OPENAI_API_KEY, and a CODEX_API_KEY in the environment is used before any login: fix or unset it)`;
  if (provider === undefined || provider === "" || provider === "openai")
    return `Codex's credentials were rejected: ${loginStep}, then run: ${command}`;
  if (KEYLESS_BUILT_IN.has(provider))
    return `The model provider "${provider}" is built into Codex and sends no API key, but the server at its base URL asked for one: point it at a server that needs none, or define a provider of another name in config.toml with the env_key that holds the key and select it (model_provider; a [model_providers.${provider}] table is refused: built-in providers cannot be redefined), then run: ${command}`;
  const named = PROVIDER_ID.test(provider) ? `"${provider}"` : "of this session";
  // a TOML bare key has no dot: config.toml names the provider "a.b" by its quoted key
  const key = provider.includes(".") ? `"${provider}"` : provider;
  const table = PROVIDER_ID.test(provider) ? `[model_providers.${key}]` : "its [model_providers.<id>] table";
  // the file that defines it: the machine's or a project's is not the user's config.toml
  // a project's path comes from the session's cwd, log text: one line each (inline)
  const where = fact !== undefined && fact.files.length > 0 ? fact.files.map(inline).join(" and ") : "config.toml";
  if (fact?.ignoredIn !== undefined && fact.files.length === 0)
    return `The model provider ${named} is defined only in ${fact.ignoredIn.map(inline).join(" and ")}, whose model_provider and model_providers Codex 0.171 ignores ("Ignored unsupported project-local config keys"): a resume runs with another provider. Move ${table} (and model_provider) to CODEX_HOME's config.toml, then run: ${command}`;
  const variable =
    fact?.envKey !== undefined ? `${fact.envKey}, the variable its env_key names` : "the variable its env_key names";
  // an env_key wins over requires_openai_auth: 0.171 sent its variable's key, not the login's nor CODEX_API_KEY's
  if (fact?.requiresOpenaiAuth && fact.hasEnvKey)
    return `The model provider ${named} rejected the credentials: fix the API key it takes, ${variable} in ${table} of ${where} (Codex sends that variable's key, not the login's nor a CODEX_API_KEY, though the table has requires_openai_auth = true), then run: ${command}`;
  if (fact?.requiresOpenaiAuth)
    return `The model provider ${named} takes Codex's own credentials (requires_openai_auth = true in ${table} of ${where}) and rejected them: ${loginStep}, then run: ${command}`;
  return `The model provider ${named} rejected the credentials: fix the API key it takes, ${variable} in ${table} of ${where} (a table without env_key sends no key: add one, and set that variable; ${login} helps only a provider with requires_openai_auth = true, and there a CODEX_API_KEY in the environment is used before the login), then run: ${command}`;
}

/** What the config says of the session's provider; undefined: unknown, or no file defines it. */
export function providerOf(
  config: { modelProviders?: Record<string, ProviderFact> } | undefined,
  provider: string | undefined,
): ProviderFact | undefined {
  const providers = config?.modelProviders;
  return providers !== undefined && provider !== undefined && Object.hasOwn(providers, provider)
    ? providers[provider]
    : undefined;
}
