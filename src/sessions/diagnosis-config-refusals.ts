// What in the config a resume runs with makes Codex 0.171 refuse to start at all (checked with the CLI): every
// printed command fails until it is fixed, so each one says what to fix first. The facts are codex-config.ts's.
import { configFilesNamed, type CodexConfigFacts } from "./codex-config.js";
import { forbidden } from "./codex-config-requirements.js";
import { isSandboxMode } from "./views/closed-sets.js";

/** Codex's own rule for server names (config keys): only these are printed, others are "a server". */
const MCP_SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** More servers than this are counted, not named. */
const MAX_NAMED = 5;

/** The facts a step may be built on: undefined (unknown) where 0.171 refuses to start with the config. */
export function knownConfig(config: CodexConfigFacts | undefined): CodexConfigFacts | undefined {
  return config?.brokenUserConfig ||
    config?.brokenSystemConfig ||
    config?.unreadableSystemConfig ||
    config?.brokenRequirements ||
    config?.unreadableRequirements
    ? undefined
    : config;
}

/**
 * A printed command's sandbox (the session's own, or the one a step asks for) that requirements.toml does not
 * allow, and what 0.171 does then (checked with the CLI): `--sandbox <mode>` runs read-only;
 * `--dangerously-bypass-approvals-and-sandbox` stops at once where the file allows approval_policy "never"
 * ("`approval_policy = "never"` cannot be used because requirements do not allow `sandbox_mode =
 * "danger-full-access"`"), and else runs read-only with the list's first approval policy.
 */
export function sandboxRefusal(
  config: CodexConfigFacts | undefined,
  sandbox: string | undefined,
): { evidence: string[]; steps: string[] } {
  const limits = config?.requirements;
  const refused = sandbox && isSandboxMode(sandbox) ? forbidden(limits, "allowed_sandbox_modes", sandbox) : undefined;
  if (refused === undefined) return { evidence: [], steps: [] };
  const stops =
    sandbox === "danger-full-access" && forbidden(limits, "allowed_approval_policies", "never") === undefined;
  return stops
    ? {
        evidence: [
          `${refused}; with approval_policy "never" allowed, Codex 0.171 refuses \`--dangerously-bypass-approvals-and-sandbox\` at once ("approval_policy = "never" cannot be used because requirements do not allow sandbox_mode = "danger-full-access"")`,
        ],
        steps: [
          `(First have the administrator allow "danger-full-access" in ${limits?.file}'s \`allowed_sandbox_modes\`: Codex 0.171 refuses this command otherwise.)`,
        ],
      }
    : { evidence: [refused], steps: [`(${refused}: it runs read-only.)`] };
}

