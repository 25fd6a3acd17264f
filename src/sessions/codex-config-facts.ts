// The facts a step needs of a config's merged table (codex-config.ts): its MCP servers, their tool lists and
// transports, `[sandbox_workspace_write] exclude_slash_tmp`.
import { isTable, parseToml, type Table } from "./codex-config-files.js";
import type { CodexConfigFacts, McpToolFilter } from "./codex-config.js";
import { providerFacts } from "./codex-config-providers.js";

/** The user file's own facts, by its parsed table (kept while the file is unchanged). */
const userFacts = new WeakMap<Table, CodexConfigFacts>();

export function userFactsOf(table: Table): CodexConfigFacts {
  const known = userFacts.get(table);
  if (known) return known;
  const providers = providerFacts([[table, "CODEX_HOME's config.toml"]], table);
  const facts: CodexConfigFacts = {
    ...factsOf(table),
    ...(typeof table.profile === "string" && { legacyProfile: true as const }),
    ...(providers !== undefined && { modelProviders: providers }),
  };
  userFacts.set(table, facts);
  return facts;
}

/** The facts of a config's text; undefined when it is not TOML (Codex itself refuses to start then). */
export function configFacts(text: string): CodexConfigFacts | undefined {
  const parsed = parseToml(text);
  return "table" in parsed ? factsOf(parsed.table) : undefined;
}

export function factsOf(config: Table): CodexConfigFacts {
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
  const invalid = servers.filter((name) => !oneTransport(table[name]));
  return {
    mcpServers: servers,
    disabledMcpServers: disabled,
    mcpToolFilters: filters,
    excludeSlashTmp: sandbox.exclude_slash_tmp === true,
    ...(invalid.length > 0 && { invalidMcpServers: invalid }),
    ...(typeof config.model_provider === "string" && { selectedProvider: config.model_provider }),
  };
}

/** A server table 0.171 starts with: exactly one of a string `command` (stdio) or `url` (streamable HTTP). */
function oneTransport(server: unknown): boolean {
  if (!isTable(server)) return false;
  const { command, url } = server;
  return command === undefined ? typeof url === "string" : typeof command === "string" && url === undefined;
}

/** A list of names; anything else null (Codex itself refuses such a config: its step cannot be known). */
function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? value : null;
}
