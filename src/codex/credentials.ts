// Will a Codex run have credentials? Decided before the run, from what Codex itself reads: the model
// provider in CODEX_HOME/config.toml (or a profile / `-c model_provider=` override), that provider's
// `env_key` in the environment the run gets, or for OpenAI an API key variable or Codex's own login
// (CODEX_HOME/auth.json). Hosts often start MCP servers with a reduced environment (Gemini CLI drops
// variables whose names contain KEY, Codex and OpenClaw pass only a few), so the key the user has in
// their shell never reaches Codex and the run fails minutes later with "Missing environment variable".
import { join } from "node:path";
import { z } from "zod";
import { ExplainedError } from "../shared/errors.js";
import { tryParseJson } from "../shared/json.js";
import { shellQuote } from "../shared/shell.js";
import { readSmallFile } from "../shared/small-file.js";
import type { Engine } from "./run-modes.js";

export const CREDENTIAL_SOURCES = ["env", "login", "none_needed", "missing"] as const;
export type CredentialSource = (typeof CREDENTIAL_SOURCES)[number];

export interface Credentials {
  /** The model provider a run will use (`openai` unless config.toml says otherwise). */
  provider: string;
  source: CredentialSource;
  /** The variable that carries the key, when one does. */
  variable: string | null;
  /** The provider's base URL (what `doctor` probes). */
  endpoint: string;
  found: string;
  fix: string | null;
}

export interface CredentialInputs {
  /** The environment Codex runs get (after --env-allow narrowing). */
  runEnv: NodeJS.ProcessEnv;
  /** This server's own environment (to tell "narrowed away" from "never had it"). */
  serverEnv: NodeJS.ProcessEnv;
  codexHome: string;
  configToml: string;
  authJson: string | null;
  profile?: string;
  /** `$CODEX_HOME/<profile>.config.toml`, where 0.171 reads a profile (null: none or not read). */
  profileToml?: string | null;
  /** A `model_provider` override from the call's `config`. */
  providerOverride?: string;
  /** The MCP client's name from its initialize request, for a fix in that host's own terms. */
  host?: string;
  /** How the run drives Codex: the two read different credentials (OPENAI_KEY_VARIABLES). */
  engine?: Engine;
}

interface Provider {
  baseUrl: string;
  envKey: string | null;
  openaiAuth: boolean;
}

/** Codex's built-in providers (model-provider-info.rs). */
const BUILT_IN: Record<string, Provider> = {
  openai: { baseUrl: "https://api.openai.com/v1", envKey: null, openaiAuth: true },
  oss: { baseUrl: "http://localhost:11434/v1", envKey: null, openaiAuth: false },
  ollama: { baseUrl: "http://localhost:11434/v1", envKey: null, openaiAuth: false },
  lmstudio: { baseUrl: "http://localhost:1234/v1", envKey: null, openaiAuth: false },
};

/**
 * The variables a provider with OpenAI auth (the built-in `openai`, or `requires_openai_auth = true`) takes a
 * key from, by engine. Checked with the 0.171 CLI against a loopback server recording the Authorization header:
 * `codex exec` sends CODEX_API_KEY, before any login in auth.json; `codex app-server` sends only the login.
 * Neither reads OPENAI_API_KEY (0.63 and 0.100 did not either): a run with only that one gets a 401.
 */
const OPENAI_KEY_VARIABLES: Record<Engine, string[]> = { exec: ["CODEX_API_KEY"], "app-server": [] };

