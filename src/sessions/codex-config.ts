// What the Codex config a resume runs with says that a printed next step depends on: a resume runs with
// today's config, not the one the log was written under. Read once per answer at the edge (the tools), passed
// to the pure diagnosis as facts. A resume (`codex exec --cd <cwd> … resume`) runs with Codex's layered config
// (0.171 checked, codex-rs config_loader): `$CODEX_HOME/config.toml`, then the `.codex/config.toml` of every
// folder from the git repository's top level down to the cwd (the cwd alone outside a repository), nearer
// folders winning per key; a project's file counts only when `[projects."<folder>"]` (the folder, the
// repository's top level, or a worktree's main repository) has `trust_level = "trusted"` in the user's config.
// Every file is written by whoever controls that folder: read only as a regular file reached without a link (a
// machine file: a link only along a way root alone laid, codex-config-links.ts),
// at most MAX_CONFIG_BYTES; a file Codex would read that cannot be read or parsed makes the facts "unknown".
// A path this reader does not walk (a link on the way, a `.git` link, too deep) gives the user's file's facts
// alone, as before project layers were read.
import { join, posix } from "node:path";
import { appendAll } from "../shared/arrays.js";
import {
  isTable,
  lstatOf,
  mergeTables,
  readMachineToml,
  readSmall,
  readToml,
  type Table,
} from "./codex-config-files.js";
import { configFacts, factsOf, userFactsOf } from "./codex-config-facts.js";
import { machineFacts, SYSTEM_CONFIG_FILES, type SystemConfigFiles } from "./codex-config-machine.js";
import { providerFacts, withProjectProviders, type ProviderFact } from "./codex-config-providers.js";
import { readRequirements, type ConfigRequirements } from "./codex-config-requirements.js";

export { MAX_CONFIG_BYTES } from "./codex-config-files.js";
export { configFacts };
export { SYSTEM_CONFIG_FILES, type SystemConfigFiles } from "./codex-config-machine.js";

