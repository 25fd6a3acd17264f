// The operator's limits on what a caller may name: an explicit rollout path must be inside an allowed root
// (when roots are set), besides being inside CODEX_HOME, which the session reader checks itself.
import { realpath } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { within } from "../runs/run-policy.js";
import type { ServerConfig } from "../config/config.js";
import { SessionLookupError } from "../sessions/index.js";

export async function checkSessionRef(config: ServerConfig, ref: string): Promise<void> {
  const roots = config.runner.allowedRoots;
  if (roots.length === 0 || !isAbsolute(ref.trim())) return;
  const real = await realpath(ref.trim()).catch(() => undefined);
  if (real === undefined) return; // the reader says the file does not exist
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (realRoot !== undefined && within(real, realRoot)) return;
  }
  throw new SessionLookupError(`${ref} is outside the allowed roots of this server (${roots.join(", ")}): pass a session id instead.`);
}
