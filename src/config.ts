// Server settings, from the environment (and, in cli.ts, from flags). Read once at start-up.
import { defaultCodexHome } from "./sessions/index.js";

export interface ServerConfig {
  /** Where Codex keeps its sessions: CODEX_HOME, else ~/.codex. */
  codexHome: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return { codexHome: defaultCodexHome(env) };
}
