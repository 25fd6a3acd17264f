// The facts of the machine's config files (SYSTEM_CONFIG_FILES) a step's words need beyond the merged tables:
// which files were merged, a legacy `profile` in one, and what the managed file sets that a printed `-c` would
// set. 0.171 takes the managed file over every `-c` (checked with the CLI: `-c mcp_servers.<name>.tool_timeout_sec`,
// `-c sandbox_workspace_write.network_access`, `-c approval_policy` all lose to it), so such a `-c` cannot be a step.
import { isTable, type Table } from "./codex-config-files.js";
import type { CodexConfigFacts } from "./codex-config.js";
import { SANDBOX_MODES } from "./views/closed-sets.js";

/** The keys a printed `-c` sets in an `[mcp_servers.<name>]` table (mcp-timeout-step.ts). */
const OVERRIDDEN_MCP_KEYS = ["tool_timeout_sec", "enabled", "enabled_tools", "disabled_tools"];

/** The machine files' own facts: `below` the system's table, `above` the managed one ({} when absent). */
export function machineFacts(below: Table, above: Table, files: SystemConfigFiles): Partial<CodexConfigFacts> {
  const pinned = managedMcpKeys(above);
  const profile = [[below, files.config] as const, [above, files.managed] as const].find(
    ([table]) => typeof table.profile === "string",
  )?.[1];
  const machineLayers = [
    ...(Object.keys(below).length > 0 ? [files.config] : []),
    ...(Object.keys(above).length > 0 ? [files.managed] : []),
  ];
  const sandbox = isTable(above.sandbox_workspace_write) ? above.sandbox_workspace_write : {};
  return {
    ...(machineLayers.length > 0 && { machineLayers }),
    ...(pinned.length > 0 && { managedMcpKeys: { file: files.managed, keys: pinned } }),
    ...(profile !== undefined && { machineLegacyProfile: profile }),
    ...(Object.hasOwn(above, "approval_policy") && { managedApprovalPolicy: files.managed }),
    ...(Object.hasOwn(above, "sandbox_mode") && {
      managedSandboxMode: {
        file: files.managed,
        mode: (SANDBOX_MODES as readonly unknown[]).includes(above.sandbox_mode) ? String(above.sandbox_mode) : null,
      },
    }),
    ...(Object.hasOwn(sandbox, "network_access") && { managedSandboxNetwork: files.managed }),
  };
}

/** `<server>.<key>` for each of OVERRIDDEN_MCP_KEYS the managed config sets, sorted. */
function managedMcpKeys(managed: Table): string[] {
  const servers = isTable(managed.mcp_servers) ? managed.mcp_servers : {};
  return Object.keys(servers)
    .sort()
    .flatMap((name) => {
      const server = servers[name];
      return isTable(server)
        ? OVERRIDDEN_MCP_KEYS.filter((key) => Object.hasOwn(server, key)).map((key) => `${name}.${key}`)
        : [];
    });
}

/** Where 0.171 reads the system's config (under the user's) and the managed one (over every other layer), on Unix. */
export interface SystemConfigFiles {
  config: string;
  managed: string;
  /** requirements.toml (codex-config-requirements.ts); not read when not given. */
  requirements?: string;
  /** Whose files and folders a link of these files may pass (codex-config-links.ts); root when not given. */
  owners?: readonly number[];
}
export const SYSTEM_CONFIG_FILES: SystemConfigFiles = {
  config: "/etc/codex/config.toml",
  managed: "/etc/codex/managed_config.toml",
  requirements: "/etc/codex/requirements.toml",
};
