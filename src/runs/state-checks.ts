// What doctor says about the state dir: whose it is, what a sandboxed run could reach of it and of
// CODEX_HOME, and which of its files were ignored (forged, broken, links).
import { checkStateDir, ignoredStateFiles } from "../contract/index.js";
import { reachOf, type ReachSettings } from "./operator-config.js";
import { hungRuns } from "./hung-supervisor.js";

export interface StateCheck {
  name: string;
  level: "ok" | "warn" | "fail";
  found: string;
  fix: string | null;
}

export async function stateChecks(settings: ReachSettings, readOnly: boolean): Promise<StateCheck[]> {
  const checks: StateCheck[] = [];
  const owner = await checkStateDir(settings.stateDir);
  if (owner !== undefined)
    checks.push({
      name: "state dir",
      level: "fail",
      found: owner,
      fix: `Use a directory only this user can write: chmod 700 ${settings.stateDir}, or --state-dir under your home.`,
    });
  if (!readOnly) {
    const reach = await reachOf(settings);
    if (reach.refusal !== undefined) {
      checks.push({ name: "sandbox reach", level: "fail", found: reach.findings.join("; "), fix: reach.refusal });
    } else if (reach.findings.length > 0) {
      checks.push({
        name: "sandbox reach",
        level: "warn",
        found: reach.findings.join("; "),
        fix: "Covered: sandboxed runs cannot write /tmp (or $TMPDIR) then, which some builds need. Keep CODEX_HOME and the state dir under your home (--state-dir) to give runs /tmp back.",
      });
    }
  }
  // a hung supervisor is stopped only when something looks at its run: until then its Codex runs on, unbounded
  for (const { runId, holder, hungAfter, lastBeat, started, slotFreedAt } of await hungRuns(settings.stateDir))
    checks.push({
      name: "hung run",
      level: "warn",
      found:
        slotFreedAt === null
          ? `run ${runId}: its supervisor (pid ${holder.pid}) is past its deadline ${hungAfter} with no end recorded, its last beat at ${lastBeat.toISOString()}: hung (stopped, or its event loop blocked); its Codex runs on with no timeout and it holds a slot`
          : // its Codex is gone and its slot free: what it holds is the run, `running` for every look until it is stopped
            `run ${runId}: its supervisor (pid ${holder.pid}) freed its slot at ${slotFreedAt}, its Codex gone, and is past its deadline ${hungAfter} with no end recorded, its last beat at ${lastBeat.toISOString()}: hung (stopped, or its event loop blocked); the run stays running until it is stopped`,
      // one hung before its start record is in no ledger: cancel_run and run_status answer that they know no such run
      fix: started
        ? `Call cancel_run with run_id ${runId} (or run_status for it): that stops the supervisor and every process of the run, and records the run's end.`
        : `Run ${runId} never recorded its start, so cancel_run and run_status do not know it: the next start_run with this state dir stops its supervisor and every process of the run first (a start stops hung supervisors before it counts the slots), and frees the slot.`,
    });
  const ignored = ignoredStateFiles();
  if (ignored.length > 0) {
    const newest = ignored.slice(-3).map((file) => `${file.path}: ${file.why}`);
    checks.push({
      name: "state files",
      level: "warn",
      found: `${ignored.length} file(s) or record(s) of the state dir were ignored since this process started (newest: ${newest.join("; ")})`,
      fix: "Something other than this server wrote them: find out what, and remove them.",
    });
  }
  return checks;
}
