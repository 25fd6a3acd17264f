// npm and the programs it installs, kept inside a test's temp root: HOME, npm's cache (npx's _npx folder
// and _logs included) and the XDG folders. The user's npm config (registry, proxy) still applies.
import { homedir } from "node:os";
import { join } from "node:path";

export function isolatedEnv(root: string, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) if (value !== undefined) env[name] = value;
  return {
    ...env,
    // read before HOME moves: where this user's npm config lives
    npm_config_userconfig: base.npm_config_userconfig ?? join(homedir(), ".npmrc"),
    HOME: join(root, "home"),
    npm_config_cache: join(root, "npm-cache"),
    npm_config_update_notifier: "false",
    XDG_CONFIG_HOME: join(root, "xdg-config"),
    XDG_DATA_HOME: join(root, "xdg-data"),
    XDG_CACHE_HOME: join(root, "xdg-cache"),
    XDG_STATE_HOME: join(root, "xdg-state"),
  };
}
