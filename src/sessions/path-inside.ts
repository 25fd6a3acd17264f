// Whether a caller's path is inside a root, told without making the answer an existence oracle: a path is
// first checked as written (no disk touched, so a path outside gets one answer whether it exists or not),
// then by where the disk resolves it, so a link inside the root that points out is refused too.
import { realpath } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { within } from "../shared/path-within.js";

/** `path` is `root` or below it, by the names alone (`..` folded as written). */
export function namedInside(root: string, path: string): boolean {
  return within(resolve(root), resolve(path), true);
}

/**
 * Where the disk puts `path`: its real path when it resolves, else the real path of its nearest ancestor that
 * resolves (the folder a missing file would be in), so a missing file behind a link that points out is told
 * from its folder, not reported as absent.
 */
export async function realOrNearest(path: string): Promise<{ real: string; exists: boolean }> {
  let at = path;
  for (;;) {
    const real = await realpath(at).catch(() => undefined);
    if (real !== undefined) return { real, exists: at === path };
    const up = dirname(at);
    if (up === at) return { real: at, exists: false };
    at = up;
  }
}