export interface CodexConfigFacts {
  /** The MCP servers `[mcp_servers.<name>]` defines, sorted. */
  mcpServers: string[];
  /**
   * Of those, the ones `enabled = false` turns off: a resume starts without them, so their tools are not
   * offered (0.171 checked: no `mcp__<name>` tool in the request), however long their timeout.
   */
  disabledMcpServers: string[];
  /**
   * The servers whose `enabled_tools` (allow-list) or `disabled_tools` (deny-list) leave tools out, sorted by
   * server: Codex offers only a tool the allow-list (when set) names and the deny-list does not (codex-rs
   * `ToolFilter::allows`, raw MCP tool names).
   */
  mcpToolFilters: McpToolFilter[];
  /** `[sandbox_workspace_write] exclude_slash_tmp`. */
  excludeSlashTmp: boolean;
  /** How many trusted projects' `.codex/config.toml` files the facts include (absent: none, the user's only). */
  projectLayers?: number;
  /**
   * MCP servers only an untrusted project's `.codex/config.toml` defines (absent: none). 0.171 ignores such a
   * file: "Untrusted project-local configuration is disabled".
   */
  untrustedProjectServers?: string[];
  /**
   * The user's config has a top-level `profile = "<name>"` (absent: not): 0.171 refuses to start with it
   * ("legacy `profile = …` config is no longer supported; use `--profile <name>` with `<name>.config.toml`").
   */
  legacyProfile?: true;
  /**
   * A trusted project's `.codex/config.toml` is not TOML (absent: not): 0.171 refuses to start ("Error loading
   * config.toml: Error parsing project config file …"); the other facts are the user's file's alone.
   */
  brokenProjectConfig?: true;
  /**
   * CODEX_HOME's config.toml is not TOML (absent: it is): 0.171 refuses to start ("Error loading config.toml:
   * <file>:<line>:<column>: …"); nothing else is known, the other facts are empty.
   */
  brokenUserConfig?: true;
  /**
   * The system's or the managed config (SYSTEM_CONFIG_FILES) with a top-level `profile` (absent: neither): 0.171
   * refuses to start with it there as in the user's file (checked with the CLI).
   */
  machineLegacyProfile?: string;
  /** The system's or the managed config (SYSTEM_CONFIG_FILES) that is not TOML, as brokenUserConfig. */
  brokenSystemConfig?: string;
  /** The system's or the managed config this user may not read (EACCES): 0.171 refuses to start, as brokenUserConfig. */
  unreadableSystemConfig?: string;
  /**
   * The servers whose table (the layers merged) names no transport 0.171 takes, sorted (absent: none): exactly
   * one of a string `command` or `url` is needed, enabled or not ("invalid transport", "url is not supported for
   * stdio"), or Codex refuses to start.
   */
  invalidMcpServers?: string[];
  /**
   * The MCP keys a printed `-c` would set that the managed config (SYSTEM_CONFIG_FILES.managed) sets itself,
   * as `<server>.<key>`, sorted, with that file (absent: none): 0.171 takes that file over every `-c` (checked
   * with `codex -c mcp_servers.<name>.tool_timeout_sec=60 mcp get <name>`: the managed 3 stays).
   */
  managedMcpKeys?: { file: string; keys: string[] };
  /**
   * The managed config, where it sets `[sandbox_workspace_write] network_access` (absent: it does not): over
   * every `-c`, so `-c sandbox_workspace_write.network_access=true` cannot change it.
   */
  managedSandboxNetwork?: string;
  /**
   * The managed config and its `sandbox_mode` (absent: it sets none; `mode` null: not one of Codex's): 0.171
   * runs in it whatever `--sandbox` says (checked with the CLI).
   */
  managedSandboxMode?: { file: string; mode: string | null };
  /** The managed config, where it sets `approval_policy` (absent: it does not): over every `-c`. */
  managedApprovalPolicy?: string;
  /** requirements.toml's lists a printed step may run into (absent: none, or the file not read). */
  requirements?: ConfigRequirements;
  /**
   * requirements.toml, where 0.171 refuses to start with it (not TOML, a value it does not know, sandbox modes
   * without "read-only"); the other facts are empty.
   */
  brokenRequirements?: string;
  /** requirements.toml, where this user may not read it: 0.171 refuses to start; the other facts are empty. */
  unreadableRequirements?: string;
  /** The machine's files (SYSTEM_CONFIG_FILES) merged into the facts, the system's first (absent: none). */
  machineLayers?: string[];
  /** `[model_providers.<id>]` by id: the files defining it and its key (absent: no file defines one). */
  modelProviders?: Record<string, ProviderFact>;
  /** The home's `model_provider` (absent: openai); not a project's, which 0.171 ignores (resume-command.ts). */
  selectedProvider?: string;
}

/** The files a fact of the merged tables is of, for a step's text: CODEX_HOME's, a project's, the machine's. */
export function configFilesNamed(config: CodexConfigFacts | undefined): string {
  const others = [
    ...(config?.projectLayers ? ["the project's .codex/config.toml"] : []),
    ...(config?.machineLayers ?? []),
  ];
  return others.length > 0 ? `CODEX_HOME's config.toml with ${others.join(" and ")}` : "CODEX_HOME's config.toml";
}

export interface McpToolFilter {
  server: string;
  /** `enabled_tools`; null: not set (every tool allowed). */
  enabledTools: string[] | null;
  /** `disabled_tools`; empty: not set. */
  disabledTools: string[];
}

/** A session folder deeper than this: its projects' files are not looked for, the user's file alone counts. */
export const MAX_CWD_DEPTH = 64;
const MAX_CWD_LENGTH = 4096;

/**
 * The facts of the config a resume in `cwd` runs with: `$CODEX_HOME/config.toml` and the trusted projects'
 * `.codex/config.toml` files between the repository's top level and `cwd`. No user file: Codex's defaults.
 * Undefined (unknown) when a file Codex would read is a link, not a regular file, too large or unreadable, or the
 * user's file is not TOML; a trusted project's file that is not TOML: the user's facts, `brokenProjectConfig`. `cwd` not an absolute, plain folder path, deeper than MAX_CWD_DEPTH, or with a link on the way (macOS
 * /tmp, a linked home; 0.171 records `--cd`'s path as given): the user's file only.
 */
