import { isAbsolute, relative, sep } from "node:path";

/**
 * A relative path (path.relative's answer) that climbs out: `..` alone or `..` then a separator. A name that only
 * begins with two dots (a folder `..x` or `...`) is a name inside: a bare startsWith("..") took it for a way out.
 */
export function upward(relativePath: string): boolean {
  return relativePath === ".." || relativePath.startsWith(`..${sep}`);
}

/** `path` is below (or, with `orEqual`, is) `root`; both already absolute and normalized. */
export function within(root: string, path: string, orEqual = false): boolean {
  const inside = relative(root, path);
  if (inside === "") return orEqual;
  return !isAbsolute(inside) && !upward(inside);
}
