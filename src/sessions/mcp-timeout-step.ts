// The next step after an MCP tool call that timed out: the same call with the same timeout times out again, so
// the resume gives the server a longer tool_timeout_sec, in the form today's config.toml lets Codex start with.
import type { CodexConfigFacts } from "./codex-config.js";
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
  const command = resume({
    options: [
      ...(disabled ? ["-c", `mcp_servers.${server}.enabled=true`] : []),
      "-c",
      `mcp_servers.${server}.tool_timeout_sec=${seconds}`,
    ],
    prompt: "The MCP tool call timed out; it has more time now: call it again.",
  });
  if (disabled)
    return {
      evidence: [`CODEX_HOME's config.toml turns the MCP server ${server} off (enabled = false)`],
      next: `${ranOut}. CODEX_HOME's config.toml has \`enabled = false\` for the server ${server} now, so a resume would not offer its tools at all; this resume turns it on for this run only (\`-c mcp_servers.${server}.enabled=true\`) with a longer timeout (\`-c mcp_servers.${server}.tool_timeout_sec=${seconds}\`): ${command}`,
      command,
    };
  return {
    evidence: [],
    next: `${ranOut}; resume with a longer one (\`-c mcp_servers.${server}.tool_timeout_sec=${seconds}\`, or set it in Codex's config.toml): ${command}`,
    command,
  };
}