export async function readCodexConfig(
  codexHome: string,
  cwd?: string | null,
  systemFiles: SystemConfigFiles = SYSTEM_CONFIG_FILES,
): Promise<CodexConfigFacts | undefined> {
  const [facts, limits] = await Promise.all([
    layeredFacts(codexHome, cwd, systemFiles),
    readRequirements(systemFiles.requirements, systemFiles.owners),
  ]);
  // 0.171 refuses to start with such a requirements.toml, whatever the config
  if (limits.brokenRequirements !== undefined || limits.unreadableRequirements !== undefined)
    return { ...NOTHING_KNOWN, ...limits };
  return facts !== undefined && limits.requirements !== undefined
    ? { ...facts, requirements: limits.requirements }
    : facts;
}

async function layeredFacts(
  codexHome: string,
  cwd: string | null | undefined,
  systemFiles: SystemConfigFiles,
): Promise<CodexConfigFacts | undefined> {
  const [user, system, managed] = await Promise.all([
    readToml(join(codexHome, "config.toml")),
    readMachineToml(systemFiles.config, systemFiles.owners),
    readMachineToml(systemFiles.managed, systemFiles.owners),
  ]);
  // CODEX_HOME's file not TOML stops 0.171 whatever the machine's files hold: said even where they are unknown
  if (user === "not TOML") return BROKEN_USER_CONFIG;
  if (user === undefined || system === undefined || managed === undefined) return undefined;
  for (const [read, file] of [
    [system, systemFiles.config],
    [managed, systemFiles.managed],
  ] as const)
    if (read === "not TOML" || read === "unreadable")
      return {
        ...NOTHING_KNOWN,
        ...(read === "not TOML" ? { brokenSystemConfig: file } : { unreadableSystemConfig: file }),
      };
  const above = isTable(managed) ? managed : {};
  const { base, managedKeys, own } = mergedOwn(user, system, managed, systemFiles);
  const none = { layers: [], files: [], untrusted: [] };
  // a path not walked (too deep, a link on the way: Codex follows it, this reader never does): the user's file
  // alone, as before project layers were read, rather than nothing known (an unknown config prints a -c
  // override Codex refuses for a server no file defines, and drops the legacy-profile warning)
  const project = plainFolder(cwd)
    ? depthOf(cwd) > MAX_CWD_DEPTH
      ? none
      : await projectLayers(codexHome, cwd, base)
    : none;
  if (project === undefined) return undefined;
  if (project === "not walked") return own;
  if (project === "not TOML") return { ...own, brokenProjectConfig: true };
  // the user's file alone: its facts as made last time (the same object while the file is unchanged)
  if (project.layers.length === 0 && project.untrusted.length === 0) return own;
  let merged: Table = base;
  for (const layer of project.layers) merged = mergeTables(merged, layer);
  const all = mergeTables(merged, above);
  const facts = factsOf(all);
  const projectFiles = project.layers.map((layer, index) => [layer, project.files[index] ?? ""] as const);
  // a project's file cannot define a provider (0.171 ignores its model_providers): the user's and machine's only
  const providers = withProjectProviders(own.modelProviders, projectFiles);
  const untrusted = [...new Set(project.untrusted)].filter((name) => !facts.mcpServers.includes(name)).sort();
  // a project's model_provider 0.171 ignores: the user's and machine's selection stands
  const { selectedProvider: _ignored, ...projectFacts } = facts;
  return {
    ...projectFacts,
    ...(own.selectedProvider !== undefined && { selectedProvider: own.selectedProvider }),
    ...(project.layers.length > 0 && { projectLayers: project.layers.length }),
    ...(untrusted.length > 0 && { untrustedProjectServers: untrusted }),
    ...(own.legacyProfile && { legacyProfile: true as const }),
    ...managedKeys,
    ...(providers !== undefined && { modelProviders: providers }),
  };
}

/** The last merge of the user's and the machine's files: the same parsed tables (the files' stamps unchanged, codex-config-files.ts) give the same facts, unmerged again on every summary question. */
let lastMerge: { key: unknown[]; merged: ReturnType<typeof merge> } | undefined;

