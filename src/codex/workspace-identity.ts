// A workspace is pinned by device and inode when it is checked: both the server (showing a run) and the
// supervisor (stopping a run whose session records another directory) compare what Codex recorded with it.
import { stat } from "node:fs/promises";

/** Why the workspace a session records is not the checked directory (another device or inode), or undefined. */
export async function workspaceDifference(
  recordedCwd: string,
  checked: { path: string; dev: number; ino: number },
): Promise<string | undefined> {
  const info = await stat(recordedCwd).catch(() => undefined);
  if (info && info.dev === checked.dev && info.ino === checked.ino) return undefined;
  return `Codex worked in ${recordedCwd}, which is not the directory that was checked (${checked.path}, device ${checked.dev} inode ${checked.ino}${info ? `; it is now device ${info.dev} inode ${info.ino}` : "; it no longer exists"}): it was swapped after the check`;
}
