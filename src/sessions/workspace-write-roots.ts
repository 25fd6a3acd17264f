// Would Codex's workspace-write sandbox let a command write a path? Upstream: codex-rs protocol's
// `SandboxPolicy::get_writable_roots_with_cwd` (0.171 prints them as `sandbox: workspace-write [workdir, /tmp,
// $TMPDIR]`): the policy's `writable_roots` (`--add-dir`, `sandbox_workspace_write.writable_roots`), the cwd,
// `/tmp` unless `exclude_slash_tmp`, and `$TMPDIR` unless `exclude_tmpdir_env_var`; the top-level `.git`,
// `.codex` and `.agents` of each root stay read-only. Pure: paths are compared as POSIX text, never resolved
// on this machine (the log may come from another).
import { posix } from "node:path";

/** Kept read-only inside every writable root, so a write there is refused by workspace-write too. */
const PROTECTED = [".git", ".codex", ".agents"];

/**
 * Whether the workspace-write sandbox allows writing `target` for a session in `cwd`. `recorded` is the
 * session's own sandbox_policy: its roots and exclusions count only when it is a workspace-write policy (a
 * read-only one names neither, so Codex's defaults apply). $TMPDIR is not counted: the log does not say what
 * it was, so a path under it that is not under another root is taken as not writable.
 */
export function workspaceWriteAllows(
  target: string | null,
  cwd: string | undefined,
  recorded: Record<string, unknown> | undefined,
): boolean {
  // a refused write whose path the output does not name: the workspace is the likely place
  if (target === null) return true;
  // a relative path a shell refused is relative to the command's cwd, the workspace (also where that cwd is no
  // POSIX path: resolving against it here would resolve against this process's own directory)
  if (!target.startsWith("/") && (cwd === undefined || !cwd.startsWith("/"))) return true;
  const path = cwd === undefined ? posix.normalize(target) : posix.resolve(cwd, target);
  return writableRoots(cwd, recorded).some(
    (root) => within(path, root) && !PROTECTED.some((name) => within(path, posix.join(root, name))),
  );
}

function writableRoots(cwd: string | undefined, recorded: Record<string, unknown> | undefined): string[] {
  const policy = recorded !== undefined && policyType(recorded) === "workspace-write" ? recorded : {};
  const roots = Array.isArray(policy.writable_roots)
    ? policy.writable_roots.filter((root): root is string => typeof root === "string" && root.startsWith("/"))
    : [];
  if (cwd !== undefined) roots.push(cwd);
  if (policy.exclude_slash_tmp !== true) roots.push("/tmp");
  return roots.map((root) => posix.normalize(root));
}

/** Newer CLIs write `{"type": …}`, older ones `{"mode": …}`. */
function policyType(policy: Record<string, unknown>): unknown {
  return policy.type ?? policy.mode;
}

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

/** At most this many folders are asked for: more refused places is no longer a small, reviewable ask. */
export const MAX_ADDED_DIRS = 3;
// an absolute path printed into a command line: no control, line-separator or bidirectional characters
const PRINTABLE_PATH =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /^\/[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]{0,1023}$/;

/**
 * The `--add-dir` folders (Codex's own flag for more writable roots of the workspace-write sandbox) that let
 * the refused writes through: the folder of each refused path (the session's own roots are ownRootOptions). Null when that cannot work or is no smaller ask than full access: a write
 * with no path named, to a protected `.git`/`.codex`/`.agents`, whose folder is `/`, or more than
 * MAX_ADDED_DIRS folders. Paths come from the log: only absolute, printable ones are named.
 */
export function extraWritableDirs(
  targets: Array<string | null>,
  cwd: string | undefined,
  recorded: Record<string, unknown> | undefined,
): string[] | null {
  const roots = writableRoots(cwd, recorded);
  const added: string[] = [];
  for (const target of targets) {
    if (target !== null && workspaceWriteAllows(target, cwd, recorded)) continue;
    if (target === null || !PRINTABLE_PATH.test(target)) return null;
    const path = posix.normalize(target);
    if (path.split("/").some((part) => PROTECTED.includes(part))) return null;
    const dir = posix.dirname(path);
    if (dir === "/") return null;
    if (roots.some((root) => within(path, root))) return null; // a protected part of a root
    if (!added.includes(dir)) added.push(dir);
  }
  return added.length === 0 || added.length > MAX_ADDED_DIRS ? null : added;
}

/** At most this many of a session's own extra roots are repeated: more is no log Codex wrote for a person. */
const MAX_OWN_ROOTS = 16;

/**
 * A workspace-write session's own extra writable roots (`--add-dir`, config's writable_roots), as `--add-dir`
 * options, and its network access as NETWORK_OPTION: a resume does not keep them (0.171 checked: resumed without, a write there was refused). Only
 * absolute, printable paths other than `/`; none when there are more than MAX_OWN_ROOTS.
 */
export function ownRootOptions(recorded: Record<string, unknown> | undefined): string[] {
  if (recorded === undefined || policyType(recorded) !== "workspace-write") return [];
  const roots = Array.isArray(recorded.writable_roots)
    ? recorded.writable_roots.filter(
        // `/` as a root makes the sandbox write everywhere: never repeated unasked (a planted log could hold it)
        (root): root is string =>
          typeof root === "string" && PRINTABLE_PATH.test(root) && posix.normalize(root) !== "/",
      )
    : [];
  const own = roots.length > MAX_OWN_ROOTS ? [] : [...new Set(roots)].flatMap((root) => ["--add-dir", root]);
  // its network access: a resume does not keep that either (0.171 checked: a session run with
  // `-c sandbox_workspace_write.network_access=true`, resumed with `--sandbox workspace-write` alone, had
  // "Failed to connect" where it had reached the host)
  return recorded.network_access === true ? [...own, ...NETWORK_OPTION] : own;
}

/** The `-c` that gives the workspace-write sandbox network access. */
export const NETWORK_OPTION = ["-c", "sandbox_workspace_write.network_access=true"] as const;
