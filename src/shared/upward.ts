import { sep } from "node:path";

/**
 * A relative path (path.relative's answer) that climbs out: `..` alone or `..` then a separator. A name that only
 * begins with two dots (a folder `..x` or `...`) is a name inside: a bare startsWith("..") took it for a way out.
 */
export function upward(relativePath: string): boolean {
  return relativePath === ".." || relativePath.startsWith(`..${sep}`);
}
