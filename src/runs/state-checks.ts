// What doctor says about the state dir: whose it is, what a sandboxed run could reach of it and of
// CODEX_HOME, and which of its files were ignored (forged, broken, links).
import { checkStateDir, ignoredStateFiles } from "../contract/index.js";
import { reachOf, type ReachSettings } from "./operator-config.js";

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