export function assessCredentials(input: CredentialInputs): Credentials {
  const tables = readTables(input.configToml);
  const top = tables.get("") ?? {};
  // 0.171 reads a profile from its own file (and refuses `[profiles.<name>]` with --profile); older ones the table
  const profileTables = input.profileToml ? readTables(input.profileToml) : undefined;
  const profileTop = profileTables?.get("") ?? {};
  const profileProvider =
    profileTop.model_provider ?? (input.profile ? tables.get(`profiles.${input.profile}`)?.model_provider : undefined);
  const provider =
    input.providerOverride ??
    (typeof profileProvider === "string" ? profileProvider : undefined) ??
    (typeof top.model_provider === "string" ? top.model_provider : "openai");
  const table = profileTables?.get(`model_providers.${provider}`) ?? tables.get(`model_providers.${provider}`);
  const defined: Provider | undefined = table
    ? {
        baseUrl: typeof table.base_url === "string" ? table.base_url : (BUILT_IN[provider]?.baseUrl ?? ""),
        envKey: typeof table.env_key === "string" && table.env_key !== "" ? table.env_key : null,
        openaiAuth: table.requires_openai_auth === true,
      }
    : BUILT_IN[provider];
  const base = { provider, endpoint: defined?.baseUrl ?? "" };
  if (!defined) {
    return {
      ...base,
      source: "missing",
      variable: null,
      found: `config.toml selects model provider "${provider}", which is neither defined under [model_providers.${provider}] nor built in`,
      fix: `Define [model_providers.${provider}] in ${join(input.codexHome, "config.toml")}, or fix model_provider.`,
    };
  }
  const has = (env: NodeJS.ProcessEnv, name: string) => (env[name] ?? "").trim() !== "";
  // a key that is the host's placeholder text would reach the provider as the key, and fail there as a 401
  const engine = input.engine ?? "exec";
  const candidates = defined.envKey ? [defined.envKey] : defined.openaiAuth ? OPENAI_KEY_VARIABLES[engine] : [];
  for (const variable of candidates) {
    const value = input.runEnv[variable] ?? "";
    const syntax = placeholderSyntax(value);
    if (syntax === null) continue;
    return {
      ...base,
      source: "missing",
      variable,
      found: `${variable} is the text ${JSON.stringify(value.trim().slice(0, 80))}, a placeholder (${syntax}) the host passed on without expanding it, not a key`,
      fix: placeholderFix(variable, syntax, input.host),
    };
  }

  if (defined.envKey) {
    const variable = defined.envKey;
    if (has(input.runEnv, variable))
      return {
        ...base,
        source: "env",
        variable,
        found: `model provider "${provider}" reads its key from ${variable}, which Codex runs get`,
        fix: null,
      };
    return {
      ...base,
      source: "missing",
      variable,
      found: `model provider "${provider}" reads its key from ${variable}, which is not in the environment Codex runs get`,
      fix: keyFix(variable, input),
    };
  }
  if (!defined.openaiAuth)
    return {
      ...base,
      source: "none_needed",
      variable: null,
      found: `model provider "${provider}" needs no API key`,
      fix: null,
    };

  const variable = OPENAI_KEY_VARIABLES[engine].find((name) => has(input.runEnv, name));
  const authFile = join(input.codexHome, "auth.json");
  const login = loginKind(input.authJson);
  // 0.171 with forced_login_method = "chatgpt" takes an API key (CODEX_API_KEY first), then refuses it, "Logging
  // out": it exits 1 and deletes auth.json, a ChatGPT sign-in included; "api" the same with a ChatGPT sign-in
  // (both checked with the CLI)
  const forced = profileTop.forced_login_method ?? top.forced_login_method;
  if (forced === "api" && variable === undefined && login === "ChatGPT sign-in")
    return {
      ...base,
      source: "missing",
      variable: null,
      found: `forced_login_method = "api" in config.toml, and the login in ${authFile} is a ChatGPT sign-in: Codex would refuse it ("API key login is required, but ChatGPT is currently being used. Logging out.") and delete ${authFile}`,
      fix: `Log Codex in with an API key: \`CODEX_HOME=${shellQuote(input.codexHome)} codex login --with-api-key\` (the key on stdin)${engine === "exec" ? `, or pass it as CODEX_API_KEY: ${keyFix("CODEX_API_KEY", input)}` : "."}`,
    };
  if (forced === "chatgpt" && (variable !== undefined || login === "API key"))
    return {
      ...base,
      source: "missing",
      variable: variable ?? null,
      found: `forced_login_method = "chatgpt" in config.toml, and ${variable ? `${variable} is in the environment Codex runs get` : `the login in ${authFile} is an API key`}: Codex would refuse that key ("ChatGPT login is required, but an API key is currently being used. Logging out.") and delete ${authFile}`,
      fix: `${variable ? `Take ${variable} out of the environment Codex runs get (\`--env-allow\` without it, or the server's entry), and sign` : "Sign"} Codex in with ChatGPT: \`CODEX_HOME=${shellQuote(input.codexHome)} codex login\`.`,
    };
  if (variable)
    return { ...base, source: "env", variable, found: `${variable} is in the environment Codex runs get`, fix: null };
  if (login)
    return {
      ...base,
      source: "login",
      variable: null,
      found: `Codex's own login (${login}) in ${authFile}`,
      fix: null,
    };
  // a login kept in the OS keyring is not in auth.json, and this check does not read the keyring
  const store = profileTop.cli_auth_credentials_store ?? top.cli_auth_credentials_store;
  if (store === "keyring" || store === "auto")
    return {
      ...base,
      source: "login",
      variable: null,
      found: `no login in ${authFile}, but cli_auth_credentials_store = "${store}" keeps Codex's login in the OS keyring, which this check does not read (not checked)`,
      fix: null,
    };
  return { ...base, source: "missing", ...openaiKeyMissing(engine, authFile, input) };
}

