// The server checked the workspace; a session that records another directory (swapped between the check and
// Codex's start) is stopped.
import type { CheckedDirectory } from "../contract/index.js";
import { workspaceDifference } from "../codex/workspace-identity.js";
import { isCodexWorktreePath } from "../codex/worktree.js";
import { openSession } from "../sessions/index.js";
import type { SupervisedRun } from "./supervised-run.js";

/** How long after its session is known a run's recorded workspace is looked for (then it is left alone). */
const WORKSPACE_WATCH_MS = 60_000;

/**
 * Reads the session's newest turn_context written after the run started (a resumed session's older turns
 * do not count) and stops the run when its workspace is not the checked directory.
 */
export async function stopIfWorkspaceSwapped(
  codexHome: string,
  run: SupervisedRun,
  checked: CheckedDirectory,
  worktree = false,
): Promise<void> {
  const since = run.startedAt.getTime();
  for (let waited = 0; waited < WORKSPACE_WATCH_MS && run.sessionId !== null && !run.outcome; waited += 250) {
    const context = await openSession(codexHome, run.sessionId).then(
      ({ model }) => model.lastContext,
      () => undefined,
    );
    if (context?.cwd !== undefined && Date.parse(context.timestamp ?? "") >= since) {
      // a worktree run works in the worktree Codex made for it, and nowhere else
      const difference = worktree
        ? isCodexWorktreePath(context.cwd, codexHome)
          ? undefined
          : `Codex worked in ${context.cwd}, not in a worktree of its own under ${codexHome}/worktrees`
        : await workspaceDifference(context.cwd, checked);
      if (difference !== undefined) await run.stop("wrong_workspace", `${difference}; the run was stopped.`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
