// Codex-managed git worktrees (`codex exec --worktree`, 0.16x): Codex makes one per run under
// `$CODEX_HOME/worktrees/<id>/<repo name>`, detached at the current commit, and the session records it as
// its cwd. Both the server (showing a run, resuming in it) and the supervisor (checking where a run went)
// recognise one here. Files are read bounded and never through a link.
import { constants } from "node:fs";
import { lstat, open } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";

export interface Worktree {
  path: string;
  /** The branch checked out there; null when detached (as Codex makes it). */
  branch: string | null;
}

/** `path` is a directory Codex made for a worktree: `<codexHome>/worktrees/<id>/<name>`, nothing deeper. */
export function isCodexWorktreePath(path: string, codexHome: string): boolean {
  const rel = relative(join(codexHome, "worktrees"), path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return false;
  return rel.split("/").length === 2;
}

/** The worktree at `path` with its branch, or undefined when it is not a Codex worktree (or not readable). */
export async function readWorktree(path: string, codexHome: string): Promise<Worktree | undefined> {
  if (!isCodexWorktreePath(path, codexHome)) return undefined;
  const dotGit = await readSmall(join(path, ".git"));
  const gitDir = /^gitdir: (.+)$/m.exec(dotGit ?? "")?.[1]?.trim();
  if (!gitDir) return undefined;
  const head = await readSmall(join(resolve(path, gitDir), "HEAD"));
  if (head === undefined) return undefined;
  const branch = /^ref: refs\/heads\/(.+)$/m.exec(head)?.[1]?.trim() ?? null;
  return { path, branch };
}

async function readSmall(path: string): Promise<string | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isFile() || info.size > 4096) return undefined;
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, 4096, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}