function mergedOwn(user: Table | "absent", system: unknown, managed: unknown, files: SystemConfigFiles) {
  const key = [user, system, managed, files.config, files.managed];
  if (lastMerge?.key.every((part, index) => part === key[index])) return lastMerge.merged;
  const merged = merge(user, isTable(system) ? system : {}, isTable(managed) ? managed : {}, files);
  lastMerge = { key, merged };
  return merged;
}

function merge(user: Table | "absent", below: Table, above: Table, files: SystemConfigFiles) {
  // the system's file under the user's, the managed one over every other layer (0.171 checked with both)
  const layered = Object.keys(below).length > 0 || Object.keys(above).length > 0;
  const base = layered ? mergeTables(below, user === "absent" ? {} : user) : user === "absent" ? {} : user;
  // the legacy `profile` of the user's file (its own fact; one in a machine file: machineLegacyProfile)
  const ownProfile = user !== "absent" && typeof user.profile === "string";
  const managedKeys = machineFacts(below, above, files);
  const all = layered ? mergeTables(base, above) : base;
  const providers = layered
    ? providerFacts([...userLayers(user, below, files), [above, files.managed]], all)
    : undefined;
  const own: CodexConfigFacts = layered
    ? {
        ...factsOf(all),
        ...(ownProfile && { legacyProfile: true as const }),
        ...managedKeys,
        ...(providers !== undefined && { modelProviders: providers }),
      }
    : userFactsOf(base);
  return { base, managedKeys, own };
}

/** The system's file and the user's, lowest first, each with the name a step gives it. */
function userLayers(
  user: Table | "absent",
  system: unknown,
  files: SystemConfigFiles,
): Array<readonly [Table, string]> {
  return [
    [isTable(system) ? system : {}, files.config],
    [user === "absent" ? {} : user, "CODEX_HOME's config.toml"],
  ];
}

/** A config Codex refuses to parse: nothing else is known. */
const NOTHING_KNOWN: CodexConfigFacts = {
  mcpServers: [],
  disabledMcpServers: [],
  mcpToolFilters: [],
  excludeSlashTmp: false,
};
const BROKEN_USER_CONFIG: CodexConfigFacts = { ...NOTHING_KNOWN, brokenUserConfig: true };

/** An absolute folder path as Codex records one: no NUL, no `.`/`..` or empty segments, bounded. */
function plainFolder(cwd: string | null | undefined): cwd is string {
  if (typeof cwd !== "string" || !cwd.startsWith("/") || cwd.length > MAX_CWD_LENGTH || cwd.includes("\0"))
    return false;
  return (
    cwd === "/" ||
    cwd
      .slice(1)
      .split("/")
      .every((part) => part !== "" && part !== "." && part !== "..")
  );
}

/** A deeper folder's layers are not looked for (a lstat per folder, three times). */
const depthOf = (cwd: string) => (cwd === "/" ? 0 : cwd.split("/").length - 1);

/**
 * The trusted projects' `.codex/config.toml` files a run in `cwd` reads, the repository's top level first, by the
 * same walk as the facts (trust, a worktree's main repository, no link followed); none where it cannot tell.
 */
export async function trustedProjectFiles(codexHome: string, cwd: string | undefined): Promise<string[]> {
  if (!plainFolder(cwd) || depthOf(cwd) > MAX_CWD_DEPTH) return [];
  const user = await readToml(join(codexHome, "config.toml"));
  const project = isTable(user) ? await projectLayers(codexHome, cwd, user) : undefined;
  return typeof project === "object" ? project.files : [];
}

/**
 * The trusted project layers a resume in `cwd` adds, nearest the repository's top level first, and the servers
 * untrusted ones define. "not walked": a link on the way (or `.git` a link); undefined: unknown (a trusted file
 * that cannot be read).
 */
