// Sessions as MCP resources, `codex://sessions/{id}`, for hosts that browse resources: each reads as its
// session_summary (JSON). The list is the newest sessions.
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { ExplainedError } from "../shared/errors.js";
import { inline, quoted, wellFormed } from "../shared/text.js";
import { invocationOf, runFactsFor } from "../runs/run-facts.js";
import { askSession, listSessions, sessionIdFromPath } from "../sessions/index.js";
import type { ToolContext } from "../tools/context.js";

const LISTED = 50;

export function registerSessionResources(server: McpServer, { config, runs, sessions }: ToolContext): void {
  server.registerResource(
    "session",
    new ResourceTemplate("codex://sessions/{id}", {
      list: async () => {
        // a missing CODEX_HOME (or a file) listed as none read as "no sessions": the list fails with the reason
        // and its fix, as resources/read and list_sessions give it (the spec lets resources/list fail, -32603
        // for a cause on the server's side). A failure of the list itself is the caller's to see the same way.
        const { sessions: listed } = await listSessions(sessions, { limit: LISTED, includeArchived: false }).catch(
          (error: unknown) => {
            // anything else may carry a path from the disk: shown escaped, as the tools show it
            const reason =
              error instanceof ExplainedError
                ? error.message
                : inline(error instanceof Error ? error.message : String(error));
            throw Object.assign(new Error(wellFormed(reason)), { code: ErrorCode.InternalError });
          },
        );
        return {
          resources: listed.map((session) => ({
            // the URI names the session by its file's UUID, the name the reader finds it by (the id the log
            // states may differ, and need not be a UUID); the log's id is escaped in the name
            uri: `codex://sessions/${encodeURIComponent(sessionIdFromPath(session.path) ?? session.session_id)}`,
            // log text may hold half a character, which a host's parser may reject: whole characters (wellFormed)
            name: wellFormed(inline(session.session_id)),
            // the prompt is log text: quoted and escaped, so a title cannot pose as anything else
            title: wellFormed(`${session.status}: ${quoted(session.first_prompt, 80)}`),
            mimeType: "application/json",
          })),
        };
      },
    }),
    {
      title: "Codex session",
      description:
        "A Codex session's summary: turns, errors, diagnosis and next step (the session_summary tool's result).",
      mimeType: "application/json",
    },
    async (uri, { id }) => {
      // the same facts as the session_summary tool, so both give the same diagnosis
      const summary = await askSession(sessions, decodedId(String(id)), {
        kind: "summary",
        options: {
          reasoningLimit: 10,
          runFacts: (sessionId) => runFactsFor(runs, sessionId),
          invocation: invocationOf(config),
        },
      }).catch((error: unknown) => {
        // a URI naming no readable session is the caller's to fix, as the SDK's own "not found" is; an
        // internal error would read as a server bug. The SDK sends an error's code and message as they are
        // (an McpError's message would carry its "MCP error" prefix twice to the client).
        // its message may quote the id cut inside a character: whole characters only (wellFormed)
        throw error instanceof ExplainedError
          ? Object.assign(new Error(wellFormed(error.message)), { code: ErrorCode.InvalidParams })
          : error;
      });
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(summary, null, 2) }] };
    },
  );
}

/**
 * The template's {id} as the caller meant it: the SDK hands it over as written in the URI, percent-encoded
 * (RFC 6570 encodes a `/` of a rollout's path). One that does not decode (`%ZZ`) is looked up as written, and
 * refused as no session id there.
 */
function decodedId(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}
