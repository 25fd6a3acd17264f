// The config layers the credentials check (credentials.ts) reads, as the tables it asks of them: just enough
// TOML for a provider's table and a few top-level keys, a call's `-c` overrides, a project's file without the
// keys 0.171 ignores there, and the built-in provider IDs 0.171 refuses to see redefined.
import { lstat } from "node:fs/promises";
import { posix } from "node:path";
import { parse } from "smol-toml";
import { readSmallFile } from "../shared/small-file.js";

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
 * (0.171: every folder from the git top level, a `.git` folder or file, down to the cwd; the cwd alone outside a
 * repository), trusted where `[projects."<folder>"]` or the top level's entry says `trust_level = "trusted"`. A
 * file is read only as a regular file reached without a final link, at most 1 MiB; `cwd` not a plain absolute
 * path (or deeper than 64): none. The full walk (a worktree's main repository's trust) is codex-config.ts's.
 */
export async function projectConfigs(userToml: string, cwd: string | undefined): Promise<string[]> {
  if (cwd === undefined || !cwd.startsWith("/") || cwd.length > 4096 || cwd.includes("\0")) return [];
  const parts = cwd.split("/").filter((part) => part !== "");
  if (parts.length > 64 || parts.some((part) => part === "." || part === "..")) return [];
  const folders = ["/", ...parts.map((_, at) => `/${parts.slice(0, at + 1).join("/")}`)];
  let projects: Record<string, unknown> = {};
  try {
    const table = parse(userToml).projects;
    if (table !== null && typeof table === "object" && !Array.isArray(table))
      projects = table as Record<string, unknown>;
  } catch {
    return []; // Codex refuses to start with a user config that is not TOML
  }
  const trust = (folder: string): unknown => {
    const entry = Object.hasOwn(projects, folder) ? projects[folder] : undefined;
    return entry !== null && typeof entry === "object" ? (entry as Record<string, unknown>).trust_level : undefined;
  };
  const gits = await Promise.all(folders.map((folder) => lstat(posix.join(folder, ".git")).catch(() => undefined)));
  const topAt = gits.findLastIndex((info) => info !== undefined && (info.isDirectory() || info.isFile()));
  const below = topAt === -1 ? [cwd] : folders.slice(topAt);
  const top = below[0] ?? cwd;
  const texts = await Promise.all(
    below.map((folder) =>
      (trust(folder) ?? trust(top)) === "trusted"
        ? readSmallFile(posix.join(folder, ".codex", "config.toml"), 1024 * 1024, { followLinks: false })
        : undefined,
    ),
  );
  return texts.filter((text): text is string => text !== undefined);
}
