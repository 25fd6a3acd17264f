// The next step after an MCP tool call that timed out: the same call with the same timeout times out again, so
// the resume gives the server a longer tool_timeout_sec, in the form the config a resume runs with (the
// user's config.toml and the trusted project's .codex/config.toml files, codex-config.ts) lets Codex start with.
import { configFilesNamed, type CodexConfigFacts, type McpToolFilter } from "./codex-config.js";
import type { McpTimeout } from "./diagnosis-work.js";
import type { ResumeTarget } from "./resume-command.js";

export interface McpTimeoutStep {
  /** What the config says beyond the call, for the diagnosis's evidence. */
  evidence: string[];
  next: string;
  command: string;
}

/** Four times the timeout that ran out, at least Codex's default of 60 s, whole seconds. */
export function longerToolTimeout(seconds: number): number {
  return Math.max(60, Math.ceil(seconds * 4));
}

/** Codex's rule for server names in config keys: only these are printed into a `-c` key. */
const MCP_SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_QUALIFIED_NAME = 400;

/**
 * Every way a call's `<server>__<tool>` (after `mcp__`) splits: 0.171 writes each name with every character
 * outside [A-Za-z0-9_] turned into `_` (`my.srv` → `my_srv`, `x-y` → `x_y`, `my.tool` → `my_tool`), and
 * either may hold `__` itself, so `a__b__c` or `x___y` split more than one way.
 */
export function qualifiedNameSplits(rest: string): Array<{ server: string; tool: string }> {
  if (rest.length > MAX_QUALIFIED_NAME) return [];
  const splits: Array<{ server: string; tool: string }> = [];
  for (let at = rest.indexOf("__", 1); at > 0 && at + 2 < rest.length; at = rest.indexOf("__", at + 1)) {
    const server = rest.slice(0, at);
    if (MCP_SERVER_NAME.test(server)) splits.push({ server, tool: rest.slice(at + 2) });
  }
  return splits;
}

/** A name as 0.171 writes it into a call's name (codex-rs sanitizes MCP names for the model's tool list). */
const sanitized = (name: string) => name.replace(/[^A-Za-z0-9_]/g, "_");

type Named = { server: string; tool: string; toolUncertain: boolean };

/**
 * The configured server (and tool) a timeout is about. A name from the error text is the configured one; one
 * from the call's name is sanitized: it is the configured server only when exactly one split matches exactly
 * one configured server (or, config unknown, it splits one way and has no `_` a character could have become).
 */
function namedIn(timeout: McpTimeout, config: CodexConfigFacts | undefined): Named | undefined {
  const { splits } = timeout;
  if (splits === undefined) return { server: timeout.server, tool: timeout.tool, toolUncertain: false };
  const exact = (split: { server: string }) => !split.server.includes("_");
  if (config === undefined) {
    const [only] = splits;
    return splits.length === 1 && only && exact(only) ? { ...only, toolUncertain: true } : undefined;
  }
  const matches = splits.flatMap((split) =>
    config.mcpServers.filter((name) => sanitized(name) === split.server).map((server) => ({ ...split, server })),
  );
  const [match] = matches;
  if (matches.length === 1 && match) return { ...match, toolUncertain: true };
  if (matches.length > 1) return undefined;
  // no configured server: the "define it again" step, only where the name is the configured one for sure
  const [only] = splits;
  return splits.length === 1 && only && exact(only) ? { ...only, toolUncertain: true } : undefined;
}

