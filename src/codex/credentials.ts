// Will a Codex run have credentials? Decided before the run, from what Codex itself reads: the model
// provider in CODEX_HOME/config.toml (or a profile / `-c model_provider=` override), that provider's
// `env_key` in the environment the run gets, or for OpenAI an API key variable or Codex's own login
// (CODEX_HOME/auth.json). Hosts often start MCP servers with a reduced environment (Gemini CLI drops
// variables whose names contain KEY, Codex and OpenClaw pass only a few), so the key the user has in
// their shell never reaches Codex and the run fails minutes later with "Missing environment variable".
import { join } from "node:path";
import { ExplainedError } from "../shared/errors.js";
import { shellQuote } from "../shared/shell.js";
import { keyFix, placeholderFix, placeholderSyntax } from "./credentials-hosts.js";
import {
  busNarrowedAway,
  defaultSessionBus,
  ephemeralStore,
  keyringMayAnswer,
  loginKind,
  keyringOnlyStore,
  NO_KEYRING,
} from "./credentials-store.js";
import {
  overrideTable,
  own,
  projectConfigs,
  projectTable,
  reservedProvider,
  notTomlRefusal,
  tableAt,
  topLevel,
  type Table,
} from "./credentials-layers.js";
import { readSmallFile } from "../shared/small-file.js";
import { parseToml, type SystemConfigFiles } from "../sessions/index.js";
import type { Engine } from "./run-modes.js";

