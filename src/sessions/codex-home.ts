import { homedir } from "node:os";
import { join } from "node:path";

/** CODEX_HOME, else ~/.codex (what Codex itself uses). */
export function defaultCodexHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CODEX_HOME && env.CODEX_HOME.trim() !== "" ? env.CODEX_HOME : join(homedir(), ".codex");
}
