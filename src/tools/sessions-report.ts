import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { join } from "node:path";
import { z } from "zod";
import type { ToolContext } from "./context.js";
import { loadPrices, SessionLookupError, sessionsReport } from "../sessions/index.js";
import { codexHomeProblem } from "../sessions/codex-home.js";
import { renderReport } from "../sessions/report/render.js";
import { REPORT_GROUPS, sessionsReportSchema } from "../sessions/report/view.js";
import { answer, toolResult, withNote } from "./result.js";
import { knownArguments } from "./schemas.js";

const inputSchema = knownArguments(
  "sessions_report",
  {
    since: z
      .string()
      .max(64)
      .optional()
      .describe(
        "Only turns that started at or after this time (a session resumed later counts with the turns it ran since, its failure if its last turn is in range): ISO 8601 (2026-11-23, 2026-11-23T10:00:00Z; a date, or a time without a zone, is UTC) or a span back from now (7d, 24h).",
      ),
    until: z
      .string()
      .max(64)
      .optional()
      .describe(
        "Only turns that started before this time (a date alone includes that whole day; a date, or a time without a zone, is UTC).",
      ),
    cwd: z
      .string()
      .max(4096)
      .optional()
      .describe("Only sessions whose working directory is this directory or inside it (absolute path)."),
    model: z
      .string()
      .max(200)
      .optional()
      .describe(
        "Only sessions a turn of which ran this model, as Codex records it (e.g. gpt-5.1-codex; without a provider prefix it also takes openai/gpt-5.1-codex and the like), and of them only that model's usage (what its row grouped by model counts).",
      ),
    include_archived: z.boolean().default(false).describe("Also report sessions in archived_sessions/."),
    group_by: z
      .enum(REPORT_GROUPS)
      .default("day")
      .describe(
        `One row per ${REPORT_GROUPS.join(", ")} (days and weeks are UTC, by the day each turn ran; weeks start on Monday).`,
      ),
  },
  { limit: "list_sessions takes limit" },
);

export function registerSessionsReportTool(server: McpServer, { config, runs, sessions }: ToolContext): void {
  server.registerTool(
    "sessions_report",
    {
      title: "Report across Codex sessions",
      description:
        "Usage and outcomes across many Codex sessions in one call: rows grouped by day, week, month, model, cwd or diagnosis category, each with sessions, turns, sessions by diagnosis category, tokens (a fork's or sub-agent's inherited history counted once, in its parent), an estimated cost in USD from list prices, and wall time; plus the recurring failures (the same error, ids and numbers normalised away, with its count, first and last seen and a few session ids). Use it to answer \"what failed this week, why, and what did it cost\"; then session_summary on a session id it names.",
      inputSchema,
      outputSchema: withNote(sessionsReportSchema.shape),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (input) =>
      answer("sessions_report", async () => {
        // the operator's price overrides, if any, live in the state dir (docs/fleet.md)
        const prices = await loadPrices(join(config.runner.stateDir, "prices.json"), { optional: true });
        const report = await sessionsReport(
          sessions,
          {
            since: input.since,
            until: input.until,
            cwd: input.cwd,
            model: input.model,
            includeArchived: input.include_archived,
            groupBy: input.group_by,
          },
          {
            prices,
            stateDir: config.runner.stateDir,
            // a server is asked again: it keeps the folders' listings, trusted until a change notification
            watch: true,
            runningSessions: () => runs.registry.runningSessions(),
          },
        );
        // a missing CODEX_HOME, or a file, read as "0 sessions": list_sessions names it (one stat, only then)
        const problem = report.scanned_files === 0 ? await codexHomeProblem(config.codexHome) : null;
        if (problem !== null) throw new SessionLookupError(problem);
        return toolResult(report, renderReport(report));
      }),
  );
}
