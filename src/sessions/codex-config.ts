// What the user's current Codex config says that a printed next step depends on: a resume runs with today's
// config, not the one the log was written under. Read once per answer at the edge (the tools), passed to the
// pure diagnosis as facts. config.toml is written by the user and by whatever runs as this user: read only as a
// regular file reached without a link, at most MAX_CONFIG_BYTES; a file that cannot be read or parsed is
// "unknown", and the diagnosis then says what it said before.
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "smol-toml";

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
}

export interface McpToolFilter {
  server: string;
  /** `enabled_tools`; null: not set (every tool allowed). */
  enabledTools: string[] | null;
  /** `disabled_tools`; empty: not set. */
  disabledTools: string[];
}

/** Whether Codex, started with this config, offers the server's tool to the model (as far as the lists go). */
export function toolFilteredOut(filter: McpToolFilter | undefined, tool: string): boolean {
  if (filter === undefined) return false;
  return (filter.enabledTools !== null && !filter.enabledTools.includes(tool)) || filter.disabledTools.includes(tool);
}

/** A config larger than this is no hand-written config: unknown. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const CONFIG_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const NO_CONFIG: CodexConfigFacts = {
  mcpServers: [],
  disabledMcpServers: [],
  mcpToolFilters: [],
  excludeSlashTmp: false,
};

/**
 * The facts of `$CODEX_HOME/config.toml`; no file: Codex's defaults. Undefined (unknown) when it is a link, not
 * a regular file, too large, unreadable or not TOML.
 */
export async function readCodexConfig(codexHome: string): Promise<CodexConfigFacts | undefined> {
  const path = join(codexHome, "config.toml");
  let text: string;
  let stamp: string;
  try {
    const handle = await open(path, CONFIG_READ);
    try {
      const info = await handle.stat({ bigint: true });
      if (!info.isFile() || info.size > BigInt(MAX_CONFIG_BYTES)) return undefined;
      // the same file unchanged: its facts as parsed last time (a 1 MiB config of dotted keys takes smol-toml
      // over a second, and every summary question reads the config)
      stamp = [info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs].join(":");
      if (lastRead?.path === path && lastRead.stamp === stamp) return lastRead.facts;
      const size = Number(info.size);
      const bytes = Buffer.alloc(size);
      const { bytesRead } = await handle.read(bytes, 0, size, 0);
      text = bytes.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? NO_CONFIG : undefined;
  }
  const facts = configFacts(text);
  lastRead = { path, stamp, facts };
  return facts;
}

/** The last config read, by its file's identity and change times (one home per server, as a rule). */
let lastRead: { path: string; stamp: string; facts: CodexConfigFacts | undefined } | undefined;

/** The facts of a config's text; undefined when it is not TOML (Codex itself refuses to start then). */
export function configFacts(text: string): CodexConfigFacts | undefined {
  let config: Record<string, unknown>;
  try {
    config = parse(text);
  } catch {
    return undefined;
  }
  const table = isTable(config.mcp_servers) ? config.mcp_servers : {};
  const servers = Object.keys(table).sort();
  const disabled = servers.filter((name) => {
    const server = table[name];
    return isTable(server) && server.enabled === false;
  });
  const filters = servers.flatMap((name): McpToolFilter[] => {
    const server = table[name];
    if (!isTable(server)) return [];
    const enabledTools = stringList(server.enabled_tools);
    const disabledTools = stringList(server.disabled_tools) ?? [];
    return enabledTools !== null || disabledTools.length > 0 ? [{ server: name, enabledTools, disabledTools }] : [];
  });
  const sandbox = isTable(config.sandbox_workspace_write) ? config.sandbox_workspace_write : {};
  return {
    mcpServers: servers,
    disabledMcpServers: disabled,
    mcpToolFilters: filters,
    excludeSlashTmp: sandbox.exclude_slash_tmp === true,
  };
}

/** A list of names; anything else null (Codex itself refuses such a config: its step cannot be known). */
function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? value : null;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
