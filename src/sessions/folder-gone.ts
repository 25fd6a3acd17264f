// Whether the folder a log names is gone here, looked up per question (part of a summary's key): every printed
// command runs `codex exec --cd <it>`, which 0.171 stops at once on a missing folder ("No such file or
// directory", exit 1; checked with a missing folder and with one whose parent is missing too).
import { stat } from "node:fs/promises";
import { dirname, isAbsolute } from "node:path";
import type { CwdGone } from "./diagnosis.js";

/** Folders looked up on the way up from a missing one: deeper than this, it is taken as there. */
const MAX_UP = 64;

/**
 * The session's folder here: nothing there ("missing"), a file ("file"), or nothing there nor in the folders
 * above it up to `nearest`, which is a folder (a removed temp or checkout root). A path whose nearest folder
 * here is the top level or a folder right under it (`/app`, `/home` for `/home/user/proj`) is not taken as
 * removed: it names another machine's or a container's folder (copied or mounted logs, sanitized paths), where
 * the log's commands never ran here; so is a missing folder right under the top level. Only an absolute path
 * is looked up; a folder this user cannot look into counts as there.
 */
export async function folderGone(cwd: string | null | undefined): Promise<CwdGone> {
  if (typeof cwd !== "string" || cwd.length > 4096 || !isAbsolute(cwd) || cwd.includes("\0")) return false;
  const parent = dirname(cwd);
  if (parent === cwd || dirname(parent) === parent) return false;
  const info = await stat(cwd).catch((error: NodeJS.ErrnoException) => error.code);
  const gone = info === "ENOENT" ? "missing" : typeof info === "object" && !info.isDirectory() ? "file" : false;
  if (gone === false) return false;
  const holder = await stat(parent).catch((error: NodeJS.ErrnoException) => error.code);
  if (typeof holder === "object") return holder.isDirectory() ? gone : false;
  if (holder !== "ENOENT" || gone === "file") return false;
  // the parent is missing too: the nearest folder that is there, two levels below the top or deeper
  let folder = parent;
  for (let up = 0; up < MAX_UP; up++) {
    folder = dirname(folder);
    if (dirname(dirname(folder)) === dirname(folder)) return false;
    const found = await stat(folder).catch((error: NodeJS.ErrnoException) => error.code);
    if (typeof found === "object") return found.isDirectory() ? { nearest: folder } : false;
    if (found !== "ENOENT") return false;
  }
  return false;
}