/** The evidence lines and the step's "first …" sentences for `config`; none where Codex starts with it. */
export function configRefusals(config: CodexConfigFacts | undefined): { evidence: string[]; steps: string[] } {
  const evidence: string[] = [];
  const steps: string[] = [];
  if (config?.brokenUserConfig) {
    // 0.171: "Error loading config.toml:\n<file>:<line>:<column>: <what>"
    evidence.push(BROKEN_USER);
    steps.push(BROKEN_USER_STEP);
  }
  if (config?.brokenSystemConfig) {
    // 0.171 reads them whatever CODEX_HOME is: "Error loading config.toml:\n<file>:<line>:<column>: …"
    evidence.push(
      `${config.brokenSystemConfig} is not TOML, which Codex 0.171 refuses to start with ("Error loading config.toml")`,
    );
    steps.push(
      `(First have ${config.brokenSystemConfig}, the machine's own config, fixed (\`codex exec\` names the line): Codex 0.171 refuses to start with it.)`,
    );
  }
  if (config?.brokenRequirements) {
    // 0.171: "Error loading config.toml: failed to parse requirements layer <file>: …" (not TOML, "unknown
    // variant"), "… `allowed_sandbox_modes` … must include 'read-only'"
    evidence.push(
      `${config.brokenRequirements} cannot be parsed as Codex's requirements (not TOML, a value Codex does not know, an empty list, or \`allowed_sandbox_modes\` without "read-only"), which Codex 0.171 refuses to start with ("Error loading config.toml")`,
    );
    steps.push(
      `(First have ${config.brokenRequirements}, the machine's requirements, fixed (\`codex exec\` names the key): Codex 0.171 refuses to start with it.)`,
    );
  }
  if (config?.unreadableRequirements) {
    // 0.171: "Error loading config.toml: Failed to read requirements file …: Permission denied (os error 13)"
    evidence.push(
      `${config.unreadableRequirements} cannot be read by this user ("Permission denied"), which Codex 0.171 refuses to start with ("Failed to read requirements file")`,
    );
    steps.push(
      `(First have ${config.unreadableRequirements}, the machine's requirements, made readable to the user Codex runs as: Codex 0.171 refuses to start otherwise.)`,
    );
  }
  if (config?.legacyProfile) {
    evidence.push(LEGACY_PROFILE);
    steps.push(LEGACY_PROFILE_STEP);
  }
  if (config?.unreadableSystemConfig) {
    // 0.171: "Failed to read config file /etc/codex/config.toml: Permission denied (os error 13)"
    evidence.push(
      `${config.unreadableSystemConfig} cannot be read by this user ("Permission denied"), which Codex 0.171 refuses to start with ("Failed to read config file")`,
    );
    steps.push(
      `(First have ${config.unreadableSystemConfig}, the machine's own config, made readable to the user Codex runs as: Codex 0.171 refuses to start otherwise.)`,
    );
  }
  if (config?.machineLegacyProfile) {
    evidence.push(
      `${config.machineLegacyProfile} has a top-level \`profile = "…"\`, which Codex 0.171 refuses to start with ("legacy \`profile\` config is no longer supported; use \`--profile <name>\` with \`<name>.config.toml\` instead")`,
    );
    steps.push(
      `(First have the top-level \`profile\` line taken out of ${config.machineLegacyProfile}, the machine's own config: Codex 0.171 refuses to start with it.)`,
    );
  }
  if (config?.brokenProjectConfig) {
    evidence.push(BROKEN_PROJECT);
    steps.push(BROKEN_PROJECT_STEP);
  }
  const invalid = config?.invalidMcpServers ?? [];
  if (invalid.length > 0) {
    const named = invalid.filter((name) => MCP_SERVER_NAME.test(name));
    const shown = named.slice(0, MAX_NAMED).map((name) => `\`[mcp_servers.${name}]\``);
    const others = invalid.length - shown.length;
    const tables = [...shown, ...(others > 0 ? [`${others} more`] : [])].join(", ");
    const where = configFilesNamed(config);
    // 0.171: "Error loading config.toml: invalid transport\nin `mcp_servers.<name>`" (neither), "url is not
    // supported for stdio" (both); an `enabled = false` server too
    evidence.push(
      `${tables} in ${where} name${invalid.length === 1 ? "s" : ""} neither a \`command\` nor a \`url\` (or both), which Codex 0.171 refuses to start with ("invalid transport")`,
    );
    steps.push(
      `(First give ${tables} exactly one of \`command\` (a program to start) or \`url\` (a streamable HTTP server), or remove ${invalid.length === 1 ? "it" : "them"}, in ${where}: Codex 0.171 refuses to start otherwise.)`,
    );
  }
  return { evidence, steps };
}

const BROKEN_USER =
  'CODEX_HOME\'s config.toml is not TOML, which Codex 0.171 refuses to start with ("Error loading config.toml")';
const BROKEN_USER_STEP =
  "(First fix CODEX_HOME's config.toml, which is not TOML (`codex exec` names the line): Codex 0.171 refuses to start with it.)";

// codex-rs 0.171's own words: "Error: legacy `profile = "x"` config is no longer supported; use `--profile x`
// with `x.config.toml` instead" (the name is the config's: not printed)
const LEGACY_PROFILE =
  'CODEX_HOME\'s config.toml has a top-level `profile = "…"`, which Codex 0.171 refuses to start with ("legacy `profile` config is no longer supported; use `--profile <name>` with `<name>.config.toml` instead")';
const LEGACY_PROFILE_STEP =
  "(First take the top-level `profile` line out of CODEX_HOME's config.toml, its profile's settings into `$CODEX_HOME/<name>.config.toml` for `--profile <name>`: Codex 0.171 refuses to start with it.)";

// 0.171: "Error loading config.toml: Error parsing project config file <folder>/.codex/config.toml: TOML parse error …"
const BROKEN_PROJECT =
  "the trusted project's .codex/config.toml (between the repository's top level and the session's folder) is not TOML, which Codex 0.171 refuses to start with (\"Error parsing project config file\")";
const BROKEN_PROJECT_STEP =
  "(First fix the trusted project's .codex/config.toml, which is not TOML: Codex 0.171 refuses to start with it.)";
