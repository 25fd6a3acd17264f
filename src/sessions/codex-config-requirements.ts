// `/etc/codex/requirements.toml`: the limits an administrator sets on what any config or flag may ask for
// (codex-rs ConfigRequirementsToml). Checked with the 0.171 CLI, /etc bound over in a private mount namespace:
// a value a list does not allow is not refused but replaced ("Configured value for `approval_policy` is
// disallowed by requirements; falling back to required value …"): an approval policy or reviewer by the list's
// first, a sandbox mode by read-only; so a printed `-c approval_policy=…` or `--sandbox …` it forbids runs as
// something else. A file that is not TOML, a list value Codex does not know ("unknown variant"), an empty list
// ("cannot be empty") or `allowed_sandbox_modes` without "read-only" stops Codex ("Error loading config.toml: failed to parse
// requirements layer …", "must include 'read-only'").
import { isTable, readMachineToml, type Read } from "./codex-config-files.js";
import { networkProxyOf, type NetworkProxy } from "./codex-config-network.js";
import { SANDBOX_MODES } from "./views/closed-sets.js";

/** The lists of requirements.toml a printed step may run into (absent: not limited). */
export interface ConfigRequirements {
  file: string;
  /** `allowed_approval_policies`. */
  approvalPolicies?: string[];
  /** `allowed_approvals_reviewers`. */
  approvalsReviewers?: string[];
  /** `allowed_sandbox_modes`. */
  sandboxModes?: string[];
  /** The network proxy the file turns on (codex-config-network.ts); absent: off. */
  networkProxy?: NetworkProxy;
}

/**
 * The plain values 0.171 takes in `allowed_approval_policies` (its error names them; "granular" is a table),
 * as it reads them: "on-failure" is on-request ("`Never` is not in the allowed set [OnRequest, UnlessTrusted]"
 * for ["on-failure", "untrusted"], which allows `-c approval_policy="on-request"`).
 */
const APPROVAL_POLICIES: Record<string, string> = {
  untrusted: "untrusted",
  "on-failure": "on-request",
  "on-request": "on-request",
  never: "never",
};
/** The fields 0.171 requires of a `{ granular = { … } }` policy ("missing field `sandbox_approval`"). */
const GRANULAR_FIELDS = ["sandbox_approval", "rules", "mcp_elicitations"];
/** The reviewers 0.171 takes ("expected one of `user`, `auto_review`, `guardian_subagent`"): the last is auto_review. */
const REVIEWERS: Record<string, string> = {
  user: "user",
  auto_review: "auto_review",
  guardian_subagent: "auto_review",
};
/** The sandbox modes 0.171 takes ("expected one of … `external-sandbox`"). */
const SANDBOXES = [...SANDBOX_MODES, "external-sandbox"];

/** requirements.toml's facts; one not read here (a link not followed, a FIFO, too large): not judged. */
export async function readRequirements(
  file: string | undefined,
  owners?: readonly number[],
): Promise<{ requirements?: ConfigRequirements; brokenRequirements?: string; unreadableRequirements?: string }> {
  if (file === undefined) return {};
  const read = await readMachineToml(file, owners);
  // 0.171: "Failed to read requirements file …: Permission denied (os error 13)", and it does not start
  if (read === "unreadable") return { unreadableRequirements: file };
  return read === undefined ? {} : requirementsOf(read, file);
}

/** The requirements a read of `file` gives: its lists, or the file named as one Codex refuses to start with. */
export function requirementsOf(
  read: Exclude<Read, undefined>,
  file: string,
): { requirements?: ConfigRequirements; brokenRequirements?: string } {
  if (read === "absent") return {};
  if (read === "not TOML") return { brokenRequirements: file };
  const approvals = listOf(read.allowed_approval_policies, approvalPolicy);
  const reviewers = listOf(read.allowed_approvals_reviewers, (item) =>
    typeof item === "string" && Object.hasOwn(REVIEWERS, item) ? REVIEWERS[item] : "broken",
  );
  const sandboxes = listOf(read.allowed_sandbox_modes, (item) =>
    typeof item === "string" && SANDBOXES.includes(item) ? item : "broken",
  );
  if (approvals === "broken" || reviewers === "broken" || sandboxes === "broken") return { brokenRequirements: file };
  if (sandboxes !== undefined && !sandboxes.includes("read-only")) return { brokenRequirements: file };
  const proxy = networkProxyOf(read);
  const requirements: ConfigRequirements = {
    file,
    ...(proxy !== undefined && { networkProxy: proxy }),
    ...(approvals !== undefined && { approvalPolicies: approvals }),
    ...(reviewers !== undefined && { approvalsReviewers: reviewers }),
    ...(sandboxes !== undefined && { sandboxModes: sandboxes }),
  };
  return Object.keys(requirements).length > 1 ? { requirements } : {};
}

/** A policy of the list: a plain one, or "granular" for its table with the fields 0.171 requires. */
function approvalPolicy(item: unknown): string | undefined {
  if (typeof item === "string") return Object.hasOwn(APPROVAL_POLICIES, item) ? APPROVAL_POLICIES[item] : "broken";
  if (!isTable(item) || Object.keys(item).length !== 1 || !isTable(item.granular)) return "broken";
  const fields = item.granular;
  // a field 0.171 would take or refuse that is not known here: the list is not judged
  if (Object.values(fields).some((value) => typeof value !== "boolean")) return undefined;
  return GRANULAR_FIELDS.every((field) => field in fields) ? "granular" : "broken";
}

/**
 * A list's values; "broken": what 0.171 refuses to parse (not a list, empty: "cannot be empty", a value it
 * does not know); undefined: not set, or a value not judged here.
 */
function listOf(value: unknown, item: (item: unknown) => string | undefined): string[] | "broken" | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) return "broken";
  const values = value.map(item);
  if (values.includes("broken")) return "broken";
  return values.every((one): one is string => one !== undefined) ? values : undefined;
}

/**
 * What a printed step asking for `key = value` runs into, or undefined where the file allows it: the sentence
 * naming the file, the key and what Codex 0.171 runs with instead.
 */
export function forbidden(
  requirements: ConfigRequirements | undefined,
  key: "allowed_approval_policies" | "allowed_approvals_reviewers" | "allowed_sandbox_modes",
  value: string,
): string | undefined {
  const list =
    key === "allowed_approval_policies"
      ? requirements?.approvalPolicies
      : key === "allowed_approvals_reviewers"
        ? requirements?.approvalsReviewers
        : requirements?.sandboxModes;
  if (requirements === undefined || list === undefined || list.includes(value)) return undefined;
  const instead = key === "allowed_sandbox_modes" ? "read-only" : list[0];
  return `${requirements.file}'s \`${key}\` does not allow "${value}" (Codex 0.171 falls back to "${instead}")`;
}
