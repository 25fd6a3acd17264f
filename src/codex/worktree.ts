// Codex-managed git worktrees (`codex exec --worktree`, 0.16x): Codex makes one per run under
// `$CODEX_HOME/worktrees/<id>/<repo name>`, detached at the current commit, and the session records it as
// its cwd. Both the server (showing a run, resuming in it) and the supervisor (checking where a run went)
// recognise one here. Files are read bounded and never through a link.
import { isAbsolute, join, relative, resolve } from "node:path";
import { readSmallFile } from "../shared/small-file.js";
import { upward } from "../shared/path-within.js";

export interface Worktree {
  path: string;
  /** The branch checked out there; null when detached (as Codex makes it). */
  branch: string | null;
}

/** `path` is in a worktree Codex made: `<codexHome>/worktrees/<id>/<name>`, or below it (a run started in a subdirectory). */
export function isCodexWorktreePath(path: string, codexHome: string): boolean {
  return worktreeRoot(path, codexHome) !== undefined;
}

function worktreeRoot(path: string, codexHome: string): string | undefined {
  const base = join(codexHome, "worktrees");
  const rel = relative(base, path);
  if (rel === "" || upward(rel) || isAbsolute(rel)) return undefined;
  const [id, name] = rel.split("/");
  return id && name ? join(base, id, name) : undefined;
}

/** The worktree at `path` with its branch, or undefined when it is not a Codex worktree (or not readable). */
export async function readWorktree(path: string, codexHome: string): Promise<Worktree | undefined> {
  const root = worktreeRoot(path, codexHome);
  if (root === undefined) return undefined;
  const dotGit = await readSmall(join(root, ".git"));
  const gitDir = /^gitdir: (.+)$/m.exec(dotGit ?? "")?.[1]?.trim();
  if (!gitDir) return undefined;
  const head = await readSmall(join(resolve(root, gitDir), "HEAD"));
  if (head === undefined) return undefined;
  const branch = /^ref: refs\/heads\/(.+)$/m.exec(head)?.[1]?.trim() ?? null;
  return { path: root, branch };
}

/** A small regular file's text (at most 4 KB), never read through a link; undefined otherwise. */
export function readSmall(path: string): Promise<string | undefined> {
  return readSmallFile(path, 4096, { followLinks: false });
}
