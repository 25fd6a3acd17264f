// The one adapter between the runner (src/codex) and the diagnosis engine (src/sessions): what the newest run of
// a session reported, as plain data, and how the server invokes Codex. The tool, the CLI and the resource all
// get their facts here, so they give the same answer.
import { homedir } from "node:os";
import { join } from "node:path";
import type { LedgerRun } from "./codex/ledger.js";
import type { CodexRun } from "./codex/run.js";
import type { RunManager } from "./codex/runs.js";
import type { ServerConfig } from "./config.js";
import type { Invocation, RunFacts } from "./sessions/index.js";

const SKIP_GIT = "--skip-git-repo-check";

/** The newest run of the session: live in this process, else from the ledger (this server's or an earlier one's). */
export async function runFactsFor(runs: RunManager, sessionId: string): Promise<RunFacts | undefined> {
  const live = runs.findBySession(sessionId);
  if (live) return liveFacts(live);
  const recorded = await runs.ledger.findBySession(sessionId);
  return recorded ? ledgerFacts(recorded) : undefined;
}

function liveFacts(run: CodexRun): RunFacts {
  return {
    runId: run.options.runId,
    status: run.status,
    alive: run.outcome === null,
    startedAt: run.startedAt.toISOString(),
    endedAt: run.endedAt?.toISOString() ?? null,
    error: run.outcome?.error ?? null,
    errors: [...run.errors],
    stderrTail: run.stderrTail,
    skipGitRepoCheck: run.options.argv.includes(SKIP_GIT),
  };
}

function ledgerFacts({ start, end }: LedgerRun): RunFacts {
  // no end: the run is alive only while the server that follows it is (or its process group outlived it)
  const alive = end === null && (processAlive(start.server_pid) || groupAlive(start.pgid));
  return {
    runId: start.run_id,
    status: end?.status ?? "running",
    alive,
    startedAt: start.at,
    endedAt: end?.at ?? null,
    error: end?.error ?? null,
    errors: end?.errors ?? [],
    stderrTail: end?.stderr_tail ?? "",
    skipGitRepoCheck: start.argv.includes(SKIP_GIT),
  };
}

/** CODEX_HOME and the binary for pasteable commands, named only when they are not Codex's defaults. */
export function invocationOf(config: ServerConfig): Invocation {
  return {
    codexHome: config.codexHome !== join(homedir(), ".codex") ? config.codexHome : undefined,
    codexBin: config.runner.codexBin !== "codex" ? config.runner.codexBin : undefined,
  };
}

function processAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function groupAlive(pgid: number | null): boolean {
  return pgid !== null && pgid > 0 && processAlive(-pgid);
}
