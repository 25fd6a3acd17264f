// The next step for credentials a provider rejected. `codex login` stores OpenAI credentials (ChatGPT or an API
// key in auth.json); Codex 0.171 sends them only to a provider that uses OpenAI's auth: the built-in `openai`,
// or one with `requires_openai_auth = true`. Another provider's key comes from the variable its `env_key`
// names (a 401 from a `[model_providers.mock]` after `codex login --with-api-key`: no Authorization header sent).

/** Codex's provider ids as config keys have them: only such a name is quoted into the step. */
const PROVIDER_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Codex 0.171's other built-in providers: they send no key, and a config with a table of their id does not load
 * ("Built-in providers cannot be overridden"), so the step may not send the user to one.
 */
const KEYLESS_BUILT_IN = new Set(["ollama", "lmstudio"]);

/** `provider`: the session's `model_provider` (session_meta), absent in old logs (then Codex's default, openai). */
export function authStep(provider: string | undefined, codexWord: string, command: string): string {
  const login = `\`${codexWord} login\``;
  if (provider === undefined || provider === "" || provider === "openai")
    // 0.171 sends auth.json's key or tokens, or CODEX_API_KEY's before them; an OPENAI_API_KEY it never reads
    return `Codex's credentials were rejected: run ${login} (an API key: \`${codexWord} login --with-api-key\`, the key on stdin; Codex reads no OPENAI_API_KEY, and a CODEX_API_KEY in the environment is used before any login: fix or unset it), then run: ${command}`;
  if (KEYLESS_BUILT_IN.has(provider))
    return `The model provider "${provider}" is built into Codex and sends no API key, but the server at its base URL asked for one: point it at a server that needs none, or define a provider of another name in config.toml with the env_key that holds the key and select it (model_provider; a [model_providers.${provider}] table is refused: built-in providers cannot be redefined), then run: ${command}`;
  const named = PROVIDER_ID.test(provider) ? `"${provider}"` : "of this session";
  // a TOML bare key has no dot: config.toml names the provider "a.b" by its quoted key
  const key = provider.includes(".") ? `"${provider}"` : provider;
  const table = PROVIDER_ID.test(provider) ? `[model_providers.${key}]` : "its [model_providers.<id>] table";
  return `The model provider ${named} rejected the credentials: fix the API key it takes, the variable its env_key names in ${table} of config.toml (a table without env_key sends no key: add one, and set that variable; ${login} helps only a provider with requires_openai_auth = true), then run: ${command}`;
}
