// Where a machine config file that is a link (NixOS: /etc/codex/config.toml -> /etc/static/… -> /nix/store/…)
// leads, followed only along a path nobody but its trusted owners (root) could have laid: Codex follows any
// link there, but a link into a folder another user can write would let that user choose the facts a step is
// built on. Each folder passed must belong to a trusted owner and be writable by no one else, or be sticky
// (/tmp, /nix/store: mode 1775) with the entry in it a trusted owner's, which no one else may rename or
// replace (the rule Linux's protected_symlinks applies); every entry on the way, each link and the file itself
// must be a trusted owner's, the file writable by no one else. At most MAX_LINK_HOPS links.
import { lstat, readlink } from "node:fs/promises";
import type { BigIntStats } from "node:fs";
import { posix } from "node:path";

/** More links than this on the way: not followed (Linux itself gives up after 40). */
export const MAX_LINK_HOPS = 16;
const MAX_PARTS = 256;
const WRITABLE_BY_OTHERS = 0o022n;
const STICKY = 0o1000n;

/** Who may have laid a machine file's way: root. */
export const TRUSTED_OWNERS: readonly number[] = [0];

/**
 * The path `path` (absolute) leads to, no link left in it, with its lstat; "absent": a part is missing;
 * undefined: not trusted (a part someone else owns or could replace, too many links, not a regular file).
 */
export async function trustedTarget(
  path: string,
  owners: readonly number[] = TRUSTED_OWNERS,
): Promise<{ path: string; info: BigIntStats } | "absent" | undefined> {
  if (!path.startsWith("/")) return undefined;
  const trusted = (info: BigIntStats) => owners.includes(Number(info.uid));
  let parts = path.split("/").filter((part) => part !== "" && part !== ".");
  let at = "/";
  let folder = await lstatOrAbsent(at);
  let hops = 0;
  while (parts.length > 0) {
    if (folder === "absent" || folder === undefined || !folder.isDirectory() || !trusted(folder)) return undefined;
    const [part, ...rest] = parts as [string, ...string[]];
    if (part === "..") {
      at = posix.dirname(at);
      folder = await lstatOrAbsent(at);
      parts = rest;
      continue;
    }
    const next = posix.join(at, part);
    const info = await lstatOrAbsent(next);
    if (info === "absent") return "absent";
    if (info === undefined || !trusted(info)) return undefined;
    // a folder others may write: only a sticky one, where this trusted owner's entry cannot be swapped
    if ((folder.mode & WRITABLE_BY_OTHERS) !== 0n && (folder.mode & STICKY) === 0n) return undefined;
    if (info.isSymbolicLink()) {
      if (++hops > MAX_LINK_HOPS) return undefined;
      const target = await readlink(next).catch(() => undefined);
      if (target === undefined || target === "" || target.includes("\0")) return undefined;
      parts = [...target.split("/").filter((piece) => piece !== "" && piece !== "."), ...rest];
      if (parts.length > MAX_PARTS) return undefined;
      if (target.startsWith("/")) {
        at = "/";
        folder = await lstatOrAbsent(at);
      }
      continue;
    }
    if (rest.length === 0) {
      if (!info.isFile() || (info.mode & WRITABLE_BY_OTHERS) !== 0n) return undefined;
      return { path: next, info };
    }
    at = next;
    folder = info;
    parts = rest;
  }
  return undefined;
}

async function lstatOrAbsent(path: string): Promise<BigIntStats | "absent" | undefined> {
  try {
    return await lstat(path, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "absent" : undefined;
  }
}
