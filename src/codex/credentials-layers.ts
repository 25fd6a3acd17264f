// The config layers the credentials check (credentials.ts) reads, as the tables it asks of them: each file parsed as
// TOML by the project's one reader (sessions' parseToml, smol-toml), a call's `-c` overrides, a project's file
// without the keys 0.171 ignores there, and the built-in provider IDs 0.171 refuses to see redefined.
import { readSmallFile } from "../shared/small-file.js";
import type { Credentials } from "./credentials.js";
import { isTable, trustedProjectFiles, type NotToml, type TomlTable } from "../sessions/index.js";

/** A TOML table as parsed: nested tables, strings, booleans, numbers, arrays. */
export type Table = TomlTable;

/** `table[key]`, its own key only (a file's `__proto__` or `constructor` is a name, never the object's own machinery). */
export function own(table: unknown, key: string): unknown {
  return isTable(table) && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The table at a path of keys, or undefined where any step is not a table. */
export function tableAt(table: Table, ...keys: string[]): Table | undefined {
  let at: unknown = table;
  for (const key of keys) at = own(at, key);
  return isTable(at) ? at : undefined;
}

/** A project file's table, without the provider keys 0.171 ignores there. */
export function projectTable(table: Table): Table {
  const { model_provider: _provider, model_providers: _providers, ...rest } = table;
  return rest;
}

/** A table's own keys that are not tables: what a legacy `[profiles.<name>]` table sets at the top level. */
export function topLevel(table: Table): Table {
  return Object.fromEntries(Object.entries(table).filter(([, value]) => !isTable(value)));
}

/** A layer that is not TOML: Codex 0.171 stops at once ("Error loading config.toml: <file>:<line>:<column>: …"). */
export function notTomlRefusal(path: string, { line, what }: NotToml): Credentials {
  // the line only: Codex's column can differ from smol-toml's (the end of an unterminated string, not its start)
  const at = line > 0 ? ` (line ${line}: ${what})` : "";
  return {
    provider: "",
    source: "missing",
    variable: null,
    endpoint: "",
    startRefused: true,
    found: `${path} is not TOML${at}, which Codex 0.171 refuses to start with ("Error loading config.toml")`,
    fix: `Fix ${path}${line > 0 ? ` at line ${line}` : ""} (\`codex exec\` names the line and what is wrong there).`,
  };
}

/**
 * `-c` overrides as one table: `model_providers.mock.env_key` sets env_key of that table (Codex splits the key at
 * its dots). Only strings and booleans are kept: no key this check reads is anything else.
 */
export function overrideTable(overrides: ReadonlyArray<readonly [string, unknown]>): Table {
  const root: Table = Object.create(null) as Table;
  for (const [key, value] of overrides) {
    if (typeof value !== "string" && typeof value !== "boolean") continue;
    const parts = key.split(".");
    const last = parts.pop() as string;
    let at = root;
    for (const part of parts) {
      const next = own(at, part);
      // a null-prototype table: a part named __proto__ is a key like any other
      at = isTable(next) ? next : (at[part] = Object.create(null) as Table);
    }
    at[last] = value;
  }
  return root;
}

/**
 * The provider IDs 0.171 refuses to see redefined (checked with the CLI: openai, ollama and lmstudio stop it with
 * "Error loading config.toml: model_providers contains reserved built-in provider IDs"; `oss` is not one).
 */
const RESERVED_PROVIDERS = ["openai", "ollama", "lmstudio"] as const;

/** The first reserved provider a layer's `model_providers` (in any TOML form) redefines, and its file. */
export function reservedProvider(layers: Array<{ layer: Table; file: string }>) {
  for (const { layer, file } of layers)
    for (const id of RESERVED_PROVIDERS) if (own(own(layer, "model_providers"), id) !== undefined) return { id, file };
  return undefined;
}

/**
 * The `.codex/config.toml` files of the trusted projects a run in `cwd` reads, the repository's top level first
 * (found as the debug tools find them, sessions' trustedProjectFiles), each read as a regular file reached without
 * a final link, at most 1 MiB: each file's path and text.
 */
export async function projectConfigs(
  codexHome: string,
  cwd: string | undefined,
): Promise<Array<{ file: string; text: string }>> {
  const files = await trustedProjectFiles(codexHome, cwd);
  const texts = await Promise.all(files.map((file) => readSmallFile(file, 1024 * 1024, { followLinks: false })));
  return files.flatMap((file, at) => {
    const text = texts[at];
    return text === undefined ? [] : [{ file, text }];
  });
}
