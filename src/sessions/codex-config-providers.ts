// `[model_providers.<id>]` tables, for the step of rejected credentials (diagnosis-auth.ts): which of the files a
// resume reads defines each provider, and what the layers merged say of its key. A provider defined in
// /etc/codex/config.toml or a project's .codex/config.toml was named as "config.toml", the user's, where there
// is no such table to fix. A project's file cannot define one: 0.171 ignores its model_provider and
// model_providers ("Ignored unsupported project-local config keys in <file>: model_provider, model_providers";
// checked with the CLI: the run went to openai), so those are kept apart as `ignoredIn`.
import { isTable, type Table } from "./codex-config-files.js";

export interface ProviderFact {
  /** The files whose `[model_providers.<id>]` table it is, lowest layer first. */
  files: string[];
  /** `env_key`, where it is a plain variable name (absent: none, or not printed). */
  envKey?: string;
  /** `requires_openai_auth = true`: Codex sends the login's credentials, a CODEX_API_KEY before them. */
  requiresOpenaiAuth?: true;
  /** It has an `env_key` (printable or not): Codex sends that variable's key, over any login or CODEX_API_KEY. */
  hasEnvKey?: true;
  /** Defined only in these trusted projects' .codex/config.toml files, which 0.171 ignores for providers. */
  ignoredIn?: string[];
}

/** At most this many providers are kept: a config with more is not one a step needs all of. */
const MAX_PROVIDERS = 64;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** The providers of `layers` (each a table and the file it is, lowest first), their keys from `merged`. */
export function providerFacts(
  layers: ReadonlyArray<readonly [Table, string]>,
  merged: Table,
): Record<string, ProviderFact> | undefined {
  const all = isTable(merged.model_providers) ? merged.model_providers : {};
  const ids = Object.keys(all).slice(0, MAX_PROVIDERS);
  if (ids.length === 0) return undefined;
  // no prototype: a provider named `__proto__` is one like any other (on a plain object it became the prototype)
  const facts = Object.create(null) as Record<string, ProviderFact>;
  for (const id of ids) {
    const table = all[id];
    if (!isTable(table)) continue;
    const files = layers
      .filter(([layer]) => isTable(layer.model_providers) && isTable(layer.model_providers[id]))
      .map(([, file]) => file);
    facts[id] = {
      files: [...new Set(files)],
      ...(typeof table.env_key === "string" && ENV_NAME.test(table.env_key) && { envKey: table.env_key }),
      ...(table.requires_openai_auth === true && { requiresOpenaiAuth: true as const }),
      ...(table.env_key !== undefined && { hasEnvKey: true as const }),
    };
  }
  return facts;
}

/** `known` with the providers only the projects' files (each a table and its path) define, as ignored there. */
export function withProjectProviders(
  known: Record<string, ProviderFact> | undefined,
  projects: ReadonlyArray<readonly [Table, string]>,
): Record<string, ProviderFact> | undefined {
  let facts = known;
  for (const [layer, file] of projects) {
    const tables = isTable(layer.model_providers) ? layer.model_providers : {};
    for (const id of Object.keys(tables).slice(0, MAX_PROVIDERS)) {
      const fact = facts !== undefined && Object.hasOwn(facts, id) ? facts[id] : undefined;
      if (fact !== undefined && fact.files.length > 0) continue;
      facts = { ...facts, [id]: { files: [], ignoredIn: [...(fact?.ignoredIn ?? []), file] } };
    }
  }
  return facts;
}
