// Naming a session: the one check of every reference (an id, a prefix, `last`, a path inside CODEX_HOME and the
// operator's allowed roots), for the tools, the resources and the CLI alike.
import { clip, PATH_SHOWN, resolveSession as resolveInStore, SessionLookupError, type RolloutFile } from "./locate.js";
import { realpath } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { codexHomeProblem } from "./codex-home.js";
import { namedInside, realOrNearest } from "./path-inside.js";
import { within } from "../shared/path-within.js";
import { SessionStore } from "./store.js";

/** A store, or a CODEX_HOME path read through a throwaway store (no cache kept: one-off reads, tests). */
export type SessionSource = SessionStore | string;

export function storeOf(source: SessionSource): SessionStore {
  return typeof source === "string" ? new SessionStore(source) : source;
}

/**
 * The one check of every session reference, for the tools, the resources and the CLI alike: an id, a prefix,
 * `last`, or an explicit path inside CODEX_HOME and inside the operator's allowed roots.
 */
export async function resolveSession(source: SessionSource, ref: string): Promise<RolloutFile> {
  const store = storeOf(source);
  await mustBeInsideAllowedRoots(store.allowedRoots, ref);
  try {
    return await resolveInStore(store.home, ref, store.names);
  } catch (error) {
    const problem = error instanceof SessionLookupError ? await codexHomeProblem(store.home) : null;
    throw problem !== null ? new SessionLookupError(problem) : error;
  }
}

/**
 * An explicit rollout path outside the allowed roots is refused before anything is read: first by its name,
 * without asking the disk (so whether a path outside exists is not told), then by where it resolves (a link
 * inside a root that points out), from its nearest existing folder when the file itself is missing.
 */
export async function mustBeInsideAllowedRoots(roots: readonly string[], ref: string): Promise<void> {
  const path = ref.trim();
  if (roots.length === 0 || !isAbsolute(path)) return;
  const realRoots: string[] = [];
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (realRoot !== undefined) realRoots.push(realRoot);
  }
  const named = roots.some((root) => namedInside(root, path)) || realRoots.some((root) => namedInside(root, path));
  if (named) {
    const { real } = await realOrNearest(path);
    if (realRoots.some((root) => within(root, real, true))) return; // a missing file: the reader says so
  }
  throw new SessionLookupError(
    `${clip(ref, PATH_SHOWN)} is outside the allowed roots of this server (${roots.join(", ")}): pass a session id instead.`,
  );
}
