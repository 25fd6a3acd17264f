// `codex-control-mcp report`: the sessions_report tool for people (the same report; --json prints its structuredContent).
import { join } from "node:path";
import { RunManager } from "../runs/run-manager.js";
import { loadPrices, sessionsReport } from "../sessions/index.js";
import { renderReport } from "../sessions/report/render.js";
import { REPORT_GROUPS, type ReportGroup } from "../sessions/report/view.js";
import { ExplainedError } from "../shared/errors.js";
import { sessionStoreOf } from "../config/config.js";
import { UsageError, type Command } from "./index.js";

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
    const runs = new RunManager(config.runner);
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
          isRunning: async (id) => (await runs.registry.findBySession(id))?.status === "running",
        },
      );
      process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : renderReport(report)}\n`); // stdout-ok: the CLI's own output
      return 0;
    } catch (error) {
      // a bad filter or prices file is the caller's to fix: wrong usage
      if (error instanceof ExplainedError) throw new UsageError(error.message);
      throw error;
    }
  },
};
