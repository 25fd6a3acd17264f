import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { renderList } from "../text/render.js";
import type { ToolContext } from "./context.js";
import { listSessions } from "../sessions/index.js";
import { answer, toolResult, withNote } from "./result.js";
import { cwdFilterInput, knownArguments } from "./schemas.js";
import { TURN_STATUSES } from "../sessions/views/closed-sets.js";
import { sessionListingSchema } from "../sessions/views/list.js";
import { filterTime } from "../sessions/report/filters.js";
import { inline } from "../shared/text.js";

const inputSchema = knownArguments(
  "list_sessions",
  {
    limit: z.number().int().min(1).max(500).default(20).describe("How many sessions to return, newest first (1–500)."),
    cwd: cwdFilterInput
      .optional()
      .describe("Only sessions whose working directory is this directory or inside it (absolute path)."),
    since: z
      .string()
      .max(64)
      .optional()
      .describe(
        "Only sessions written at or after this time: ISO 8601 (2026-11-23 or 2026-11-23T10:00:00Z; a date, and a time without a zone, are UTC) or a span back from now (7d, 24h), as sessions_report takes it.",
      ),
    include_archived: z.boolean().default(false).describe("Also list sessions in archived_sessions/."),
  },
  { until: "sessions_report takes until", model: "sessions_report takes model" },
);

const listedSessionSchema = sessionListingSchema.extend({
  running_run_id: z
    .string()
    .nullable()
    .describe("A run (of any server sharing this state dir) still running this session: follow it with run_status."),
});

const outputSchema = {
  codex_home: z.string(),
  sessions: z.array(listedSessionSchema),
  scanned: z.number(),
  home_note: z
    .string()
    .nullable()
    .describe(
      "Why nothing was found when CODEX_HOME has no sessions/ folder (a new home, or CODEX_HOME set to the wrong folder); else null.",
    ),
  unreadable_folders: z
    .array(z.string())
    .describe(
      "Session folders met that could not be listed, each with why (its error code): their sessions are missing from this list. Make them readable by this user.",
    ),
};

export function registerListSessionsTool(server: McpServer, { config, runs, sessions: store }: ToolContext): void {
  server.registerTool(
    "list_sessions",
    {
      title: "List Codex sessions",
      description: `Lists Codex CLI sessions from CODEX_HOME, newest first (from the newest days, most recently written first): session_id, start and last-write time, working directory, CLI version, model, first prompt and how the last turn ended (${TURN_STATUSES.join(", ")}), and running_run_id when a run is still running it. Use it to find the session to inspect with session_summary.`,
      inputSchema,
      outputSchema: withNote(outputSchema),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ limit, cwd, since, include_archived }) =>
      answer("list_sessions", async () => {
        // the report's parser: a bad value is an ExplainedError naming the forms taken (an isError answer)
        const sinceIso =
          since !== undefined ? new Date(filterTime("since", since, Date.now(), false)).toISOString() : undefined;
        const { sessions, scanned, unreadable_folders, home_note } = await listSessions(store, {
          limit,
          includeArchived: include_archived,
          // a server: the folders and stats the report's watched index keeps, not a stat per old log each call
          watch: true,
          ...(cwd !== undefined && { cwd }),
          ...(sinceIso !== undefined && { since: sinceIso }),
        });
        // an unfinished last turn may be a run in progress, not a crash
        const listed = await Promise.all(
          sessions.map(async (session) => {
            const run =
              session.status === "incomplete" ? await runs.registry.findBySession(session.session_id) : undefined;
            return { ...session, running_run_id: run?.status === "running" ? run.run_id : null };
          }),
        );
        const running = listed
          .filter((session) => session.running_run_id !== null)
          .map((session) => `Running now: session ${session.session_id} (run ${session.running_run_id}).`);
        return toolResult(
          { codex_home: config.codexHome, sessions: listed, scanned, home_note, unreadable_folders },
          [
            renderList(config.codexHome, sessions, unreadable_folders),
            ...(home_note !== null ? [inline(home_note)] : []),
            ...running,
          ].join("\n"),
        );
      }),
  );
}
