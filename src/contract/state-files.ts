// Where each file of the state dir lives, how large it may be, and the only ways they are read and written.
// The state dir may be reachable by others (a shared machine, a sandboxed run that can write /tmp), so:
// names come from validated run ids only; nothing is opened through a symbolic link (O_NOFOLLOW on the file,
// lstat on the directories above it); reads are bounded and parsed with safeParse, and a file that does not
// parse is ignored and reported, never believed; removal only touches what was verified to be ours.
import { constants } from "node:fs";
import { link, lstat, mkdir, open, readdir, rename, rm, rmdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { z } from "zod";
import { ExplainedError } from "../shared/errors.js";
import { LEDGER_FILE } from "./ledger-file.js";
import { RUN_ID } from "./schemas.js";

/** Each file's name and the most bytes it is read up to (a larger one is ignored, never read whole). */
export const STATE_FILES = {
  state: { name: "state.json", maxBytes: 2 * 1024 * 1024 },
  cancel: { name: "cancel", maxBytes: 4096 },
  reaped: { name: "reaped", maxBytes: 1024 },
  ending: { name: "ending.json", maxBytes: 1024 },
  lease: { maxBytes: 16 * 1024 },
  lock: { name: ".lock", maxBytes: 1024 },
  lastMessage: { maxBytes: 1024 * 1024 },
  ledger: { name: LEDGER_FILE, maxRecordBytes: 64 * 1024 },
  /** A steer's message is at most 16,000 characters; JSON may spell each as six bytes. */
  steer: { maxBytes: 128 * 1024 },
  steerReply: { maxBytes: 16 * 1024 },
  approvalAnswer: { maxBytes: 4096 },
} as const;

/** The run's own inputs (output schema, copies of the checked images), removed when the run's end is recorded. */
export const INPUTS_DIR = "inputs";
export const SUPERVISOR_LOG = "supervisor.log";

export function runsDir(stateDir: string): string {
  return join(stateDir, "runs");
}

export function leasesDir(stateDir: string): string {
  return join(stateDir, "leases");
}

/** A run's directory; only ids of the shape this server makes name one (a forged record could name `../..`). */
export function runDir(stateDir: string, runId: string): string {
  if (!RUN_ID.test(runId))
    throw new StateFileError(
      `${JSON.stringify(runId.slice(0, 80))} is not a run id (run_ followed by lowercase letters and digits)`,
    );
  return join(runsDir(stateDir), runId);
}

export function lastMessageFile(stateDir: string, runId: string): string {
  return join(runDir(stateDir, runId), `${runId}-last-message.txt`);
}

/** A state file or directory someone else made or changed: the message names it and the fix. */
export class StateFileError extends ExplainedError {
  override readonly name = "StateFileError";
}

/** Files that were ignored, newest last: shown by doctor, so a forged or broken file is reported, not silent. */
const ignored: Array<{ at: string; path: string; why: string }> = [];

export function reportIgnored(path: string, why: string): void {
  ignored.push({ at: new Date().toISOString(), path, why: why.slice(0, 300) });
  if (ignored.length > 50) ignored.splice(0, ignored.length - 50);
}

export function ignoredStateFiles(): ReadonlyArray<{ at: string; path: string; why: string }> {
  return ignored;
}

const NO_FOLLOW_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * The file's text, up to `maxBytes`: undefined when it does not exist, and (reported) when it is a link, not
 * a regular file, larger than the cap, or below a directory that is a link.
 */
export async function readBounded(
  path: string,
  maxBytes: number,
  parents: readonly string[] = [],
): Promise<string | undefined> {
  for (const parent of parents) {
    const info = await lstat(parent).catch(() => undefined);
    if (!info) return undefined;
    if (!info.isDirectory()) {
      reportIgnored(path, `${parent} is ${info.isSymbolicLink() ? "a symbolic link" : "not a directory"}`);
      return undefined;
    }
  }
  let handle;
  try {
    handle = await open(path, NO_FOLLOW_READ);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR")
      reportIgnored(path, code === "ELOOP" ? "it is a symbolic link" : `it cannot be opened (${code})`);
    return undefined;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return void reportIgnored(path, "it is not a regular file");
    if (info.size > maxBytes)
      return void reportIgnored(path, `it is ${info.size} bytes, more than such a file ever is (${maxBytes})`);
    const bytes = Buffer.alloc(Math.min(info.size, maxBytes));
    let filled = 0;
    for (let got = -1; got !== 0 && filled < bytes.length; filled += got)
      got = (await handle.read(bytes, filled, bytes.length - filled, filled)).bytesRead;
    return bytes.subarray(0, filled).toString("utf8");
  } finally {
    await handle.close();
  }
}

/** A JSON state file parsed with its schema; anything else is ignored (and reported). */
export async function readStateFile<T extends z.ZodType>(
  path: string,
  schema: T,
  maxBytes: number,
  parents: readonly string[] = [],
): Promise<z.infer<T> | undefined> {
  const text = await readBounded(path, maxBytes, parents);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // a torn file: writes go through a rename, so only a crash or someone else leaves one
    return void reportIgnored(path, "it is not JSON");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    return void reportIgnored(
      path,
      `it does not match its schema (${parsed.error.issues[0]?.path.join(".") || "root"}: ${parsed.error.issues[0]?.message ?? "?"})`,
    );
  return parsed.data as z.infer<T>;
}

/**
 * Makes `dir` (and its parents) as directories of ours, or refuses: a directory that is a link, or not
 * owned by this user, is never written through.
 */
export async function ownDirectory(dir: string): Promise<void> {
  // a file (or a link to one) where the directory goes: mkdir says EEXIST, lstat below says what it is
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  });
  await provenDirectory(dir);
}