/** `config` undefined: unknown (unreadable), the override printed as if the server were defined. */
export function mcpTimeoutStep(
  timeout: McpTimeout,
  config: CodexConfigFacts | undefined,
  resume: (extra: Partial<ResumeTarget>) => string,
): McpTimeoutStep {
  const seconds = longerToolTimeout(timeout.seconds);
  const named = namedIn(timeout, config);
  if (named === undefined || !MCP_SERVER_NAME.test(named.server)) {
    // a call's sanitized name that fits no configured server, or several: no override can name the server
    const command = resume({ prompt: "The MCP tool call timed out; call it again." });
    const call = `mcp__${timeout.splits?.[0]?.server ?? timeout.server}__${timeout.splits?.[0]?.tool ?? timeout.tool}`;
    // the configured name found, but with characters a dotted `-c` key cannot hold (`my.srv`)
    const why =
      named === undefined
        ? "Which configured server it is cannot be told from the call's name"
        : "Its server's configured name cannot be written into a `-c` key";
    return {
      evidence: [
        named === undefined
          ? `the timed-out call is named only ${call}, whose server Codex's config cannot be told from it (Codex writes every character of an MCP name other than letters, digits and _ as _, and a name may hold __)`
          : `the timed-out call ${call} is of a configured MCP server whose name holds characters other than letters, digits, _ and -`,
      ],
      next: `The MCP tool call ${call} did not answer within its server's tool_timeout_sec (${timeout.seconds}s). ${why}, so no \`-c mcp_servers.<server>.tool_timeout_sec\` is printed: set \`tool_timeout_sec = ${seconds}\` in that server's [mcp_servers.<server>] table, then: ${command}`,
      command,
    };
  }
  const { server } = named;
  const where = configFilesNamed(config);
  const ranOut = `The MCP tool ${server}/${named.tool} did not answer within its server's tool_timeout_sec (${timeout.seconds}s)`;
  if (config !== undefined && !config.mcpServers.includes(server)) {
    // 0.171 refuses to start with `-c mcp_servers.<name>.…` for a server no config defines ("Error loading
    // config.toml: invalid transport in `mcp_servers.<name>`"): the override cannot be the step
    const command = resume({ prompt: "The MCP tool call timed out; call it again." });
    const untrusted = config.untrustedProjectServers?.includes(server) === true;
    const ignored = untrusted
      ? `; the project's .codex/config.toml defines it, but the project is not trusted, and Codex ignores that file ("Untrusted project-local configuration is disabled")`
      : "";
    const define = untrusted
      ? `Define the server again with \`tool_timeout_sec = ${seconds}\` in its [mcp_servers.${server}] table of CODEX_HOME's config.toml, or mark the project trusted there ([projects."<its folder>"] trust_level = "trusted": Codex then runs the project's MCP servers too, the operator's call) and set the timeout in the project's file`
      : `Define the server again with \`tool_timeout_sec = ${seconds}\` in its [mcp_servers.${server}] table`;
    return {
      evidence: [`${where} does not define the MCP server ${server} (any more)${ignored}`],
      next: `${ranOut}. ${where} does not define the server ${server}${ignored}, so \`-c mcp_servers.${server}.tool_timeout_sec=${seconds}\` makes Codex refuse to start ("invalid transport in \`mcp_servers.${server}\`"). ${define}, then: ${command}`,
      command,
    };
  }
  // `enabled = false` now: the resume would start without the server, its tool not offered at all
  const disabled = config?.disabledMcpServers.includes(server) === true;
  // enabled_tools / disabled_tools leaving the tool out now: the server starts, but not with this tool
  const filter = config?.mcpToolFilters.find((candidate) => candidate.server === server);
  // a tool named only by the call's sanitized name: the lists are compared as Codex writes their names
  const uncertain = named.toolUncertain && /[_]/.test(named.tool);
  const tool = named.tool;
  const filtered = filter ? toolOverride(filter, tool, uncertain) : undefined;
  // keys of this server the managed config sets: 0.171 takes that file over every `-c`, so no override helps
  const managed = config?.managedMcpKeys;
  const overridden = [
    "tool_timeout_sec",
    ...(disabled ? ["enabled"] : []),
    ...(filtered ? ["enabled_tools", "disabled_tools"] : []),
  ];
  const pinned = overridden.map((key) => `${server}.${key}`).filter((key) => managed?.keys.includes(key));
  if (managed && pinned.length > 0) {
    const command = resume({ prompt: "The MCP tool call timed out; call it again." });
    const keys = pinned.map((key) => `\`mcp_servers.${key}\``).join(", ");
    const fact = `${managed.file} sets ${keys}, which Codex 0.171 takes over any \`-c\``;
    return {
      evidence: [fact],
      next: `${ranOut}. ${fact}, so no \`-c mcp_servers.${server}.tool_timeout_sec=${seconds}\` is printed: have that file (the machine's managed config) give the server \`tool_timeout_sec = ${seconds}\` and let it run the tool, then: ${command}`,
      command,
    };
  }
  const command = resume({
    options: [
      ...(disabled ? ["-c", `mcp_servers.${server}.enabled=true`] : []),
      ...(filtered?.options ?? []).flatMap((option) => ["-c", option]),
      "-c",
      `mcp_servers.${server}.tool_timeout_sec=${seconds}`,
    ],
    prompt: "The MCP tool call timed out; it has more time now: call it again.",
  });
  const longer = `\`-c mcp_servers.${server}.tool_timeout_sec=${seconds}\``;
  if (disabled || filtered) {
    const evidence: string[] = [];
    const why: string[] = [];
    if (disabled) {
      evidence.push(`${where} turns the MCP server ${server} off (enabled = false)`);
      why.push(`has \`enabled = false\` for the server ${server} now, so a resume would not offer its tools at all`);
    }
    if (filtered) {
      evidence.push(`${where} leaves the tool ${tool} of the MCP server ${server} out (${filtered.list})`);
      why.push(
        disabled
          ? `leaves the tool ${tool} out (${filtered.list})`
          : `leaves the tool ${tool} of the server ${server} out now (${filtered.list}), so a resume would not offer it`,
      );
    }
    const turnOn = disabled ? [`\`-c mcp_servers.${server}.enabled=true\``] : [];
    const offer = (filtered?.options ?? []).map((option) => `\`-c ${option}\``);
    const doing =
      filtered === undefined
        ? `this resume turns it on for this run only (${turnOn.join(", ")})`
        : filtered.options === undefined
          ? `${filtered.fix} in its [mcp_servers.${server}] table (not every name is plain enough to print here)${disabled ? `; this resume turns the server on for this run only (${turnOn.join(", ")})` : ""}, then resume`
          : `this resume ${disabled ? "turns the server on and " : ""}offers the tool for this run only (${[...turnOn, ...offer].join(", ")})`;
    return {
      evidence,
      next: `${ranOut}. ${where} ${why.join(", and ")}; ${doing} with a longer timeout (${longer}): ${command}`,
      command,
    };
  }
  return {
    evidence: [],
    next: `${ranOut}; resume with a longer one (${longer}, or set it in Codex's config.toml): ${command}`,
    command,
  };
}