async function projectLayers(
  codexHome: string,
  cwd: string,
  user: Table,
): Promise<{ layers: Table[]; files: string[]; untrusted: string[] } | "not walked" | "not TOML" | undefined> {
  // the folders from / down to cwd: none may be a link (Codex would follow it; this reader never does)
  const folders =
    cwd === "/"
      ? ["/"]
      : [
          "/",
          ...cwd
            .slice(1)
            .split("/")
            .map((_, i, parts) => `/${parts.slice(0, i + 1).join("/")}`),
        ];
  // each lookup at once: a question's config is read on every summary
  const infos = await Promise.all(folders.map(lstatOf));
  if (infos.some((info) => info === undefined)) return { layers: [], files: [], untrusted: [] }; // gone: a resume there fails
  if (infos.some((info) => !info?.isDirectory())) return "not walked";
  const repo = await repositoryOf(folders);
  if (repo === undefined) return "not walked";
  const top = repo?.top ?? cwd;
  const projects = isTable(user.projects) ? user.projects : {};
  const trustOf = (key: string | undefined): unknown => {
    const entry = key === undefined ? undefined : projects[key];
    return isTable(entry) ? entry.trust_level : undefined;
  };
  const layers: Table[] = [];
  const files: string[] = [];
  const untrusted: string[] = [];
  const home = posix.normalize(codexHome).replace(/\/+$/, "");
  const below = folders.slice(folders.indexOf(top));
  const dotCodexes = await Promise.all(below.map((folder) => lstatOf(posix.join(folder, ".codex"))));
  for (const [index, folder] of below.entries()) {
    const dotCodex = posix.join(folder, ".codex");
    if (dotCodex === home) continue; // CODEX_HOME itself: its config.toml is the user's, already read
    const info = dotCodexes[index];
    if (info === undefined || (!info.isDirectory() && !info.isSymbolicLink())) continue;
    // codex-rs decision_for_dir: the folder's own entry, else the top level's, else the main repository's
    const trust = trustOf(folder) ?? trustOf(top) ?? trustOf(repo?.main);
    const trusted = trust === "trusted";
    if (info.isSymbolicLink()) {
      if (trusted) return undefined;
      continue;
    }
    const read = await readToml(posix.join(dotCodex, "config.toml"));
    if (trusted) {
      if (read === undefined) return undefined;
      if (read === "not TOML") return read; // 0.171: "Error parsing project config file …", no start
      if (read !== "absent") {
        layers.push(read);
        files.push(posix.join(dotCodex, "config.toml"));
      }
    } else if (isTable(read) && isTable(read.mcp_servers)) appendAll(untrusted, Object.keys(read.mcp_servers));
  }
  return { layers, files, untrusted };
}

/**
 * The git repository `folders` (/ down to the cwd) are in: its top level (a `.git` folder holding HEAD, or a
 * worktree's `.git` file) and the main repository's top level a worktree's trust is looked up by. Null: none
 * (0.171 then reads the cwd's `.codex` only: `project_root_markers` and a bare `.git` folder do not count).
 */
async function repositoryOf(folders: string[]): Promise<{ top: string; main: string } | null | undefined> {
  const nearestFirst = [...folders].reverse();
  const gits = await Promise.all(nearestFirst.map((folder) => lstatOf(posix.join(folder, ".git"))));
  for (const [index, folder] of nearestFirst.entries()) {
    const git = posix.join(folder, ".git");
    const info = gits[index];
    if (info === undefined) continue;
    if (info.isSymbolicLink()) return undefined;
    if (info.isDirectory()) {
      if ((await lstatOf(posix.join(git, "HEAD")))?.isFile()) return { top: folder, main: folder };
      continue;
    }
    if (!info.isFile()) continue;
    // a worktree (`gitdir: <main>/.git/worktrees/<name>`) is trusted by its main repository's entry too; a
    // submodule's (`…/.git/modules/…`): its own top level only. A relative gitdir (git 2.48+ `worktree add
    // --relative-paths`, `../main/.git/worktrees/<name>`) is taken from the top level, as codex-rs resolves it
    const text = await readSmall(git);
    const written = text === undefined ? undefined : /^gitdir: ([^\n\0]{1,4096})\n?$/.exec(text)?.[1];
    const gitdir = written === undefined ? undefined : posix.resolve(folder, written);
    const main = gitdir === undefined ? undefined : /^(\/.+)\/\.git\/worktrees\/[^/]+$/.exec(gitdir)?.[1];
    return { top: folder, main: main ?? folder };
  }
  return null;
}
