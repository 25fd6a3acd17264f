import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { doctor, doctorReportSchema, renderDoctor } from "../doctor/doctor.js";
import type { ToolContext } from "./context.js";
import { answer, toolResult, withNote } from "./result.js";

export function registerDoctorTool(server: McpServer, { config, runs }: ToolContext): void {
  server.registerTool(
    "doctor",
    {
      title: "Check the setup",
      description:
        "Checks whether delegation to Codex will work here: the Codex CLI's path, version and capabilities (resume, --json generation, sandbox flags), CODEX_HOME and its session count, whether Codex runs will have credentials (an API key in the environment they get, or Codex's own login) and whether the model endpoint answers, Codex config that would start this server recursively or that newer Codex rejects, and this server's policy switches. Each problem comes with its fix.",
      inputSchema: {},
      outputSchema: withNote(doctorReportSchema.shape),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    () =>
      answer("doctor", async () => {
        const report = await doctor(config, runs, { host: server.server.getClientVersion()?.name });
        return toolResult(report, renderDoctor(report));
      }),
  );
}
