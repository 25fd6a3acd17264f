// Sessions as MCP resources, `codex://sessions/{id}`, for hosts that browse resources: each reads as its
// session_summary (JSON). The list is the newest sessions.
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { listSessions, sessionSummary, type SessionStore } from "../sessions/index.js";

const LISTED = 50;

export function registerSessionResources(server: McpServer, store: SessionStore): void {
  server.registerResource(
    "session",
    new ResourceTemplate("codex://sessions/{id}", {
      list: async () => {
        const { sessions } = await listSessions(store, { limit: LISTED, includeArchived: false });
        return {
          resources: sessions.map((session) => ({
            uri: `codex://sessions/${session.id}`,
            name: session.id,
            title: `${session.status}: ${(session.first_prompt ?? "(no prompt)").slice(0, 80)}`,
            mimeType: "application/json",
          })),
        };
      },
    }),
    { title: "Codex session", description: "A Codex session's summary: turns, errors, diagnosis and next step (the session_summary tool's result).", mimeType: "application/json" },
    async (uri, { id }) => {
      const summary = await sessionSummary(store, String(id), { reasoningLimit: 10 });
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(summary, null, 2) }] };
    },
  );
}
