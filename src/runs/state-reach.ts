// Can a sandboxed run write where the server keeps what it later believes? A workspace-write run may write
// its cwd, Codex's writable roots, /tmp and $TMPDIR. CODEX_HOME (config.toml's `notify` runs outside the
// sandbox on the next run) and the state dir (ledger records, leases) must be out of its reach: /tmp and
// $TMPDIR are taken away from such runs with Codex's own switches; a writable root cannot be, so a run is
// refused there. Pure: the caller resolves the paths.
import { within } from "../shared/path-within.js";

export interface ReachInput {
  /** Resolved. */
  codexHome: string;
  /** Resolved. */
  stateDir: string;
  /** The run's $TMPDIR, resolved (undefined: not set). */
  tmpdir: string | undefined;
  /** `sandbox_workspace_write.writable_roots` of the operator's config, resolved. */
  writableRoots: readonly string[];
}

export interface Reach {
  /** `sandbox_workspace_write.*` switches every sandboxed run gets. */
  exclusions: Record<string, boolean>;
  /** Why sandboxed runs cannot be made safe (undefined: they can). */
  refusal: string | undefined;
  /** What doctor says: each place a run could reach, and what covers it. */
  findings: string[];
}

export function stateReach(input: ReachInput): Reach {
  const exclusions: Record<string, boolean> = {};
  const findings: string[] = [];
  let refusal: string | undefined;
  for (const [what, path] of [
    ["CODEX_HOME", input.codexHome],
    ["the state dir", input.stateDir],
  ] as const) {
    if (within("/tmp", path, true)) {
      exclusions.exclude_slash_tmp = true;
      findings.push(
        `${what} ${path} is under /tmp, which sandboxed runs could write: they run with sandbox_workspace_write.exclude_slash_tmp = true`,
      );
    }
    if (input.tmpdir !== undefined && within(input.tmpdir, path, true)) {
      exclusions.exclude_tmpdir_env_var = true;
      findings.push(
        `${what} ${path} is under $TMPDIR (${input.tmpdir}), which sandboxed runs could write: they run with sandbox_workspace_write.exclude_tmpdir_env_var = true`,
      );
    }
    const root = input.writableRoots.find((candidate) => within(candidate, path, true));
    if (root !== undefined) {
      refusal ??= `${what} ${path} is inside the writable root ${root} of Codex's config (sandbox_workspace_write.writable_roots), so a sandboxed run could change what the next run executes. Remove that root, or move ${what} out of it (--state-dir, CODEX_HOME); read-only runs are still allowed.`;
      findings.push(`${what} ${path} is inside the writable root ${root}: sandboxed runs are refused`);
    }
  }
  return { exclusions, refusal, findings };
}
