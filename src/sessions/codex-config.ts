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
  /** `[sandbox_workspace_write] exclude_slash_tmp`. */
  excludeSlashTmp: boolean;
}

/** A config larger than this is no hand-written config: unknown. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const CONFIG_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const NO_CONFIG: CodexConfigFacts = { mcpServers: [], disabledMcpServers: [], excludeSlashTmp: false };

/**
 * The facts of `$CODEX_HOME/config.toml`; no file: Codex's defaults. Undefined (unknown) when it is a link, not
 * a regular file, too large, unreadable or not TOML.
 */
export async function readCodexConfig(codexHome: string): Promise<CodexConfigFacts | undefined> {
  let text: string;
  try {
    const handle = await open(join(codexHome, "config.toml"), CONFIG_READ);
    try {
      const info = await handle.stat();
      if (!info.isFile() || info.size > MAX_CONFIG_BYTES) return undefined;
      const bytes = Buffer.alloc(info.size);
      const { bytesRead } = await handle.read(bytes, 0, info.size, 0);
      text = bytes.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? NO_CONFIG : undefined;
  }
  return configFacts(text);
}

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
  const sandbox = isTable(config.sandbox_workspace_write) ? config.sandbox_workspace_write : {};
  return { mcpServers: servers, disabledMcpServers: disabled, excludeSlashTmp: sandbox.exclude_slash_tmp === true };
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
