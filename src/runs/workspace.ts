// Where a run works and what it attaches, checked so that Codex acts on what was checked: the cwd is
// resolved and pinned by device and inode (compared again with what the session records), images are
// opened once, checked through the open file and copied, so a symlink swapped after the check changes nothing.
import { constants } from "node:fs";
import { mkdir, open, realpath, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import type { CheckedDirectory } from "../contract/index.js";
import type { Engine } from "../codex/run-modes.js";
import { isCodexWorktreePath, readSmall } from "../codex/worktree.js";
import { refuseWorkspace, RunRefusedError, type ProtectedDirectory } from "./run-policy.js";
import { within } from "../shared/path-within.js";

/**
 * Whether a run skips Codex's trusted-directory check: when the caller asks, and on engine "app-server" in a
 * directory outside any git repository, where `codex exec` would refuse to start but the app-server does not
 * check. Recorded so, the run's resume on `codex exec` (its printed command, resume_session's default) passes
 * --skip-git-repo-check, as the run needed.
 */
export async function skipsGitCheck(engine: Engine, cwd: string, asked: boolean): Promise<boolean> {
  return asked || (engine === "app-server" && !(await insideGitRepository(cwd)));
}

/**
 * `dir` or a parent is a repository as Codex 0.171 tells: a `.git` directory holding HEAD, or a linked worktree's
 * `.git` file naming its git directory (an empty `.git` directory, which Codex refuses, is none).
 */
async function insideGitRepository(dir: string): Promise<boolean> {
  for (; ; dir = dirname(dir)) {
    const dotGit = join(dir, ".git");
    const info = await stat(dotGit).catch(() => undefined);
    if (info?.isDirectory() && (await stat(join(dotGit, "HEAD")).catch(() => undefined))?.isFile()) return true;
    if (info?.isFile() && /^gitdir: /m.test((await readSmall(dotGit)) ?? "")) return true;
    if (dirname(dir) === dir) return false;
  }
}

/** Images larger than this are refused (a photo is a few MB; the copy must stay cheap). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export interface WorkspaceSettings {
  codexHome: string;
  stateDir: string;
  allowedRoots: readonly string[];
  childEnv: NodeJS.ProcessEnv;
}

export async function checkWorkspace(
  path: string,
  settings: WorkspaceSettings,
  codexWorktree = false,
): Promise<CheckedDirectory> {
  if (!isAbsolute(path))
    throw new RunRefusedError(`cwd must be an absolute path, got ${JSON.stringify(path.slice(0, 200))}.`);
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw new RunRefusedError(`cwd ${path} does not exist: pass an existing project directory.`);
  }
  const info = await stat(real);
  if (!info.isDirectory())
    throw new RunRefusedError(`cwd ${path} is not a directory: pass the project directory Codex should work in.`);
  if (codexWorktree) {
    // a resume in the worktree Codex made for a run of this state dir (whose repository was checked then)
    if (!isCodexWorktreePath(real, await resolved(settings.codexHome)))
      throw new RunRefusedError(`cwd ${real} is not a Codex worktree (under CODEX_HOME/worktrees).`);
    return { path: real, dev: info.dev, ino: info.ino };
  }
  await mustBeInsideRoots(real, settings.allowedRoots, "cwd");
  const refusal = refuseWorkspace(real, await protectedDirectories(settings));
  if (refusal !== undefined) throw new RunRefusedError(refusal);
  return { path: real, dev: info.dev, ino: info.ino };
}

async function protectedDirectories(settings: WorkspaceSettings): Promise<ProtectedDirectory[]> {
  const homes = new Set(
    [homedir(), settings.childEnv.HOME].filter((home): home is string => !!home && isAbsolute(home)),
  );
  return [
    ...(await Promise.all(
      [...homes].map(async (home) => ({ what: "the home directory", path: await resolved(home), insideToo: false })),
    )),
    { what: "CODEX_HOME", path: await resolved(settings.codexHome), insideToo: true },
    { what: "the server's state dir", path: await resolved(settings.stateDir), insideToo: true },
  ];
}

/** The resolved path, or for a path that does not exist yet, the resolved path of its nearest existing parent plus the rest. */
export async function resolved(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = resolve(absolute, "..");
    return parent === absolute ? absolute : join(await resolved(parent), basename(absolute));
  }
}

/**
 * Opens each image once, checks the file it opened (a regular file, inside the allowed roots, resolved
 * through the open descriptor), and copies it into `dir`: Codex gets the copies, the bytes that were checked.
 */
export async function copyCheckedImages(
  images: readonly string[],
  allowedRoots: readonly string[],
  dir: string,
): Promise<string[]> {
  const copies: string[] = [];
  for (const [index, image] of images.entries()) {
    if (!isAbsolute(image))
      throw new RunRefusedError(`image ${JSON.stringify(image.slice(0, 200))} must be an absolute path.`);
    const handle = await open(image, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => undefined);
    if (!handle) throw new RunRefusedError(`image ${image} is not a readable file.`);
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new RunRefusedError(`image ${image} is not a readable file.`);
      if (info.size > MAX_IMAGE_BYTES)
        throw new RunRefusedError(
          `image ${image} is ${info.size} bytes, more than this server attaches (${MAX_IMAGE_BYTES}).`,
        );
      const real = await realpath(`/proc/self/fd/${handle.fd}`).catch(() => realpath(image));
      await mustBeInsideRoots(real, allowedRoots, "image");
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const copy = join(dir, `${index}-${basename(real)}`);
      // exactly the size that was checked: a file that grows meanwhile cannot push more through
      const bytes = Buffer.alloc(info.size);
      let filled = 0;
      for (let got = -1; got !== 0 && filled < info.size; filled += got)
        got = (await handle.read(bytes, filled, info.size - filled, filled)).bytesRead;
      await writeFile(copy, bytes.subarray(0, filled), { mode: 0o600 });
      copies.push(copy);
    } finally {
      await handle.close();
    }
  }
  return copies;
}

export async function mustBeInsideRoots(realPath: string, roots: readonly string[], what: string): Promise<void> {
  if (roots.length === 0) return;
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (realRoot !== undefined && within(realRoot, realPath, true)) return;
  }
  throw new RunRefusedError(
    `${what} ${realPath} is outside the allowed roots of this server (${roots.join(", ")}); the operator sets them with --allowed-root.`,
  );
}
