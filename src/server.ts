// The server factory: everything but the process. cli.ts connects it to stdio; tests connect it in memory.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { createRequire } from "node:module";
import { RunManager } from "./runs/run-manager.js";
import { sessionStoreOf, type ServerConfig } from "./config/config.js";
import { registerTriagePrompt } from "./prompts/triage.js";
import { registerSessionResources } from "./resources/sessions.js";
import { answerUnknownUris } from "./resources/unknown-uris.js";
import { listedTools, serveBuiltToolList, type BuiltLists } from "./tools/built-list.js";
import { serveHostSafeSchemas } from "./tools/host-schemas.js";
import { registerTools } from "./tools/index.js";
import { answerInvalidParams } from "./tools/invalid-params.js";
import { answerUnknownNames } from "./tools/unknown-names.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const READING =
  "list_sessions, session_summary (what happened and why it failed), last_function_calls and token_usage read Codex's session logs.";

/** What the server tells a host it offers: only the tools this configuration registers. */
export function serverInstructions(config: ServerConfig): string {
  if (config.readOnly) {
    return `Find out what the OpenAI Codex CLI did. ${READING} run_status shows runs other servers sharing this state dir started. This server is read-only: it starts and stops no runs.`;
  }
  return `Delegate work to the OpenAI Codex CLI and find out what happened. run_codex starts a run (resume_session continues a session); a run that outlasts the wait (${config.waitMs} ms) answers \`running\` with a run_id: poll run_status, stop it with cancel_run. A run with engine "app-server" can be redirected mid-turn (steer_run) and, in mode "ask", asks a person for its approvals. ${READING}`;
}

export function createServer(config: ServerConfig): {
  server: McpServer;
  runs: RunManager;
  cleanup: (reason?: string) => Promise<void>;
} {
  const server = new McpServer(
    { name: "codex-control-mcp", version },
    {
      instructions: serverInstructions(config),
    },
  );
  // this server's session caches and saved folds: nothing is shared with another server in this process
  const sessions = sessionStoreOf(config);
  const runs = new RunManager(config.runner, sessions);
  registerTools(server, { config, runs, sessions });
  serveHostSafeSchemas(server);
  serveBuiltToolList(server, config);
  registerTriagePrompt(server);
  registerSessionResources(server, { config, runs, sessions });
  answerUnknownUris(server);
  answerUnknownNames(
    server,
    config.readOnly ? " This server is read-only (--read-only): it starts and stops no Codex runs." : "",
  );
  // last: it wraps the handlers registered above
  answerInvalidParams(server);
  return {
    server,
    runs,
    cleanup: async (reason = "the server is shutting down") => {
      await runs.shutdown(reason);
      await server.close();
    },
  };
}

/** The tools/list answers the build saves beside the code (tools/built-list.ts), one per configuration given. */
export async function toolListsToBuild(configs: ServerConfig[]): Promise<BuiltLists> {
  const lists: BuiltLists = [];
  for (const config of configs) {
    const { server, cleanup } = createServer(config);
    lists.push(await listedTools(server, config));
    await cleanup();
  }
  return lists;
}
