// The server factory: everything but the process. cli.ts connects it to stdio; tests connect it in memory.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { createRequire } from "node:module";
import type { ServerConfig } from "./config.js";
import { registerTools } from "./tools/index.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

export const SERVER_VERSION = version;

export function createServer(config: ServerConfig): { server: McpServer; cleanup: () => Promise<void> } {
  const server = new McpServer(
    { name: "codex-control-mcp", version },
    {
      instructions:
        "Inspect OpenAI Codex CLI sessions: list_sessions to find one, session_summary for what happened and why it failed, last_function_calls for the commands it ran, token_usage for tokens and rate limits.",
    },
  );
  registerTools(server, config);
  return { server, cleanup: async () => server.close() };
}
