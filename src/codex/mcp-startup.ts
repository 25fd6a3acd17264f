// A run Codex refused to start because an MCP server its config marks `required = true` did not start. 0.171
// (checked with the CLI) exits 1 before any log is written and prints, on stderr, "Error: thread/start: …
// Failed to initialize session: required MCP servers failed to initialize: <name>: <reason>; <name>: <reason>
// (code -32603)". Quoted as is, that names neither what kind of failure it is nor where to fix it; the names
// come from Codex's stderr (a config's keys, a server's own words after them), so only names Codex itself
// accepts as server names are printed and each reason is bounded. A server's words may carry "; <name>: …"
// of their own: after the first (Codex's), a name counts only where the run's config declares that server.
import { join } from "node:path";
import { parse } from "smol-toml";
import { readCodexConfig, type SystemConfigFiles } from "../sessions/index.js";
import { readSmallFile } from "../shared/small-file.js";

const MARKER = "required MCP servers failed to initialize: ";
/** Codex's own rule for server names (config keys), as diagnosis-config-refusals.ts prints them. */
const MCP_SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** The JSON-RPC code the app-server client of `codex exec` appends. */
const RPC_CODE = / \(code -?\d+\)$/;
const MAX_NAMED = 3;
/** 0.171's words for a server that started but did not answer `initialize` within its startup_timeout_sec. */
const TIMED_OUT = "timed out handshaking with MCP server after ";
const MAX_WHY_CHARS = 100;

export interface RequiredMcpFailure {
  /** The servers named, as Codex names them (valid names only), at most MAX_NAMED. */
  servers: Array<{ name: string; why: string }>;
  /** Servers past MAX_NAMED or with a name not printed. */
  others: number;
  /** A server named started but did not answer within its startup_timeout_sec (Codex's own words say so). */
  timedOut: boolean;
}

/**
 * The failed required servers a stderr reason names; undefined when it is not that failure. `declared`: the
 * servers the run's config declares (declaredMcpServers); a later part naming another is its reason going on.
 */
export function requiredMcpFailure(reason: string, declared: ReadonlySet<string>): RequiredMcpFailure | undefined {
  // the first: Codex's own; a server's error (the server's own words, quoted after its name) may repeat it
  const at = reason.indexOf(MARKER);
  if (at === -1) return undefined;
  const list = reason.slice(at + MARKER.length).replace(RPC_CODE, "");
  // Codex joins "<name>: <reason>" with "; ": a part that names no server (no valid name before its ": ") is
  // the previous server's reason going on, with a "; " of its own
  const parts: Array<{ name: string; why: string }> = [];
  for (const part of list.split("; ")) {
    const colon = part.indexOf(": ");
    const name = colon === -1 ? part : part.slice(0, colon);
    const last = parts.at(-1);
    if (last && (!MCP_SERVER_NAME.test(name) || !declared.has(name))) last.why += `; ${part}`;
    else parts.push({ name, why: colon === -1 ? "" : part.slice(colon + 2) });
  }
  const servers: RequiredMcpFailure["servers"] = [];
  let timedOut = false;
  for (const { name, why: said } of parts) {
    if (!MCP_SERVER_NAME.test(name) || servers.length >= MAX_NAMED) continue;
    const why = said.replace(/[^\x20-\x7e]/g, "?");
    timedOut ||= why.startsWith(TIMED_OUT);
    servers.push({ name, why: why.length > MAX_WHY_CHARS ? `${why.slice(0, MAX_WHY_CHARS)}…` : why });
  }
  const others = parts.length - servers.length;
  return { servers, others, timedOut };
}

/**
 * The run's error for that failure after `lead` (how the run ended: "codex exited with code 1"): its category, the servers (why, for one: several are in the stderr tail) and
 * the next step naming the table; short enough for a text mirror's 600 characters with three longest names.
 */
export function requiredMcpError(failure: RequiredMcpFailure, lead: string): string {
  const [first] = failure.servers;
  const one = failure.servers.length + failure.others === 1;
  const named =
    one && first
      ? [`\`${first.name}\`${first.why === "" ? "" : ` (${first.why})`}`]
      : failure.servers.map(({ name }) => `\`${name}\``);
  const all = [...named, ...(failure.others > 0 ? [`${failure.others} more`] : [])].join(", ");
  const table = one && first ? `[mcp_servers.${first.name}]` : "[mcp_servers.<name>]";
  return (
    `${lead}: a config problem, not retryable as is: required MCP server${one ? "" : "s"} ${all} did not start, so Codex wrote no log. ` +
    `Next step: in ${table} of CODEX_HOME's config.toml (or the project's .codex/config.toml), make ${one ? "its" : "each one's"} \`command\` start${failure.timedOut ? " (or, if only slow, raise its `startup_timeout_sec`)" : ""} or drop \`required = true\`, then run again.`
  );
}

/**
 * The MCP servers the config a run's Codex started with declares: the layers Codex 0.171 reads (CODEX_HOME's
 * config.toml, the machine's, a project's .codex/config.toml only where the user trusts that project; each
 * read as readCodexConfig reads them: no link followed, bounded), and the names in `mcp_servers.<name>.…`
 * overrides (`-c` keys). A config that cannot be read declares nothing.
 */
export async function declaredMcpServers(
  codexHome: string | undefined,
  cwd: string,
  overrideKeys: string[],
  systemFiles?: SystemConfigFiles,
): Promise<Set<string>> {
  const config = codexHome ? await readCodexConfig(codexHome, cwd, systemFiles) : undefined;
  // unknown there (readCodexConfig reads no file through a link): the user's own file, its link followed as
  // Codex follows it (a dotfile manager's), never a project's
  const names = new Set<string>(config?.mcpServers ?? (codexHome ? await ownServers(codexHome) : []));
  for (const key of overrideKeys) {
    const name = /^mcp_servers\.([A-Za-z0-9_-]{1,64})(?:\.|$)/.exec(key)?.[1];
    if (name) names.add(name);
  }
  return names;
}

/** The `[mcp_servers.<name>]` names of CODEX_HOME's config.toml (at most 1 MiB; unreadable or not TOML: none). */
async function ownServers(codexHome: string): Promise<string[]> {
  const text = await readSmallFile(join(codexHome, "config.toml"), 1024 * 1024);
  try {
    const servers = text === undefined ? undefined : (parse(text) as Record<string, unknown>).mcp_servers;
    return servers !== null && typeof servers === "object" ? Object.keys(servers) : [];
  } catch {
    return [];
  }
}

/** The keys of a `codex exec` argv's `-c key=value` overrides. */
export function overrideKeysOf(argv: string[]): string[] {
  return argv.flatMap((arg, at) =>
    argv[at - 1] === "-c" || argv[at - 1] === "--config" ? [arg.split("=")[0] ?? ""] : [],
  );
}