export { keyFix, placeholderSyntax, type PlaceholderSyntax } from "./credentials-hosts.js";

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
  /** Codex would refuse to start with this config at all (a reserved provider ID redefined), keys or not. */
  startRefused?: true;
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
  /** Trusted projects' `.codex/config.toml` files and texts, top level first (projectConfigs): over the user's file. */
  projectTomls?: Array<{ file: string; text: string }>;
  /** /etc/codex/config.toml, under the user's file (null: none or not read). */
  systemToml?: string | null;
  /** /etc/codex/managed_config.toml, over every other layer and every `-c` (null: none or not read). */
  managedToml?: string | null;
  /** A `model_provider` override from the call's `config`. */
  providerOverride?: string;
  /** The call's `config`, as the `-c key=value` overrides the run passes (dotted key, value): over the profile. */
  overrides?: ReadonlyArray<readonly [string, unknown]>;
  /** The MCP client's name from its initialize request, for a fix in that host's own terms. */
  host?: string;
  /** `/run/user/<uid>/bus` is there (defaultSessionBus; undefined: not looked, taken as there). */
  defaultBus?: boolean;
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
  const userFile = join(input.codexHome, "config.toml");
  // every file as Codex reads it (TOML); one that is not stops Codex before anything else is read
  const texts = [
    { text: input.systemToml, path: SYSTEM_CONFIG },
    { text: input.configToml, path: userFile },
    ...(input.projectTomls ?? []).map(({ file, text }) => ({ text, path: file })),
    { text: input.profileToml, path: join(input.codexHome, `${input.profile ?? ""}.config.toml`) },
    { text: input.managedToml, path: MANAGED_CONFIG },
  ];
  const parsed = texts.map(({ text, path }) => ({ path, read: text ? parseToml(text) : undefined }));
  for (const { path, read } of parsed) if (read && "notToml" in read) return notTomlRefusal(path, read.notToml);
  const [system, user, ...rest] = parsed.map(({ read }) => (read && "table" in read ? read.table : undefined));
  const projects = rest.slice(0, -2);
  const [profileTable, managed] = rest.slice(-2);
  // 0.171 reads a profile from its own file (and refuses `[profiles.<name>]` with --profile); older ones the table
  const legacyProfile = input.profile && user ? tableAt(user, "profiles", input.profile) : undefined;
  // the layers 0.171 merges, lowest first: the machine's config, the user's, the profile's, then the managed
  // config over all of them and over every `-c` (checked with the CLI: its model_provider won over
  // `-c model_provider="openai"`); a trusted project's model_provider / model_providers it ignores
  const layers = [
    { tables: system, file: SYSTEM_CONFIG },
    { tables: user ?? {}, file: "config.toml" },
    // 0.171 takes forced_login_method from a trusted project (checked with the CLI: "ChatGPT login is required")
    // but ignores its model_provider and model_providers ("Ignored unsupported project-local config keys")
    ...projects.map((table) => ({
      tables: table ? projectTable(table) : undefined,
      file: "the project's .codex/config.toml",
    })),
    { tables: profileTable ?? (legacyProfile ? topLevel(legacyProfile) : undefined), file: "config.toml" },
    { tables: input.overrides ? overrideTable(input.overrides) : undefined, file: "the call's config" },
    { tables: managed, file: MANAGED_CONFIG },
  ].flatMap(({ tables: layer, file }) => (layer ? [{ layer, file }] : []));
  /** A top-level key's value and the file it is from, the highest layer setting it winning. */
  const setting = (key: string): { value: unknown; file: string } | undefined => {
    for (const { layer, file } of [...layers].reverse()) {
      const value = own(layer, key);
      if (value !== undefined) return { value, file };
    }
    return undefined;
  };
  const reserved = reservedProvider(layers);
  if (reserved)
    return {
      provider: reserved.id,
      source: "missing",
      variable: null,
      endpoint: "",
      startRefused: true,
      found: `${reserved.file === "config.toml" ? join(input.codexHome, "config.toml") : reserved.file} defines [model_providers.${reserved.id}], a built-in provider's ID, which Codex 0.171 refuses to start with ("model_providers contains reserved built-in provider IDs: \`${reserved.id}\`. Built-in providers cannot be overridden.")`,
      fix: `Rename the table (for example [model_providers.${reserved.id}-custom]) and select it with model_provider = "${reserved.id}-custom"${reserved.id === "openai" ? "; or, to send the built-in provider elsewhere, drop the table and set openai_base_url" : ""}.`,
    };
  const managedProvider = managed ? own(managed, "model_provider") : undefined;
  const chosen = setting("model_provider")?.value;
  const provider =
    (typeof managedProvider === "string" ? managedProvider : undefined) ??
    input.providerOverride ??
    (typeof chosen === "string" ? chosen : "openai");
  // a provider's table: the layers merged key by key, as Codex merges them
  const tableLayers = layers.flatMap(({ layer }) => {
    const found = tableAt(layer, "model_providers", provider);
    return found ? [found] : [];
  });
  // onto a null-prototype object: a sub-table named __proto__ is a key Codex ignores, never this table's prototype
  const table = tableLayers.length > 0 ? (Object.assign(Object.create(null), ...tableLayers) as Table) : undefined;
  // its own entry only: a provider named "constructor" or "__proto__" is no built-in
  const builtIn = Object.hasOwn(BUILT_IN, provider) ? BUILT_IN[provider] : undefined;
  const defined: Provider | undefined = table
    ? {
        baseUrl: typeof table.base_url === "string" ? table.base_url : (builtIn?.baseUrl ?? ""),
        envKey: typeof table.env_key === "string" && table.env_key !== "" ? table.env_key : null,
        openaiAuth: table.requires_openai_auth === true,
      }
    : builtIn;
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
  const forcedBy = setting("forced_login_method");
  const forced = forcedBy?.value;
  const forcedIn = forcedBy?.file ?? "config.toml";
  if (forced === "api" && variable === undefined && login === "ChatGPT sign-in")
    return {
      ...base,
      source: "missing",
      variable: null,
      found: `forced_login_method = "api" in ${forcedIn}, and the login in ${authFile} is a ChatGPT sign-in: Codex would refuse it ("API key login is required, but ChatGPT is currently being used. Logging out.") and delete ${authFile}`,
      fix: `Log Codex in with an API key: \`CODEX_HOME=${shellQuote(input.codexHome)} codex login --with-api-key\` (the key on stdin)${engine === "exec" ? `, or pass it as CODEX_API_KEY: ${keyFix("CODEX_API_KEY", input)}` : "."}`,
    };
  if (forced === "chatgpt" && (variable !== undefined || login === "API key"))
    return {
      ...base,
      source: "missing",
      variable: variable ?? null,
      found: `forced_login_method = "chatgpt" in ${forcedIn}, and ${variable ? `${variable} is in the environment Codex runs get` : `the login in ${authFile} is an API key`}: Codex would refuse that key ("ChatGPT login is required, but an API key is currently being used. Logging out.") and delete ${authFile}`,
      fix: `${variable ? `Take ${variable} out of the environment Codex runs get (\`--env-allow\` without it, or the server's entry), and sign` : "Sign"} Codex in with ChatGPT: \`CODEX_HOME=${shellQuote(input.codexHome)} codex login\`.`,
    };
  if (variable)
    return { ...base, source: "env", variable, found: `${variable} is in the environment Codex runs get`, fix: null };
  const storeBy = setting("cli_auth_credentials_store");
  const store = storeBy?.value;
  const narrowed = busNarrowedAway(input.runEnv, input.serverEnv);
  if (store === "keyring" && !keyringMayAnswer(input.runEnv, input.defaultBus))
    return { ...base, ...keyringOnlyStore(storeBy?.file ?? "", login, narrowed, input) };
  // "ephemeral": 0.171 keeps the login in memory only and reads no auth.json ("Not logged in" beside one)
  if (store === "ephemeral") return { ...base, ...ephemeralStore(storeBy?.file ?? "", login, engine, input) };
  if (login)
    return {
      ...base,
      source: "login",
      variable: null,
      found: `Codex's own login (${login}) in ${authFile}`,
      fix: null,
    };
  // a login kept in the OS keyring is not in auth.json, and this check does not read the keyring; where no keyring
  // can answer, "auto" reads auth.json alone (no login there: no key) and "keyring" nothing (credentials-store.ts)
  const keyring = keyringMayAnswer(input.runEnv, input.defaultBus);
  if ((store === "keyring" || store === "auto") && keyring)
    return {
      ...base,
      source: "login",
      variable: null,
      found: `no login in ${authFile}, but cli_auth_credentials_store = "${store}" keeps Codex's login in the OS keyring, which this check does not read (not checked)`,
      fix: null,
    };
  const missing = openaiKeyMissing(engine, authFile, input);
  if (store === "auto")
    return {
      ...base,
      source: "missing",
      ...missing,
      ...(narrowed ? { fix: `${keyFix(narrowed, input)} ${missing.fix}` } : {}),
      found: `${missing.found}; cli_auth_credentials_store = "auto" in ${storeBy?.file}, but ${NO_KEYRING}, so Codex reads only ${authFile}`,
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

/** Where 0.171 reads the machine's config (under the user's) and the managed one (over all), on Unix. */
const SYSTEM_CONFIG = "/etc/codex/config.toml";
const MANAGED_CONFIG = "/etc/codex/managed_config.toml";
export const MACHINE_CONFIG_FILES: SystemConfigFiles = { config: SYSTEM_CONFIG, managed: MANAGED_CONFIG };

/**
 * Reads CODEX_HOME's config.toml and auth.json (missing files read as empty), and a profile's
 * `<profile>.config.toml` when the profile is a plain name (a caller's text never becomes another path).
 */
export async function readCodexFiles(
  codexHome: string,
  profile?: string,
  machine: Pick<SystemConfigFiles, "config" | "managed"> = MACHINE_CONFIG_FILES,
): Promise<
  Pick<CredentialInputs, "configToml" | "authJson" | "profileToml" | "systemToml" | "managedToml" | "defaultBus">
> {
  const plain = profile !== undefined && /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/.test(profile);
  const read = (path: string) => readSmallFile(path, 1024 * 1024).then((text) => text ?? null);
  const [configToml, authJson, profileToml, systemToml, managedToml, defaultBus] = await Promise.all([
    read(join(codexHome, "config.toml")).then((text) => text ?? ""),
    read(join(codexHome, "auth.json")),
    plain ? read(join(codexHome, `${profile}.config.toml`)) : null,
    read(machine.config),
    read(machine.managed),
    defaultSessionBus(),
  ]);
  return { configToml, authJson, profileToml, systemToml, managedToml, defaultBus };
}

export class CredentialsMissingError extends ExplainedError {
  override readonly name = "CredentialsMissingError";
}

/** Throws, before any process starts, when the run would fail for want of a key. */
export async function requireCredentials(
  options: Omit<
    CredentialInputs,
    "configToml" | "authJson" | "profileToml" | "systemToml" | "managedToml" | "defaultBus"
  > & {
    /** The run's folder: its trusted projects' files count. */
    cwd?: string;
  },
  machine?: Pick<SystemConfigFiles, "config" | "managed">,
): Promise<void> {
  const files = await readCodexFiles(options.codexHome, options.profile, machine);
  const projectTomls = await projectConfigs(options.codexHome, options.cwd);
  const credentials = assessCredentials({ ...options, ...files, projectTomls });
  if (credentials.startRefused)
    throw new CredentialsMissingError(
      `Codex would refuse to start: ${credentials.found}. ${credentials.fix ?? ""}`.trim(),
    );
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
