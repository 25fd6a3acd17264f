// What a caller may change about a run. Caller input may come from a manipulated agent, so `config`
// overrides are an allowlist: Codex's config can start processes (`notify`, `mcp_servers.*.command`), widen
// the sandbox (`sandbox_workspace_write.*`, `approval_policy`), send credentials elsewhere
// (`model_providers.*`), or read files (`model_instructions_file`). Pure: every decision is a string to show.
import { APPROVAL_OF_MODE, SANDBOX_OF_MODE, type RunMode } from "../codex/run-modes.js";
import { CONFIG_KEY } from "../codex/toml.js";
import { ExplainedError } from "../shared/errors.js";
import { within } from "../shared/path-within.js";
import { callerValue } from "../shared/text.js";

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
/** Characters that change how the rest of a printed command shows (C1 controls, bidi controls, line separators). */
const DISPLAY_CONTROL = /[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Settings any caller may set. Each only shapes the model request or what is printed: none starts a
 * process, touches the sandbox, approvals, filesystem or network, changes the endpoint or credentials, or
 * names a file. Why each is safe is in docs/security.md.
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
  model?: string | undefined;
  profile?: string | undefined;
  config?: Record<string, unknown> | undefined;
}

/** The longest model or profile name that goes into Codex's argv (the tools' input schemas say so too). */
export const MAX_NAME_CHARS = 200;

/**
 * What is wrong with a model or profile name as a value of Codex's argv, or undefined: a NUL cannot be passed at
 * all, and no model or profile name is empty, longer than MAX_NAME_CHARS, has a control character or begins with
 * "-". The one test of a caller's name and of one read from a log (resume-settings.ts).
 */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (name.length > MAX_NAME_CHARS) return `is longer than ${MAX_NAME_CHARS} characters`;
  if (CONTROL_CHARACTER.test(name)) return "contains a control character (a NUL, a line break, …)";
  // a name is printed in pasteable commands too (run-view.ts resume_command), where it must read as what it is
  if (DISPLAY_CONTROL.test(name)) return "contains a character that changes how text shows (bidi or C1 control)";
  // printed as `--model <name>`, 0.171 takes `-x` for an option ("unexpected argument '-x' found")
  if (name.startsWith("-")) return 'begins with "-" (a pasted `--model <name>` would take it for an option)';
  return undefined;
}

