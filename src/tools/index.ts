// The one list of tools this server offers. Adding a tool: its file, and one line here.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ServerConfig } from "../config.js";
import { registerLastFunctionCallsTool } from "./last-function-calls.js";
import { registerListSessionsTool } from "./list-sessions.js";
import { registerSessionSummaryTool } from "./session-summary.js";
import { registerTokenUsageTool } from "./token-usage.js";

export function registerTools(server: McpServer, config: ServerConfig): void {
  registerListSessionsTool(server, config);
  registerSessionSummaryTool(server, config);
  registerLastFunctionCallsTool(server, config);
  registerTokenUsageTool(server, config);
}