/** A plain MCP tool name: only such names are printed into a command (the log's and the config's are anyone's). */
const PLAIN_TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
/** More names than a person reads in a command line: the step names the change instead. */
const MAX_PRINTED_TOOLS = 64;

/**
 * The `-c` overrides (TOML lists) that offer the tool again and leave the rest of the lists as they are: the
 * allow-list with the tool added, the deny-list without it; undefined when the lists offer it. No overrides
 * when a name in them is not plain, or the tool's own name is not known (`uncertain`: only as Codex writes it).
 */
function toolOverride(
  filter: McpToolFilter,
  tool: string,
  uncertain: boolean,
): { list: string; fix: string; options?: string[] } | undefined {
  const { server, enabledTools, disabledTools } = filter;
  const same = (name: string) => (uncertain ? sanitized(name) === tool : name === tool);
  const notAllowed = enabledTools !== null && !enabledTools.some(same);
  const denied = disabledTools.some(same);
  if (!notAllowed && !denied) return undefined;
  const list = (
    uncertain
      ? [
          notAllowed && `its enabled_tools names no tool Codex writes as ${tool}`,
          denied && `its disabled_tools names a tool Codex writes as ${tool}`,
        ]
      : [notAllowed && "its enabled_tools does not name it", denied && "its disabled_tools names it"]
  )
    .filter(Boolean)
    .join(" and ");
  const fix = (
    uncertain
      ? [
          notAllowed && `add the tool's own name (Codex writes it as ${tool}) to enabled_tools`,
          denied && "take it out of disabled_tools",
        ]
      : [notAllowed && `add ${tool} to enabled_tools`, denied && `take ${tool} out of disabled_tools`]
  )
    .filter(Boolean)
    .join(" and ");
  if (uncertain) return { list, fix };
  const changes: Array<[key: string, names: string[]]> = [
    ...(notAllowed && enabledTools ? [["enabled_tools", [...enabledTools, tool]] as [string, string[]]] : []),
    ...(denied ? [["disabled_tools", disabledTools.filter((name) => name !== tool)] as [string, string[]]] : []),
  ];
  const plain = changes.every(
    ([, names]) => names.length <= MAX_PRINTED_TOOLS && names.every((name) => PLAIN_TOOL_NAME.test(name)),
  );
  if (!plain) return { list, fix };
  return {
    list,
    fix,
    options: changes.map(
      ([key, names]) => `mcp_servers.${server}.${key}=[${names.map((name) => `"${name}"`).join(",")}]`,
    ),
  };
}
