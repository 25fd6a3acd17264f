// The config layers the credentials check (credentials.ts) reads, as the tables it asks of them: just enough
// TOML for a provider's table and a few top-level keys, a call's `-c` overrides, a project's file without the
// keys 0.171 ignores there, and the built-in provider IDs 0.171 refuses to see redefined.
import { readSmallFile } from "../shared/small-file.js";
import { trustedProjectFiles } from "../sessions/index.js";

export type Table = Record<string, string | boolean>;

/**
 * Just enough TOML for the keys above: `[a.b]` / `[a."b"]` headers and `key = "string" | true | false`
 * lines. Anything else is ignored (a provider defined in some other TOML form reads as undefined).
 */
export function readTables(toml: string): Map<string, Table> {
  const tables = new Map<string, Table>([["", {}]]);
  let current = tables.get("") as Table;
  for (const raw of toml.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[([^[\]]+)\]\s*(?:#.*)?$/.exec(line);
    if (header?.[1]) {
      const name = header[1]
        .split(".")
        .map((part) => part.trim().replace(/^"(.*)"$/, "$1"))
        .join(".");
      current = tables.get(name) ?? {};
      tables.set(name, current);
      continue;
    }
    const pair = /^([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(true|false))\s*(?:#.*)?$/.exec(line);
    if (pair?.[1]) current[pair[1]] = pair[4] !== undefined ? pair[4] === "true" : (pair[2] ?? pair[3] ?? "");
  }
  return tables;
}

/** A project file's tables, without the provider keys 0.171 ignores there. */
export function projectTables(text: string): Map<string, Table> {
  const tables = readTables(text);
  for (const name of tables.keys()) if (name.startsWith("model_providers.")) tables.delete(name);
  const { model_provider: _ignored, ...top } = tables.get("") ?? {};
  tables.set("", top);
  return tables;
}

/** `-c` overrides as the tables readTables makes: `model_providers.mock.env_key` sets env_key of that table. */
export function overrideTables(overrides: ReadonlyArray<readonly [string, unknown]>): Map<string, Table> {
  const tables = new Map<string, Table>([["", {}]]);
  for (const [key, value] of overrides) {
    if (typeof value !== "string" && typeof value !== "boolean") continue;
    const dot = key.lastIndexOf(".");
    const name = dot === -1 ? "" : key.slice(0, dot);
    tables.set(name, { ...tables.get(name), [key.slice(dot + 1)]: value });
  }
  return tables;
}

/**
 * The provider IDs 0.171 refuses to see redefined (checked with the CLI: openai, ollama and lmstudio stop it with
 * "Error loading config.toml: model_providers contains reserved built-in provider IDs"; `oss` is not one).
 */
const RESERVED_PROVIDERS = ["openai", "ollama", "lmstudio"] as const;

/** The first reserved provider a layer's `[model_providers.<id>]` (or a table under it) redefines, and its file. */
export function reservedProvider(layers: Array<{ layer: Map<string, Table>; file: string }>) {
  for (const { layer, file } of layers)
    for (const id of RESERVED_PROVIDERS)
      if (
        [...layer.keys()].some((name) => name === `model_providers.${id}` || name.startsWith(`model_providers.${id}.`))
      )
        return { id, file };
  return undefined;
}

/**
 * The `.codex/config.toml` texts of the trusted projects a run in `cwd` reads, the repository's top level first
 * (found as the debug tools find them, sessions' trustedProjectFiles), each read as a regular file reached without
 * a final link, at most 1 MiB.
 */
export async function projectConfigs(codexHome: string, cwd: string | undefined): Promise<string[]> {
  const texts = await Promise.all(
    (await trustedProjectFiles(codexHome, cwd)).map((file) => readSmallFile(file, 1024 * 1024, { followLinks: false })),
  );
  return texts.filter((text): text is string => text !== undefined);
}
