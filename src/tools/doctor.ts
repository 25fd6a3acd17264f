import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { CREDENTIAL_SOURCES } from "../codex/credentials.js";
import { doctor, renderDoctor } from "../doctor.js";
import type { ToolContext } from "./context.js";
import { answer, toolResult, withNote } from "./result.js";

const level = z.enum(["ok", "warn", "fail"]);

const outputSchema = {
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), level, found: z.string(), fix: z.string().nullable() })),
  codex: z.object({
    path: z.string(),
    version: z.string().nullable(),
    json_stream: z.string().nullable(),
    can_resume: z.boolean().nullable(),
    sandbox_flag: z.boolean().nullable(),
    full_auto_flag: z.boolean().nullable(),
  }),
  codex_home: z.object({ path: z.string(), exists: z.boolean(), sessions: z.number() }),
  credentials: z.object({
    provider: z.string(),
    source: z.enum(CREDENTIAL_SOURCES),
    variable: z.string().nullable(),
    endpoint: z.string(),
    endpoint_answers: z.boolean().nullable(),
  }),
  policy: z.object({
    read_only: z.boolean(),
    allow_full_access: z.boolean(),
    allowed_roots: z.array(z.string()),
    env_allowlist: z.boolean(),
    max_concurrent: z.number(),
    wait_ms: z.number(),
    state_dir: z.string(),
  }),
};

export function registerDoctorTool(server: McpServer, { config, runs }: ToolContext): void {
  server.registerTool(
    "doctor",
    {
      title: "Check the setup",
      description:
        "Checks whether delegation to Codex will work here: the Codex CLI's path, version and capabilities (resume, --json generation, sandbox flags), CODEX_HOME and its session count, whether Codex runs will have credentials (an API key in the environment they get, or Codex's own login) and whether the model endpoint answers, Codex config that would start this server recursively or that newer Codex rejects, and this server's policy switches. Each problem comes with its fix.",
      inputSchema: {},
      outputSchema: withNote(outputSchema),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    () =>
      answer("doctor", async () => {
        const report = await doctor(config, runs, { host: server.server.getClientVersion()?.name });
        return toolResult(report, renderDoctor(report));
      }),
  );
}
