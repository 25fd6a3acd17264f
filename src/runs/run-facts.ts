// The one adapter between the runner and the diagnosis engine (src/sessions): what the newest run of a
// session reported, as plain data, and how the server invokes Codex. The facts come from the run registry, so
// a run any process of the state dir started counts (alive while its supervisor follows it); the tool, the CLI
// and the resource all get their facts here, so they give the same answer.
import { invocationOfRun, type Invocation, type RunFacts } from "../sessions/index.js";
import type { RunManager } from "./run-manager.js";

/** The newest run of the session, by any process of this state dir; a run whose supervisor died is settled first. */
export async function runFactsFor(runs: RunManager, sessionId: string): Promise<RunFacts | undefined> {
  const view = await runs.registry.findBySession(sessionId);
  if (!view) return undefined;
  const latest = view.recent_events.at(-1);
  return {
    runId: view.run_id,
    status: view.status,
    // the registry answers `running` only while the run's supervisor is proven to follow it
    alive: view.status === "running",
    startedAt: view.started_at,
    endedAt: view.ended_at,
    error: view.error,
    errors: [...view.errors],
    stderrTail: view.stderr_tail,
    skipGitRepoCheck: (await runs.registry.skippedGitCheck(sessionId)) ?? false,
    activity: latest ? { at: latest.at, message: latest.message } : null,
    typedError: view.error_info
      ? { kind: view.error_info.kind, httpStatus: view.error_info.http_status, message: view.error_info.message }
      : null,
    approvalsTimedOut: (view.approvals ?? [])
      .filter((entry) => entry.status === "timed_out")
      .map(
        (entry) =>
          `approval ${entry.approval_id} (${entry.kind} ${JSON.stringify(entry.summary.slice(0, 200))}) was declined: nobody answered in time`,
      ),
  };
}

/** CODEX_HOME and the binary for pasteable commands, named only when they are not Codex's defaults. */
export function invocationOf(config: {
  codexHome: string;
  readOnly: boolean;
  runner: { codexBin: string };
}): Invocation {
  const { skipGitRepoCheck: _perRun, ...invocation } = invocationOfRun(config.codexHome, [config.runner.codexBin]);
  return { ...invocation, reader: config.readOnly ? "read-only agent" : "agent" };
}
