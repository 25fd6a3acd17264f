// Why a report found nothing in a CODEX_HOME that is a folder: it has no sessions/ yet. Codex makes the home
// on its first start and sessions/ with its first session, so that is a new home, not an error; but a
// CODEX_HOME set to the folder above it (`CODEX_HOME=~` for ~/.codex) reads the same, and "0 sessions" alone
// would not say so.
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { shellQuote } from "../../shared/shell.js";
import { inline } from "../../shared/text.js";

const exists = (path: string): Promise<boolean> =>
  lstat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== "ENOENT",
  );

/**
 * The note for a report (or a list) that found no log, or null when `home` has a sessions/ (or is not a folder).
 */
export async function emptyHomeNote(home: string, task: "report" | "list" = "report"): Promise<string | null> {
  // a missing home or a file is an error of its own (codex-home.ts codexHomeProblem); looked at, not followed
  if (
    !(await lstat(home).then(
      (info) => info.isDirectory() || info.isSymbolicLink(),
      () => false,
    ))
  )
    return null;
  if (await exists(join(home, "sessions"))) return null;
  const codexBelow = join(home, ".codex");
  const hint = (await exists(join(codexBelow, "sessions")))
    ? ` ${codexBelow} has one: set CODEX_HOME=${shellQuote(codexBelow)} (or unset it: Codex's default is ~/.codex).`
    : " Codex writes it with its first session; if your sessions are elsewhere, point CODEX_HOME at the folder that holds sessions/ (by default ~/.codex).";
  return `CODEX_HOME ${inline(home)} has no sessions/ folder, so there is nothing to ${task}.${hint}`;
}
