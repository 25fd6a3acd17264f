// The server factory: everything but the process. cli.ts connects it to stdio; tests connect it in memory.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { createRequire } from "node:module";
import { RunManager } from "./codex/runs.js";
import type { ServerConfig } from "./config.js";
import { registerTriagePrompt } from "./prompts/triage.js";
import { registerSessionResources } from "./resources/sessions.js";
import { registerTools } from "./tools/index.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

export function createServer(config: ServerConfig): { server: McpServer; runs: RunManager; cleanup: (reason?: string) => Promise<void> } {
  const server = new McpServer(
    { name: "codex-control-mcp", version },
    {
      instructions:
        "Delegate work to the OpenAI Codex CLI and find out what happened. run_codex starts a run (resume_session continues a session); a run that outlasts the wait answers `running` with a run_id: poll run_status, stop it with cancel_run. list_sessions, session_summary (what happened and why it failed), last_function_calls and token_usage read Codex's session logs.",
    },
  );
  const runs = new RunManager(config.runner);
  registerTools(server, { config, runs });
  registerTriagePrompt(server);
  registerSessionResources(server, { config, runs });
  return {
    server,
    runs,
    cleanup: async (reason = "the server is shutting down") => {
      await runs.shutdown(reason);
      await server.close();
    },
  };
}
