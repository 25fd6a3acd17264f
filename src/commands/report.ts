// `codex-control-mcp report`: the sessions_report tool for people (the same report; --json prints its structuredContent).
import { join } from "node:path";
import { loadPrices, sessionsReport } from "../sessions/index.js";
import { renderReport } from "../sessions/report/render.js";
import { REPORT_GROUPS, type ReportGroup } from "../sessions/report/view.js";
import { ExplainedError } from "../shared/errors.js";
import { sessionStoreOf, type ServerConfig } from "../config/config.js";
import { hasLedger } from "../contract/ledger-file.js";
import { codexHomeProblem } from "../sessions/codex-home.js";
import { fail, runOne, UsageError, type Command } from "./command.js";

/** The filters over sessions that `report` and `export` share (the sessions_report tool's since/until/cwd/model/include_archived). */
export const SESSION_FILTERS = {
  since: { type: "string" },
  until: { type: "string" },
  cwd: { type: "string" },
  model: { type: "string" },
  archived: { type: "boolean" },
} as const;

export const reportCommand: Command = {
  usage: `report [--since 7d|ISO] [--until ISO] [--cwd DIR] [--model M] [--by ${REPORT_GROUPS.join("|")}] [--archived] [--prices FILE] [--json]\n  Sessions, turns, outcomes, tokens and estimated cost across sessions, grouped; and the failures that recur.`,
  options: {
    ...SESSION_FILTERS,
    by: { type: "string" },
    prices: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
  positionals: 0,
  async run(values, _positionals, config) {
    const by = typeof values.by === "string" ? values.by : "day";
    if (!(REPORT_GROUPS as readonly string[]).includes(by))
      throw new UsageError(`--by "${by}" is not one of ${REPORT_GROUPS.join(", ")}.`);
    const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
    const store = sessionStoreOf(config);
    try {
      const pricesFile = text("prices");
      const prices = await loadPrices(pricesFile ?? join(config.runner.stateDir, "prices.json"), {
        optional: pricesFile === undefined,
      });
      const report = await sessionsReport(
        store,
        {
          since: text("since"),
          until: text("until"),
          cwd: text("cwd"),
          model: text("model"),
          includeArchived: values.archived === true,
          groupBy: by as ReportGroup,
        },
        {
          prices,
          stateDir: config.runner.stateDir,
          runningSessions: runningIn(config),
        },
      );
      const problem = await homeProblem(config, report.scanned_files);
      if (problem !== null) return fail(problem, 1);
      process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : renderReport(report)}\n`); // stdout-ok: the CLI's own output
      return 0;
    } catch (error) {
      // a bad filter or prices file is the caller's to fix: wrong usage
      if (error instanceof ExplainedError) throw new UsageError(error.message);
      throw error;
    }
  },
};

/**
 * `codex-control-mcp report …` (cli.ts sends it here, not through the list of commands): a cold report is
 * timed beside ccusage, so it loads only its own modules; the run ledger only when a recent session ended
 * unfinished (is a run of ours still writing it?).
 */
export function runReport(args: string[], config: ServerConfig): Promise<number> {
  return runOne(reportCommand, args, config);
}

/**
 * What is wrong with CODEX_HOME when a report found no log in it (`report`, `export`): a home that is missing
 * or a file read as "0 sessions", exit 0, where `sessions` names the typo. One stat, only when nothing was found.
 */
export async function homeProblem(config: ServerConfig, scanned: number): Promise<string | null> {
  return scanned === 0 ? codexHomeProblem(config.codexHome) : null;
}

/** The sessions a run of this state dir still runs (`report` and `export`). */
export function runningIn(config: ServerConfig): () => Promise<ReadonlySet<string>> {
  return async () => {
    // no ledger, no run of this state dir: the run wing is not loaded for nothing
    if (!hasLedger(config.runner.stateDir)) return new Set();
    const { RunManager } = await import("../runs/run-manager.js");
    return new RunManager(config.runner).registry.runningSessions();
  };
}
