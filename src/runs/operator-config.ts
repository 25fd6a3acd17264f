// What the operator configured for sandboxed runs, read from CODEX_HOME's config.toml (bounded, parsed as
// TOML, never executed), and the switches this server adds to keep runs away from its own state.
import { isAbsolute, join } from "node:path";
import { parse } from "smol-toml";
import { readBounded } from "../contract/index.js";
import type { OperatorPolicy } from "./run-policy.js";
import { stateReach, type Reach } from "./state-reach.js";
import { resolved } from "./workspace.js";

const MAX_CONFIG_BYTES = 1024 * 1024;

/** CODEX_HOME/config.toml's `[sandbox_workspace_write]` (empty when absent or unreadable). */
export async function operatorSandboxSettings(codexHome: string): Promise<Record<string, unknown>> {
  const text = await readBounded(join(codexHome, "config.toml"), MAX_CONFIG_BYTES).catch(() => undefined);
  if (text === undefined) return {};
  try {
    const table = parse(text).sandbox_workspace_write;
    return table !== null && typeof table === "object" && !Array.isArray(table) ? { ...table } : {};
  } catch {
    return {}; // Codex refuses to start with it too; doctor reports config.toml problems
  }
}

export interface ReachSettings {
  codexHome: string;
  stateDir: string;
  childEnv: NodeJS.ProcessEnv;
}

/** Where sandboxed runs could reach this server's state, from the real paths and the operator's writable roots. */
export async function reachOf(settings: ReachSettings): Promise<Reach> {
  const sandbox = await operatorSandboxSettings(settings.codexHome);
  const roots = Array.isArray(sandbox.writable_roots)
    ? sandbox.writable_roots.filter((root): root is string => typeof root === "string" && isAbsolute(root))
    : [];
  const tmpdir = settings.childEnv.TMPDIR;
  return stateReach({
    codexHome: await resolved(settings.codexHome),
    stateDir: await resolved(settings.stateDir),
    tmpdir: tmpdir && isAbsolute(tmpdir) ? await resolved(tmpdir) : undefined,
    writableRoots: await Promise.all(roots.map(resolved)),
  });
}

/** The operator's sandbox settings plus what this server adds: what a session's recorded policy is compared with. */
export async function operatorPolicy(settings: ReachSettings): Promise<OperatorPolicy> {
  const [sandbox, reach] = await Promise.all([operatorSandboxSettings(settings.codexHome), reachOf(settings)]);
  return { sandboxWorkspaceWrite: { ...sandbox, ...reach.exclusions } };
}
