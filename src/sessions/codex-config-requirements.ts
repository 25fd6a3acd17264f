// `/etc/codex/requirements.toml`: the limits an administrator sets on what any config or flag may ask for
// (codex-rs ConfigRequirementsToml). Checked with the 0.171 CLI, /etc bound over in a private mount namespace:
// a value a list does not allow is not refused but replaced ("Configured value for `approval_policy` is
// disallowed by requirements; falling back to required value …"): an approval policy or reviewer by the list's
// first, a sandbox mode by read-only; so a printed `-c approval_policy=…` or `--sandbox …` it forbids runs as
// something else. A file that is not TOML, a list value Codex does not know ("unknown variant") or
// `allowed_sandbox_modes` without "read-only" stops Codex ("Error loading config.toml: failed to parse
// requirements layer …", "must include 'read-only'").
import { isTable, readMachineToml, type Read } from "./codex-config-files.js";
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
}

/** The values 0.171 takes in `allowed_approval_policies` (its error names them). */
const APPROVAL_POLICIES = ["untrusted", "on-failure", "on-request", "granular", "never"];
/** The reviewers 0.171 names ("Expected `user` or `auto_review`"). */
const REVIEWERS = ["user", "auto_review"];

/** requirements.toml's facts; one that cannot be read here (a link not followed, unreadable): not judged. */
export async function readRequirements(
  file: string | undefined,
  owners?: readonly number[],
): Promise<{ requirements?: ConfigRequirements; brokenRequirements?: string }> {
  if (file === undefined) return {};
  const read = await readMachineToml(file, owners);
  return read === undefined || read === "unreadable" ? {} : requirementsOf(read, file);
}

/** The requirements a read of `file` gives: its lists, or the file named as one Codex refuses to start with. */
export function requirementsOf(
  read: Exclude<Read, undefined>,
  file: string,
): { requirements?: ConfigRequirements; brokenRequirements?: string } {
  if (read === "absent") return {};
  if (read === "not TOML") return { brokenRequirements: file };
  const approvals = listOf(read.allowed_approval_policies, APPROVAL_POLICIES);
  const sandboxes = listOf(read.allowed_sandbox_modes, SANDBOX_MODES);
  if (approvals === "broken" || sandboxes === "broken") return { brokenRequirements: file };
  if (sandboxes !== undefined && !sandboxes.includes("read-only")) return { brokenRequirements: file };
  // a reviewer this reader does not know (an alias of a later Codex): the list is not judged
  const reviewers = listOf(read.allowed_approvals_reviewers, REVIEWERS);
  const requirements: ConfigRequirements = {
    file,
    ...(approvals !== undefined && { approvalPolicies: approvals }),
    ...(reviewers !== undefined && reviewers !== "broken" && { approvalsReviewers: reviewers }),
    ...(sandboxes !== undefined && { sandboxModes: sandboxes }),
  };
  return Object.keys(requirements).length > 1 ? { requirements } : {};
}

/** A list of known values; "broken": anything else Codex would refuse to parse; undefined: not set. */
function listOf(value: unknown, known: readonly string[]): string[] | "broken" | undefined {
  // an empty list: what 0.171 makes of it is not known here, so it is not judged
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return undefined;
  if (!Array.isArray(value) || isTable(value)) return "broken";
  return value.every((item): item is string => typeof item === "string" && known.includes(item)) ? value : "broken";
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
