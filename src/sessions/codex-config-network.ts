// requirements.toml's network proxy: `[experimental_network]`, `[network_proxy]` or `[permissions.network]` with
// `enabled = true` (0.171 reads all three: "Use … [network_proxy], [permissions.network], or
// [experimental_network] for enforced policy in requirements.toml"). Checked with the 0.171 CLI, /etc bound over
// in a private mount namespace: with it, a workspace-write sandbox given network access
// (`-c sandbox_workspace_write.network_access=true`) reaches only the hosts its `allowed_domains` lists; another
// host gets "Network access to \"http://<host>:80\" was blocked by policy.", a local address not listed
// "… blocked: local/private network addresses are blocked by the sandbox policy." A listed 127.0.0.1 is reached;
// danger-full-access bypasses the proxy; `enabled = false` or no `enabled` changes nothing.
import { isTable, type Table } from "./codex-config-files.js";

export interface NetworkProxy {
  /** The table that turns it on, as requirements.toml spells it. */
  table: string;
  /** Its `allowed_domains` (every table's, in file order): exact hosts, `*.x` (subdomains), `**.x` (x and them). */
  allowedDomains: string[];
}

const TABLES = ["experimental_network", "network_proxy", "permissions.network"] as const;
/** At most this many domains are kept: a longer list is named by its start. */
const MAX_DOMAINS = 64;

export function networkProxyOf(read: Table): NetworkProxy | undefined {
  const tables = TABLES.map((name) => {
    const [first, second] = name.split(".") as [string, string | undefined];
    const outer = read[first];
    const table = second === undefined ? outer : isTable(outer) ? outer[second] : undefined;
    return [name, isTable(table) ? table : undefined] as const;
  });
  const on = tables.find(([, table]) => table?.enabled === true);
  if (on === undefined) return undefined;
  const domains = tables.flatMap(([, table]) => {
    const list = table?.allowed_domains;
    return Array.isArray(list) ? list.filter((item): item is string => typeof item === "string") : [];
  });
  return { table: on[0], allowedDomains: [...new Set(domains)].slice(0, MAX_DOMAINS) };
}

/**
 * Whether the proxy lets a refused command's target through: true (listed), false (not listed), undefined (no
 * host known, or a pattern this reader does not know: not judged). `target` is a denial's: `host`, `host:port`,
 * or the proxy's own `http://host:port`.
 */
export function proxyAllows(proxy: NetworkProxy, target: string | null): boolean | undefined {
  const host = hostOf(target);
  if (host === undefined) return undefined;
  let unknown = false;
  for (const raw of proxy.allowedDomains) {
    const pattern = raw.toLowerCase();
    if (pattern === host) return true;
    if (pattern.startsWith("**.") && (host === pattern.slice(3) || host.endsWith(pattern.slice(2)))) return true;
    if (pattern.startsWith("*.") && host.endsWith(pattern.slice(1))) return true;
    if (pattern.includes("*") && !/^\*{1,2}\.[^*]+$/.test(pattern)) unknown = true;
  }
  return unknown ? undefined : false;
}

/** The host of a denial's target, lower case; undefined: none, or not a plain host name or address. */
export function hostOf(target: string | null): string | undefined {
  if (target === null) return undefined;
  const bare = target.replace(/^[a-z][a-z0-9+.-]{0,15}:\/\//i, "");
  const host =
    /^\[([0-9a-f:.]{2,45})\](?::\d{1,5})?$/i.exec(bare)?.[1] ?? /^([\w.-]{1,253})(?::\d{1,5})?$/.exec(bare)?.[1];
  return host?.toLowerCase();
}
