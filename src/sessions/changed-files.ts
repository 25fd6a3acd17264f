// A session's changed files, each named once. One change is named twice in a log: by its patch's text
// (relative to the cwd) and by Codex's FileChange item (absolute), so names are compared resolved against the
// session's cwd, and the first name given stays.
import { posix, win32 } from "node:path";

/** The resolved names of each list, made again from the list when missing (a fold restored from a file). */
const resolvedOf = new WeakMap<string[], Set<string>>();

export function addChangedFiles(files: string[], paths: string[], cwd: string | undefined): void {
  let known = resolvedOf.get(files);
  if (!known) {
    known = new Set(files.map((path) => resolved(path, cwd)));
    resolvedOf.set(files, known);
  }
  for (const path of paths) {
    const key = resolved(path, cwd);
    if (known.has(key)) continue;
    known.add(key);
    files.push(path);
  }
}

function resolved(path: string, cwd: string | undefined): string {
  if (cwd === undefined) return path;
  const style = cwd.startsWith("/") ? posix : win32;
  return style.isAbsolute(path) ? style.normalize(path) : style.join(cwd, path);
}
