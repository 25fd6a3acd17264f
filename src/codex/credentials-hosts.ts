// The fixes the credentials check (credentials.ts) prints in the calling host's own terms: how that host passes a
// variable to an MCP server, and which placeholder syntax it expands in an entry's environment.
import type { CredentialInputs } from "./credentials.js";

/** How the key gets to Codex: the narrowing switch if it is that, else the host's own way to pass a variable. */
export function keyFix(
  variable: string,
  { runEnv, serverEnv, host }: Pick<CredentialInputs, "runEnv" | "serverEnv" | "host">,
): string {
  if ((serverEnv[variable] ?? "") !== "" && (runEnv[variable] ?? "") === "") {
    return `This server has ${variable} but hands Codex only allowlisted variables: add \`--env-allow ${variable}\` to the server's arguments.`;
  }
  const name = (host ?? "").toLowerCase();
  if (name.includes("gemini"))
    return `Gemini CLI removes variables whose names contain KEY from an MCP server's environment unless the entry lists them: add \`"env": {"${variable}": "$${variable}"}\` to the codex-control entry in settings.json (or \`gemini mcp add -e ${variable}=$${variable} …\`).`;
  if (name.includes("openclaw"))
    return `OpenClaw passes only HOME, PATH, SHELL and TERM plus the entry's env: add \`--env '${variable}=\${${variable}}'\` to \`openclaw mcp add\` (or "${variable}": "\${${variable}}" under the server's env).`;
  if (name.includes("copilot"))
    return `Copilot CLI passes its environment on${variable === "OPENAI_API_KEY" ? ", except OPENAI_API_KEY" : ""}: start it from a shell that has ${variable}, or write the key into the entry, your shell expanding it: \`copilot mcp add codex-control --env ${variable}=$${variable} … -- codex-control-mcp\` (unquoted).`;
  if (name.includes("augment"))
    return `Auggie passes only HOME, PATH, SHELL and TERM plus the entry's env: add \`--env '${variable}=\${${variable}}'\` to \`auggie mcp add\`.`;
  if (name.includes("opencode"))
    return `Add \`"environment": {"${variable}": "{env:${variable}}"}\` to the codex-control entry under "mcp" in opencode.json.`;
  if (name.includes("codex"))
    return `Codex starts MCP servers with a reduced environment: add \`env_vars = ["${variable}"]\` to [mcp_servers.codex-control] in Codex's config.toml.`;
  if (name.includes("claude-code"))
    return `Start Claude Code from a shell that has ${variable}, or register the server with \`claude mcp add -s user -e ${variable}=… codex-control -- npx -y codex-control-mcp\`.`;
  return `Add ${variable} to the \`env\` of this server's entry in your MCP host's configuration (or start the host from a shell that has it).`;
}

/** The placeholder syntaxes hosts use in their MCP entries; each host expands only its own. */
const PLACEHOLDERS = [
  { syntax: "${VAR}", pattern: /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/ },
  { syntax: "${env:VAR}", pattern: /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/ },
  { syntax: "$VAR", pattern: /^\$[A-Za-z_][A-Za-z0-9_]*$/ },
  { syntax: "{env:VAR}", pattern: /^\{env:[A-Za-z_][A-Za-z0-9_]*\}$/ },
  { syntax: "%VAR%", pattern: /^%[A-Za-z_][A-Za-z0-9_]*%$/ },
] as const;
export type PlaceholderSyntax = (typeof PLACEHOLDERS)[number]["syntax"];

/** Which placeholder syntax a variable's whole value is written in, or null for anything else. */
export function placeholderSyntax(value: string): PlaceholderSyntax | null {
  const trimmed = value.trim();
  return PLACEHOLDERS.find(({ pattern }) => pattern.test(trimmed))?.syntax ?? null;
}

/** The syntax each host does expand in an MCP entry's environment, by the client name it sends. */
const HOST_SYNTAX: Array<{ name: string; host: string; expands: string }> = [
  { name: "gemini", host: "Gemini CLI", expands: "`$VAR` and `${VAR}` in an entry's `env`" },
  { name: "opencode", host: "opencode", expands: "`{env:VAR}` in an entry's `environment`" },
  { name: "openclaw", host: "OpenClaw", expands: "`${VAR}` in an entry's `env` (`--env 'VAR=${VAR}'`)" },
  {
    name: "claude-code",
    host: "Claude Code",
    expands:
      "`${VAR}` in `.mcp.json`; for `claude mcp add -e VAR=$VAR` your shell expands it, so do not quote it there",
  },
  { name: "codex", host: "Codex", expands: 'nothing in `env`: list the variable in `env_vars = ["VAR"]` instead' },
  {
    name: "copilot",
    host: "Copilot CLI",
    expands:
      "`${VAR}` in an entry's `env`, except `${OPENAI_API_KEY}`, which arrives empty (write the key itself: `copilot mcp add … --env VAR=$VAR`, unquoted, so that your shell expands it)",
  },
  { name: "augment", host: "Auggie", expands: "`${VAR}` in an entry's `env` (`--env 'VAR=${VAR}'`)" },
  { name: "cursor", host: "Cursor", expands: "`${env:VAR}` in `mcp.json`" },
  { name: "visual studio code", host: "VS Code", expands: "`${env:VAR}` and `${input:…}` in `mcp.json`" },
];

export function placeholderFix(variable: string, syntax: PlaceholderSyntax, host: string | undefined): string {
  const name = (host ?? "").toLowerCase();
  const known = HOST_SYNTAX.find((entry) => name.includes(entry.name));
  const cause = known
    ? `${known.host} expands ${known.expands.replaceAll("VAR", variable)}; it passed ${syntax.replace("VAR", variable)} on as it was written.`
    : `This host does not expand ${syntax.replace("VAR", variable)} (Claude Desktop expands nothing; Gemini CLI expands $VAR, opencode {env:VAR}, OpenClaw \${VAR}, Cursor and VS Code \${env:VAR}; %VAR% is Windows shell syntax no host expands).`;
  return `${cause} Write the key itself in the entry, use the syntax this host expands, or start the host from a shell that has ${variable} and leave it out of the entry.`;
}
