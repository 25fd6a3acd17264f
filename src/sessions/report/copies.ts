// Two files of one session: a `.jsonl.zst` beside its plain `.jsonl` while Codex compresses it, or a copy in
// archived_sessions/ beside the live one (both fall in the same day of the report). The report counts one,
// as resolving a session does: the live copy, the plain file (docs/codex-formats: prefer the plain file).
import type { RolloutFile } from "../locate.js";

/** The paths of the copies a report leaves out: each session's file other than its preferred one. */
export function secondCopies(files: readonly RolloutFile[]): Set<string> {
  const preferred = new Map<string, { path: string; rank: number }>();
  for (const file of files) {
    const id = file.id;
    const rank = (file.archived ? 2 : 0) + (file.path.endsWith(".zst") ? 1 : 0);
    const kept = preferred.get(id);
    if (!kept || rank < kept.rank) preferred.set(id, { path: file.path, rank });
  }
  const left = new Set<string>();
  if (preferred.size === files.length) return left;
  for (const file of files) if (preferred.get(file.id)?.path !== file.path) left.add(file.path);
  return left;
}