/**
 * Proves `dir` a directory of ours as it stands now, making nothing (StateFileError otherwise): a writer that
 * did not make it (the run's supervisor) looks again before each write, since a link put in its place since
 * would carry the write to the link's target.
 */
export async function provenDirectory(dir: string): Promise<void> {
  const info = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR")
      throw new StateFileError(`${dir} is gone; the state dir holds only directories this server made.`);
    throw error;
  });
  if (!info.isDirectory())
    throw new StateFileError(
      `${dir} is ${info.isSymbolicLink() ? "a symbolic link" : "not a directory"}; the state dir holds only directories this server made. Remove it (the server makes it again), or choose another state dir with --state-dir.`,
    );
  if (typeof process.getuid === "function" && info.uid !== process.getuid())
    throw new StateFileError(
      `${dir} belongs to another user (uid ${info.uid}), who could forge what it holds; choose a state dir of your own with --state-dir.`,
    );
}

/** The state dir itself: it may be a link the operator made, but it must be ours and writable by nobody else. */
export async function checkStateDir(stateDir: string): Promise<string | undefined> {
  const info = await stat(stateDir).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isDirectory()) return `the state dir ${stateDir} is not a directory`;
  if (typeof process.getuid === "function" && info.uid !== process.getuid())
    return `the state dir ${stateDir} belongs to another user (uid ${info.uid}), who could forge its records`;
  if ((info.mode & 0o022) !== 0)
    return `the state dir ${stateDir} is writable by others (mode ${(info.mode & 0o777).toString(8)}), who could forge its records: chmod 700 it`;
  return undefined;
}

let writes = 0;

/** Writes a file that must not exist yet, not even as a link (EEXIST otherwise), readable by this user only. */
async function writeNew(path: string, text: string): Promise<void> {
  const handle = await open(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}

/** A new file beside `path` holding `text`, named by this process and write; returns its path. */
async function writtenBeside(path: string, text: string): Promise<string> {
  writes += 1;
  const temporary = `${path}.${process.pid}.${writes}.tmp`;
  await writeNew(temporary, text);
  return temporary;
}

/** Readers never see half a file: written beside it (never through a link), then renamed over it. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  await rename(await writtenBeside(path, text), path);
}

/**
 * Creates the file only if nothing (not even a link) is there: true when this call made it. Written beside it
 * and linked into place, so that it appears whole: made empty and then written, a supervisor polling for it
 * could read a cancel without its reason, a steer without its message, a lock without its holder. Where the
 * file system has no hard links, made in place as before.
 */
export async function createExclusive(path: string, text: string): Promise<boolean> {
  const temporary = await writtenBeside(path, text);
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  try {
    await writeNew(path, text);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/**
 * Leaves a request (a cancel) at `name` in the run's directory `dir` (below `parent`), for a reader that goes
 * through `readBounded`. A request already there stays (the first reason is kept). Something there that such
 * a reader passes over (a FIFO, a directory, a link, a file over `maxBytes`) would hide the request for good,
 * so it is removed (a link as a link, never its target) and the request made in its place, once `dir` is
 * proven a directory of ours (else StateFileError).
 */
export async function leaveRequest(
  parent: string,
  dir: string,
  name: string,
  text: string,
  maxBytes: number,
): Promise<void> {
  const path = join(dir, name);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (await createExclusive(path, text)) return;
    await ownDirectory(parent);
    await ownDirectory(dir);
    if ((await readBounded(path, maxBytes, [parent, dir])) !== undefined) return;
    await removeFile(path);
  }
}

/** Removes a file or a link (never what a link points to). */
export async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EISDIR" || error.code === "EPERM") return removeTree(path);
    if (error.code !== "ENOENT") throw error;
    return undefined;
  });
}

/**
 * Removes a directory of ours with what is in it. A link in its place is removed as a link: its target
 * (someone's project, say) is never touched; `rm` does not follow the links inside either.
 */
export async function removeTree(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) return unlink(path).catch(() => undefined);
  await rm(path, { recursive: true, force: true });
}

/**
 * Removes what we made under `dir`, and nothing else: this user's regular files and directories only, never
 * through a link (each entry looked at with lstat). A link, a FIFO, anything of another user is left where it
 * is (and the directories above it with it), and named in the answer: the paths left.
 */
export async function removeOwnTree(dir: string): Promise<string[]> {
  const info = await lstat(dir).catch(() => undefined);
  if (!info) return [];
  const ours = typeof process.getuid !== "function" || info.uid === process.getuid();
  if (!ours || !(info.isDirectory() || info.isFile())) return [dir];
  if (info.isFile()) {
    await unlink(dir).catch(() => undefined);
    return [];
  }
  const left: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[]))
    left.push(...(await removeOwnTree(join(dir, name))));
  if (left.length === 0) await rmdir(dir).catch(() => left.push(dir));
  return left;
}
