import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/**
 * CODEX_HOME, else ~/.codex (what Codex itself uses). A relative CODEX_HOME is made absolute against this
 * process's folder, as Codex canonicalizes it (codex-rs `find_codex_home`): rollout paths found under it are
 * looked up again by path, which must be absolute, and the home goes into printed commands and run children
 * that start in other folders.
 */
export function defaultCodexHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CODEX_HOME && env.CODEX_HOME.trim() !== "" ? resolve(env.CODEX_HOME) : join(homedir(), ".codex");
}

/**
 * What is wrong with CODEX_HOME as a folder of sessions, or null: asked only when a lookup found nothing,
 * so that a typo (`CODEX_HOME=/tmp/codx`) reads as that, not as "no sessions".
 */
export async function codexHomeProblem(home: string): Promise<string | null> {
  const info = await stat(home).catch((error: NodeJS.ErrnoException) => error.code ?? "unreadable");
  if (typeof info === "string") {
    return info === "ENOENT"
      ? `CODEX_HOME ${home} does not exist: fix CODEX_HOME (a typo?), or run Codex once to create it.`
      : `CODEX_HOME ${home} cannot be read (${info}).`;
  }
  return info.isDirectory()
    ? null
    : `CODEX_HOME ${home} is not a directory: point CODEX_HOME at the folder that holds Codex's sessions/ (by default ~/.codex).`;
}