/** Why the caller's settings are refused (naming the key and the operator switch), or undefined. */
export function refuseCallerSettings(settings: CallerSettings, policy: CallerPolicy): string | undefined {
  for (const [what, name] of [
    ["model", settings.model],
    ["profile", settings.profile],
  ] as const) {
    const problem = name === undefined ? undefined : nameProblem(name);
    if (name !== undefined && problem !== undefined)
      return `${what} "${callerValue(name, MAX_NAME_CHARS)}" ${problem}: pass the name as Codex lists it.`;
  }
  if (settings.profile !== undefined && !policy.allowProfile) {
    return `profile "${callerValue(settings.profile, 200)}" cannot be chosen by a caller: a Codex profile can set anything, including commands Codex starts and the sandbox. The operator can allow profiles with --allow-profile (or CODEX_CONTROL_ALLOW_PROFILE=1).`;
  }
  for (const key of Object.keys(settings.config ?? {})) {
    if (!CONFIG_KEY.test(key))
      return `config key "${callerValue(key, 200)}" is not a dotted config path (letters, digits, _ and -, joined by dots).`;
  }
  for (const [key, value] of flattenConfig(settings.config ?? {})) {
    if (policy.allowConfigKeys.some((allowed) => key === allowed || key.startsWith(`${allowed}.`))) continue;
    const shown = `"${callerValue(key, 200)}"`;
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

/** A request this server will not run; the message says why and what to do instead. */
export class RunRefusedError extends ExplainedError {
  override readonly name = "RunRefusedError";
}

/** A directory a run must neither be, sit inside (when `insideToo`), nor contain. */
export interface ProtectedDirectory {
  what: string;
  path: string;
  insideToo: boolean;
}

/**
 * Why a (resolved) cwd cannot be a workspace, or undefined. A writable workspace that is or holds the
 * home directory, CODEX_HOME or the state dir lets the run plant Codex config (`notify`) for the next run
 * or forge ledger records; `/` holds them all.
 */
export function refuseWorkspace(cwd: string, protectedDirs: readonly ProtectedDirectory[]): string | undefined {
  const why =
    "a run there could change Codex's configuration or this server's own state. Pass the project directory itself.";
  if (cwd === "/") return `cwd / is the root directory: ${why}`;
  for (const dir of protectedDirs) {
    if (cwd === dir.path) return `cwd ${cwd} is ${dir.what}: ${why}`;
    if (dir.insideToo && within(dir.path, cwd, true)) return `cwd ${cwd} is inside ${dir.what} (${dir.path}): ${why}`;
    if (within(cwd, dir.path, true)) return `cwd ${cwd} contains ${dir.what} (${dir.path}): ${why}`;
  }
  return undefined;
}

/** What a session's turn_context records about the policy Codex ran with. */
export interface RecordedPolicy {
  sandbox?: string | undefined;
  sandboxPolicy?: Record<string, unknown> | undefined;
  approval?: string | undefined;
}

/**
 * What the operator set for sandboxed runs: CODEX_HOME's `[sandbox_workspace_write]` plus what this server
 * adds itself (the /tmp exclusions that keep runs out of its state). A session that records less than this
 * was loosened by something else (a trusted project's `.codex/config.toml`), and that is reported.
 */
export interface OperatorPolicy {
  sandboxWorkspaceWrite?: Record<string, unknown>;
}

/**
 * Every way the recorded policy differs from what the run asked for: the sandbox type, each writable root
 * beyond the workspace and the operator's own, a sandbox switch that is not what the operator set (or, where
 * the operator set nothing, not Codex's default), and an approval policy other than `never` (what
 * `codex exec` always uses).
 */
export function policyDifferences(
  mode: RunMode,
  cwd: string,
  recorded: RecordedPolicy,
  operator: OperatorPolicy = {},
): string[] {
  const differences: string[] = [];
  const wanted = SANDBOX_OF_MODE[mode];
  if (recorded.sandbox !== undefined && recorded.sandbox !== wanted)
    differences.push(`sandbox is ${recorded.sandbox}, asked for ${wanted}`);
  const set =
    recorded.sandbox === "workspace-write" || (recorded.sandbox === undefined && wanted === "workspace-write")
      ? (operator.sandboxWorkspaceWrite ?? {})
      : {};
  const operatorRoots = Array.isArray(set.writable_roots) ? set.writable_roots : [];
  const policy = recorded.sandboxPolicy ?? {};
  for (const [key, value] of Object.entries(policy)) {
    if (key === "type" || key === "mode") continue;
    if (key === "writable_roots" && Array.isArray(value)) {
      for (const root of value)
        if (root !== cwd && !operatorRoots.includes(root))
          differences.push(`writable root ${JSON.stringify(root)} was not asked for`);
    } else if (key in set) {
      if (JSON.stringify(value) !== JSON.stringify(set[key]))
        differences.push(
          `sandbox ${key} is ${JSON.stringify(value)}, the operator's configuration sets ${JSON.stringify(set[key])}`,
        );
    } else if (!(value === false || value === null || (Array.isArray(value) && value.length === 0))) {
      differences.push(`sandbox ${key} is ${JSON.stringify(value)}, asked for the default`);
    }
  }
  if (recorded.sandboxPolicy !== undefined) {
    // a switch the operator turned on that the session does not record at all was dropped
    for (const [key, value] of Object.entries(set))
      if (key !== "writable_roots" && value === true && !(key in policy))
        differences.push(`sandbox ${key} is not set, the operator's configuration sets true`);
  }
  const approval = APPROVAL_OF_MODE[mode];
  if (recorded.approval !== undefined && recorded.approval !== approval)
    differences.push(`approval policy is ${recorded.approval}, asked for ${approval}`);
  return differences;
}
