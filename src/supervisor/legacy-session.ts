// ≤0.41 never print the session id: it is the rollout that appears for this directory after the start.
import { edgeEvents, listRolloutFiles } from "../sessions/index.js";

/** Call before spawning: the finder then names the first rollout for `cwd` that was not there before. */
export async function newSessionFinder(codexHome: string, cwd: string): Promise<() => Promise<string | undefined>> {
  const before = new Set((await listRolloutFiles(codexHome, { includeArchived: false })).map((file) => file.path));
  return async () => {
    for (const file of await listRolloutFiles(codexHome, { includeArchived: false })) {
      if (before.has(file.path)) continue;
      const { events } = await edgeEvents(file.path, "head", 64 * 1024);
      const meta = events.find((event) => event.line === 1);
      if (meta?.kind === "meta" && (meta.cwd === undefined || meta.cwd === cwd)) return meta.id;
    }
    return undefined;
  };
}
