import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ToolContext } from "./context.js";
import { askSession } from "../sessions/index.js";
import { renderUsage } from "../text/render.js";
import { answer, toolResult, withNote } from "./result.js";
import { sessionTokenUsageSchema } from "../sessions/views/usage.js";
import { sessionIdInput } from "./schemas.js";
import {
  liveRateLimitsLine,
  liveRateLimitsSchema,
  liveRateLimitsView,
  readLiveRateLimits,
  type LiveRateLimitsResult,
} from "../codex/app-server/index.js";
import { stringEnv } from "../shared/env.js";

const inputSchema = z.object({
  session_id: sessionIdInput,
  live: z
    .boolean()
    .default(false)
    .describe(
      "Also read the ChatGPT plan's live 5-hour and weekly windows now (starts a short-lived `codex app-server`, about a second; no model turn).",
    ),
});

const outputSchema = { ...sessionTokenUsageSchema.shape, live_rate_limits: liveRateLimitsSchema.nullable().optional() };

export function registerTokenUsageTool(server: McpServer, { config, sessions }: ToolContext): void {
  server.registerTool(
    "token_usage",
    {
      title: "Token usage of a Codex session",
      description:
        "Token totals of a Codex session from its own counters (input, cached input, output, reasoning, total; cache writes where the log counts some), per turn and for the last turn, how full the context window was, and the newest rate-limit readings the session logged (primary and secondary window: percent used, window length, reset time); with live: true, also the plan's windows as they are now (live_rate_limits). Sessions from CLIs that logged no counters get nulls and a note, never estimates.",
      inputSchema: inputSchema.shape,
      outputSchema: withNote(outputSchema),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ session_id, live }) =>
      answer("token_usage", async () => {
        const usage = await askSession(sessions, session_id, { kind: "usage" });
        if (!live) return toolResult(usage, renderUsage(usage));
        const { runner } = config;
        const limits = liveRateLimitsView(
          withFix(
            await readLiveRateLimits(runner.codexBin, runner.codexHome, stringEnv(runner.childEnv)),
            runner.codexBin,
          ),
        );
        return toolResult(
          { ...usage, live_rate_limits: limits },
          `${renderUsage(usage)}\nlive rate limits: ${liveRateLimitsLine(limits)}`,
        );
      }),
  );
}

/** `spawn codex ENOENT` names no fix: the binary is missing, and the server's option says which one it runs. */
function withFix(read: LiveRateLimitsResult, codexBin: string): LiveRateLimitsResult {
  if (read.state !== "unavailable" || !/\bENOENT\b/.test(read.reason)) return read;
  return {
    ...read,
    reason: `${read.reason} (no Codex CLI found as ${JSON.stringify(codexBin)}: install it, or start this server with --codex-bin <path> or CODEX_BIN=<path>)`,
  };
}
