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
  /** Its `denied_domains`, the same patterns: a host they match is refused though allowed_domains lists it
   * (0.171: "Network access to \"<host>\" was blocked: domain is explicitly denied by policy …"). */
  deniedDomains?: string[];
}

const TABLES = ["experimental_network", "network_proxy", "permissions.network"] as const;
/** At most this many domains are kept: a longer list is named by its start. */
const MAX_DOMAINS = 64;
/** A pattern longer than this is dropped: a host name is 253 characters at most, `**.` and a port beside it. */
const MAX_PATTERN = 264;

export function networkProxyOf(read: Table): NetworkProxy | undefined {
  const tables = TABLES.map((name) => {
    const [first, second] = name.split(".") as [string, string | undefined];
    const outer = read[first];
    const table = second === undefined ? outer : isTable(outer) ? outer[second] : undefined;
    return [name, isTable(table) ? table : undefined] as const;
  });
  const on = tables.find(([, table]) => table?.enabled === true);
  if (on === undefined) return undefined;
  const domains = (key: string) => {
    const all = tables.flatMap(([, table]) => {
      const list = table?.[key];
      // a longer pattern matches no host (253 characters at most) and would only swell the printed step
      return Array.isArray(list)
        ? list.filter((item): item is string => typeof item === "string" && item.length <= MAX_PATTERN)
        : [];
    });
    return [...new Set(all)].slice(0, MAX_DOMAINS);
  };
  const denied = domains("denied_domains");
  return {
    table: on[0],
    allowedDomains: domains("allowed_domains"),
    ...(denied.length > 0 && { deniedDomains: denied }),
  };
}

/**
 * Whether the proxy lets a refused command's target through: true (allowed, not denied), false (denied, or not
 * allowed), undefined (no host known, or a pattern this reader does not know decides it: not judged). `target`
 * is a denial's: `host`, `host:port`, or the proxy's own `http://host:port`.
 */
export function proxyAllows(proxy: NetworkProxy, target: string | null): boolean | undefined {
  const host = hostOf(target);
  if (host === undefined) return undefined;
  const denied = matches(proxy.deniedDomains ?? [], host);
  if (denied === true) return false;
  const allowed = matches(proxy.allowedDomains, host);
  return allowed === true && denied === undefined ? undefined : allowed;
}

/** Why the proxy would refuse `target` by its lists (denied wins), or undefined when it would not or cannot be told. */
export function listRefusalOf(proxy: NetworkProxy, target: string | null): "denied" | "not allowed" | undefined {
  const host = hostOf(target);
  if (host === undefined || proxyAllows(proxy, target) !== false) return undefined;
  return matches(proxy.deniedDomains ?? [], host) === true ? "denied" : "not allowed";
}

/** Whether one of `patterns` matches `host`: undefined when none does but one this reader cannot judge might. */
function matches(patterns: string[], host: string): boolean | undefined {
  let unknown = false;
  for (const raw of patterns) {
    // Codex's normalize_pattern: trimmed, then the host part as a host is (case, port, brackets, trailing dots)
    const pattern = raw.trim();
    const prefix = pattern.startsWith("**.") ? "**." : pattern.startsWith("*.") ? "*." : "";
    const domain = normalHost(pattern.slice(prefix.length));
    if (domain === "" || domain.length > 253) continue; // matches no host
    if (/[*?[\]{}]/.test(domain)) {
      unknown = true; // a glob this reader does not evaluate (`*`, `region*.x`, `a?.x`, `{a,b}.x`)
      continue;
    }
    if (prefix !== "*." && host === domain) return true;
    if (prefix !== "" && host.endsWith(`.${domain}`)) return true;
  }
  return unknown ? undefined : false;
}

/** A host as Codex's network proxy compares it: lower case, no brackets, no `:port` (one colon), no trailing dots. */
function normalHost(text: string): string {
  const bracketed = /^\[([^\]]*)\]/.exec(text)?.[1];
  const bare = bracketed ?? (text.split(":").length === 2 ? (text.split(":")[0] ?? "") : text);
  return bare.toLowerCase().replace(/\.+$/, "");
}

/** The host of a denial's target, lower case; undefined: none, or not a plain host name or address. */
export function hostOf(target: string | null): string | undefined {
  if (target === null) return undefined;
  const bare = target.replace(/^[a-z][a-z0-9+.-]{0,15}:\/\//i, "");
  const host =
    /^\[([0-9a-f:.]{2,45})\](?::\d{1,5})?$/i.exec(bare)?.[1] ?? /^([\w.-]{1,253})(?::\d{1,5})?$/.exec(bare)?.[1];
  return host === undefined ? undefined : normalHost(host);
}