/** No key for an OpenAI-auth provider: what Codex would not send, and the login (or, for exec, CODEX_API_KEY) that it would. */
function openaiKeyMissing(
  engine: Engine,
  authFile: string,
  input: CredentialInputs,
): Pick<Credentials, "variable" | "found" | "fix"> {
  const unread = (input.runEnv.OPENAI_API_KEY ?? "").trim() !== "";
  const login = unread
    ? `\`printenv OPENAI_API_KEY | CODEX_HOME=${shellQuote(input.codexHome)} codex login --with-api-key\``
    : `\`CODEX_HOME=${shellQuote(input.codexHome)} codex login\` (an API key: \`codex login --with-api-key\`, the key on stdin)`;
  const found = `no login in ${authFile}${engine === "exec" ? ", and no CODEX_API_KEY in the environment Codex runs get" : ""}`;
  return {
    variable: engine === "exec" ? "CODEX_API_KEY" : null,
    found: unread
      ? `${found}; OPENAI_API_KEY is set, but Codex does not send it (${engine === "exec" ? "`codex exec` reads CODEX_API_KEY" : "`codex app-server` reads only a login"})`
      : found,
    fix:
      engine === "exec"
        ? `Log Codex in once: ${login}. Or pass the key as CODEX_API_KEY: ${keyFix("CODEX_API_KEY", input)}`
        : `Log Codex in once: ${login}; engine "app-server" reads no key from the environment.`,
  };
}

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

function placeholderFix(variable: string, syntax: PlaceholderSyntax, host: string | undefined): string {
  const name = (host ?? "").toLowerCase();
  const known = HOST_SYNTAX.find((entry) => name.includes(entry.name));
  const cause = known
    ? `${known.host} expands ${known.expands.replaceAll("VAR", variable)}; it passed ${syntax.replace("VAR", variable)} on as it was written.`
    : `This host does not expand ${syntax.replace("VAR", variable)} (Claude Desktop expands nothing; Gemini CLI expands $VAR, opencode {env:VAR}, OpenClaw \${VAR}, Cursor and VS Code \${env:VAR}; %VAR% is Windows shell syntax no host expands).`;
  return `${cause} Write the key itself in the entry, use the syntax this host expands, or start the host from a shell that has ${variable} and leave it out of the entry.`;
}

