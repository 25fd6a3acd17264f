// What a caller may change about a run. Caller input may come from a manipulated agent, so `config`
// overrides are an allowlist: Codex's config can start processes (`notify`, `mcp_servers.*.command`), widen
// the sandbox (`sandbox_workspace_write.*`, `approval_policy`), send credentials elsewhere
// (`model_providers.*`), or read files (`model_instructions_file`). Pure: every decision is a string to show.
import { CONFIG_KEY } from "./toml.js";

/**
 * Settings any caller may set. Each only shapes the model request or what is printed: none starts a
 * process, touches the sandbox, approvals, filesystem or network, changes the endpoint or credentials, or
 * names a file. Why each is safe is in the README (Security model).
 */
export const CALLER_CONFIG_KEYS = [
  "model",
  "model_reasoning_effort",
  "model_reasoning_summary",
  "model_verbosity",
  "model_supports_reasoning_summaries",
  "hide_agent_reasoning",
  "show_raw_agent_reasoning",
] as const;

export interface CallerPolicy {
  /** Keys (and everything under them) the operator allowed with --allow-config-key. */
  allowConfigKeys: readonly string[];
  /** The operator allowed `profile` (--allow-profile). */
  allowProfile: boolean;
}

export interface CallerSettings {
  profile?: string | undefined;
  config?: Record<string, unknown> | undefined;
}

/** Why the caller's settings are refused (naming the key and the operator switch), or undefined. */
export function refuseCallerSettings(settings: CallerSettings, policy: CallerPolicy): string | undefined {
  if (settings.profile !== undefined && !policy.allowProfile) {
    return `profile ${JSON.stringify(settings.profile.slice(0, 200))} cannot be chosen by a caller: a Codex profile can set anything, including commands Codex starts and the sandbox. The operator can allow profiles with --allow-profile (or CODEX_CONTROL_ALLOW_PROFILE=1).`;
  }
  for (const key of Object.keys(settings.config ?? {})) {
    if (!CONFIG_KEY.test(key)) return `config key ${JSON.stringify(key)} is not a dotted config path (letters, digits, _ and -, joined by dots).`;
  }
  for (const [key, value] of flattenConfig(settings.config ?? {})) {
    if (policy.allowConfigKeys.some((allowed) => key === allowed || key.startsWith(`${allowed}.`))) continue;
    const shown = JSON.stringify(key.slice(0, 200));
    if (!(CALLER_CONFIG_KEYS as readonly string[]).includes(key)) {
      return `config key ${shown} cannot be set by a caller: only settings that cannot start a process, widen the sandbox, change the model endpoint or credentials, or read a file are allowed (${CALLER_CONFIG_KEYS.join(", ")}). The operator can allow it with --allow-config-key ${key.slice(0, 200)} (or CODEX_CONTROL_ALLOW_CONFIG_KEYS).`;
    }
    if (!["string", "number", "boolean"].includes(typeof value)) {
      return `config key ${shown} takes a single string, number or boolean, got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}.`;
    }
  }
  return undefined;
}

/**
 * Every setting a `config` object sets, as [dotted key, value]: a table value sets each of its keys
 * (`{"mcp_servers": {"x": {"command": …}}}` sets `mcp_servers.x.command`), so a table cannot hide a key
 * behind an allowed prefix. An empty table is a value of its own: it replaces what the key held.
 */
export function flattenConfig(config: Record<string, unknown>, prefix = ""): Array<[string, unknown]> {
  const settings: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(config)) {
    const path = `${prefix}${key}`;
    if (isTable(value) && Object.keys(value).length > 0) settings.push(...flattenConfig(value, `${path}.`));
    else settings.push([path, value]);
  }
  return settings;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
