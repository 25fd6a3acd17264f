// The credentials gate of run_codex and resume_session, in the calling host's terms.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { requireCredentials } from "../codex/credentials.js";
import { flattenConfig, refuseCallerSettings, RunRefusedError } from "../runs/run-policy.js";
import type { ServerConfig } from "../config/config.js";
import type { Engine } from "../codex/run-modes.js";

export function refuseWithoutCredentials(
  server: McpServer,
  config: ServerConfig,
  call: {
    profile?: string;
    config?: Record<string, unknown>;
    engine?: Engine;
    cwd?: string;
    /** A resume's session's own provider (resume-settings.ts), which the run passes unless its config names one. */
    sessionProvider?: string | undefined;
  },
): Promise<void> {
  // settings a caller may not make are refused for that reason first: their credentials are beside the point
  const refusal = refuseCallerSettings(call, config.runner);
  if (refusal !== undefined) return Promise.reject(new RunRefusedError(refusal));
  const override = call.config?.model_provider ?? call.sessionProvider;
  return requireCredentials({
    runEnv: config.runner.childEnv,
    serverEnv: process.env,
    codexHome: config.runner.codexHome,
    profile: call.profile,
    providerOverride: typeof override === "string" ? override : undefined,
    // every key the run passes as `-c`: an operator may allow `model_providers` or `forced_login_method`
    overrides: flattenConfig(call.config ?? {}),
    cwd: call.cwd,
    host: server.server.getClientVersion()?.name,
    // the engine the run will use: `codex app-server` reads no key from the environment
    engine: call.engine ?? config.runner.engine ?? "exec",
  });
}