/** What of Codex's `auth.json` says which login it is; anything else in it is not ours to read. */
const authFileSchema = z.object({
  OPENAI_API_KEY: z.string().min(1).nullish().catch(null),
  tokens: z.record(z.string(), z.unknown()).nullish().catch(null),
});

function loginKind(authJson: string | null): string | null {
  if (!authJson) return null;
  // an unreadable or foreign auth.json is no login
  const auth = authFileSchema.safeParse(tryParseJson(authJson));
  if (!auth.success) return null;
  if (auth.data.OPENAI_API_KEY) return "API key";
  if (auth.data.tokens) return "ChatGPT sign-in";
  return null;
}

type Table = Record<string, string | boolean>;

/**
 * Just enough TOML for the keys above: `[a.b]` / `[a."b"]` headers and `key = "string" | true | false`
 * lines. Anything else is ignored (a provider defined in some other TOML form reads as undefined).
 */
export function readTables(toml: string): Map<string, Table> {
  const tables = new Map<string, Table>([["", {}]]);
  let current = tables.get("") as Table;
  for (const raw of toml.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[([^[\]]+)\]\s*(?:#.*)?$/.exec(line);
    if (header?.[1]) {
      const name = header[1]
        .split(".")
        .map((part) => part.trim().replace(/^"(.*)"$/, "$1"))
        .join(".");
      current = tables.get(name) ?? {};
      tables.set(name, current);
      continue;
    }
    const pair = /^([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(true|false))\s*(?:#.*)?$/.exec(line);
    if (pair?.[1]) current[pair[1]] = pair[4] !== undefined ? pair[4] === "true" : (pair[2] ?? pair[3] ?? "");
  }
  return tables;
}

/**
 * Reads CODEX_HOME's config.toml and auth.json (missing files read as empty), and a profile's
 * `<profile>.config.toml` when the profile is a plain name (a caller's text never becomes another path).
 */
export async function readCodexFiles(
  codexHome: string,
  profile?: string,
): Promise<{ configToml: string; authJson: string | null; profileToml: string | null }> {
  const plain = profile !== undefined && /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/.test(profile);
  const [configToml, authJson, profileToml] = await Promise.all([
    readSmallFile(join(codexHome, "config.toml"), 1024 * 1024).then((text) => text ?? ""),
    readSmallFile(join(codexHome, "auth.json"), 1024 * 1024).then((text) => text ?? null),
    plain ? readSmallFile(join(codexHome, `${profile}.config.toml`), 1024 * 1024).then((text) => text ?? null) : null,
  ]);
  return { configToml, authJson, profileToml };
}

export class CredentialsMissingError extends ExplainedError {
  override readonly name = "CredentialsMissingError";
}

/** Throws, before any process starts, when the run would fail for want of a key. */
export async function requireCredentials(
  options: Omit<CredentialInputs, "configToml" | "authJson" | "profileToml">,
): Promise<void> {
  const credentials = assessCredentials({ ...options, ...(await readCodexFiles(options.codexHome, options.profile)) });
  if (credentials.source === "missing")
    throw new CredentialsMissingError(
      `Codex would have no credentials: ${credentials.found}. ${credentials.fix ?? ""}`.trim(),
    );
}

/** Whether anything answers HTTP at the provider's base URL (any status counts: only reachability is asked). */
export async function probeEndpoint(baseUrl: string, timeoutMs = 3000): Promise<{ answers: boolean; found: string }> {
  let url: URL;
  try {
    url = new URL(baseUrl.replace(/\/*$/, "/models"));
  } catch {
    return { answers: false, found: `base URL ${JSON.stringify(baseUrl)} is not a URL` };
  }
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return { answers: true, found: `${baseUrl} answers (HTTP ${response.status})` };
  } catch (error) {
    const cause =
      (error as { cause?: { code?: string } }).cause?.code ?? (error instanceof Error ? error.name : String(error));
    return { answers: false, found: `${baseUrl} does not answer (${cause})` };
  }
}
