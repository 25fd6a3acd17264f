// A session's changed files, each named once, as absolute paths where the session's cwd is known. One change
// is named twice in a log: by its patch's text (relative to the cwd) and by Codex's FileChange item (absolute).
import { posix, win32 } from "node:path";

export function addChangedFiles(files: string[], paths: string[], cwd: string | undefined): void {
  for (const path of paths) {
    const named = resolvedPath(path, cwd);
    if (!files.includes(named)) files.push(named);
  }
}

/** The path against the cwd it was named in (a relative name is the cwd's at that moment, not a later one's). */
export function resolvedPath(path: string, cwd: string | undefined): string {
  if (cwd === undefined) return path;
  const style = cwd.startsWith("/") ? posix : win32;
  return style.isAbsolute(path) ? style.normalize(path) : style.join(cwd, path);
}
