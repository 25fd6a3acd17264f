// The next step after an MCP tool call that timed out: the same call with the same timeout times out again, so
// the resume gives the server a longer tool_timeout_sec, in the form today's config.toml lets Codex start with.
import { toolFilteredOut, type CodexConfigFacts, type McpToolFilter } from "./codex-config.js";
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

/** `config` undefined: unknown (unreadable), the override printed as if the server were defined. */
export function mcpTimeoutStep(
  timeout: McpTimeout,
  config: CodexConfigFacts | undefined,
  resume: (extra: Partial<ResumeTarget>) => string,
): McpTimeoutStep {
  const { server, tool } = timeout;
  const seconds = longerToolTimeout(timeout.seconds);
  const ranOut = `The MCP tool ${server}/${tool} did not answer within its server's tool_timeout_sec (${timeout.seconds}s)`;
  if (config !== undefined && !config.mcpServers.includes(server)) {
    // 0.171 refuses to start with `-c mcp_servers.<name>.…` for a server no config defines ("Error loading
    // config.toml: invalid transport in `mcp_servers.<name>`"): the override cannot be the step
    const command = resume({ prompt: "The MCP tool call timed out; call it again." });
    return {
      evidence: [`CODEX_HOME's config.toml does not define the MCP server ${server} (any more)`],
      next: `${ranOut}. CODEX_HOME's config.toml does not define the server ${server}, so \`-c mcp_servers.${server}.tool_timeout_sec=${seconds}\` makes Codex refuse to start ("invalid transport in \`mcp_servers.${server}\`"), unless the project's .codex/config.toml defines it. Define the server again with \`tool_timeout_sec = ${seconds}\` in its [mcp_servers.${server}] table, then: ${command}`,
      command,
    };
  }
  // `enabled = false` now: the resume would start without the server, its tool not offered at all
  const disabled = config?.disabledMcpServers.includes(server) === true;
  // enabled_tools / disabled_tools leaving the tool out now: the server starts, but not with this tool
  const filter = config?.mcpToolFilters.find((candidate) => candidate.server === server);
  const filtered = toolFilteredOut(filter, tool) ? toolOverride(filter as McpToolFilter, tool) : undefined;
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
      evidence.push(`CODEX_HOME's config.toml turns the MCP server ${server} off (enabled = false)`);
      why.push(`has \`enabled = false\` for the server ${server} now, so a resume would not offer its tools at all`);
    }
    if (filtered) {
      evidence.push(
        `CODEX_HOME's config.toml leaves the tool ${tool} of the MCP server ${server} out (${filtered.list})`,
      );
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
      next: `${ranOut}. CODEX_HOME's config.toml ${why.join(", and ")}; ${doing} with a longer timeout (${longer}): ${command}`,
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
 * allow-list with the tool added, the deny-list without it. None when a name in them is not plain.
 */
function toolOverride(filter: McpToolFilter, tool: string): { list: string; fix: string; options?: string[] } {
  const { server, enabledTools, disabledTools } = filter;
  const notAllowed = enabledTools !== null && !enabledTools.includes(tool);
  const denied = disabledTools.includes(tool);
  const changes: Array<[key: string, names: string[]]> = [
    ...(notAllowed ? [["enabled_tools", [...enabledTools, tool]] as [string, string[]]] : []),
    ...(denied ? [["disabled_tools", disabledTools.filter((name) => name !== tool)] as [string, string[]]] : []),
  ];
  const list = [notAllowed && "its enabled_tools does not name it", denied && "its disabled_tools names it"]
    .filter(Boolean)
    .join(" and ");
  const fix = [notAllowed && `add ${tool} to enabled_tools`, denied && `take ${tool} out of disabled_tools`]
    .filter(Boolean)
    .join(" and ");
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
