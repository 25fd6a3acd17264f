// The one list of tools this server offers. Adding a tool: its file, and one line here.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerCancelRunTool } from "./cancel-run.js";
import type { ToolContext } from "./context.js";
import { registerDoctorTool } from "./doctor.js";
import { registerLastFunctionCallsTool } from "./last-function-calls.js";
import { registerListSessionsTool } from "./list-sessions.js";
import { registerRespondApprovalTool } from "./respond-approval.js";
import { registerResumeSessionTool } from "./resume-session.js";
import { registerReviewChangesTool } from "./review-changes.js";
import { registerRunCodexTool } from "./run-codex.js";
import { registerRunStatusTool } from "./run-status.js";
import { registerSessionSummaryTool } from "./session-summary.js";
import { registerSessionsReportTool } from "./sessions-report.js";
import { registerSteerRunTool } from "./steer-run.js";
import { registerTokenUsageTool } from "./token-usage.js";

export function registerTools(server: McpServer, context: ToolContext): void {
  registerListSessionsTool(server, context);
  registerSessionSummaryTool(server, context);
  registerLastFunctionCallsTool(server, context);
  registerTokenUsageTool(server, context);
  registerSessionsReportTool(server, context);
  registerRunStatusTool(server, context);
  registerDoctorTool(server, context);
  // the operator's --read-only switch: no tool that starts or stops Codex exists at all
  if (context.config.readOnly) return;
  registerRunCodexTool(server, context);
  registerResumeSessionTool(server, context);
  registerCancelRunTool(server, context);
  registerReviewChangesTool(server, context);
  registerSteerRunTool(server, context);
  registerRespondApprovalTool(server, context);
}
