import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { RUN_STATUSES } from "../sessions/views/closed-sets.js";
import type { ServerConfig } from "../config/config.js";
import { answerAskingApprovals } from "./approval-bridge.js";
import type { ToolContext } from "./context.js";
import { refuseWithoutCredentials } from "./credentials.js";
import { answer, withNote } from "./result.js";
import {
  configInput,
  engineInput,
  modeInput,
  reasoningEffortInput,
  runViewShape,
  timeoutInput,
  waitInput,
} from "./run-result.js";

/** The input, with the timeout and wait this server's operator set. */
function inputSchemaOf(config: ServerConfig) {
  return z.object({
    prompt: z
      .string()
      .min(1)
      .max(1_000_000)
      .describe("The task for Codex. Passed on stdin, so any text is safe (leading dashes, quotes, newlines)."),
    cwd: z.string().min(1).max(4096).describe("Absolute path of the existing directory Codex works in."),
    mode: modeInput.default("sandboxed"),
    model: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("Model to use; omitted means Codex's own configured default."),
    reasoning_effort: reasoningEffortInput.optional(),
    profile: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("A Codex config profile name (`--profile`); only if the operator allowed profiles (--allow-profile)."),
    config: configInput.optional(),
    timeout_ms: timeoutInput(config.runner).optional(),
    background: z
      .boolean()
      .default(false)
      .describe(
        "Answer at once (as soon as the session id is known) and let the run go on; follow it with run_status.",
      ),
    wait_ms: waitInput(config.waitMs).optional(),
    engine: engineInput(config.runner.engine ?? "exec").optional(),
    skip_git_repo_check: z.boolean().default(false).describe("Let Codex run outside a git repository."),
    output_schema: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("JSON Schema the final message must follow (`--output-schema`); the final message is then JSON text."),
    images: z
      .array(z.string().min(1).max(4096))
      .max(20)
      .optional()
      .describe("Absolute paths of images to attach to the prompt."),
    allow_concurrent: z
      .boolean()
      .default(false)
      .describe(
        "Allow this run to write in a directory where another run (of any server sharing this state dir) is writing.",
      ),
    worktree: z
      .boolean()
      .default(false)
      .describe(
        "Let Codex make a git worktree of its own for this run (`codex exec --worktree`, detached at the current commit, under CODEX_HOME/worktrees) and work there: parallel writers in one repository do not trample each other. The result's `worktree` names it; resume_session continues there.",
      ),
  });
}

export function registerRunCodexTool(server: McpServer, { config, runs }: ToolContext): void {
  server.registerTool(
    "run_codex",
    {
      title: "Run Codex",
      description:
        'Delegates a task to the OpenAI Codex CLI (`codex exec`, or with engine "app-server" `codex app-server`: steerable with steer_run, its approvals asked of a person in mode "ask") in a directory, sandboxed by default, with a hard timeout. Waits up to wait_ms (default ' +
        config.waitMs +
        " ms on this server, under a host's 60 s tool timeout), then answers `running` with a run_id while the run goes on (poll run_status; cancel_run stops it). Returns status (" +
        RUN_STATUSES.join(", ") +
        "), the session id, the final message, exit code, token usage, the error with Codex's own words, the settings Codex really used, and the exact resume command.",
      inputSchema: inputSchemaOf(config).shape,
      outputSchema: withNote(runViewShape),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    (input, extra) =>
      answer("run_codex", async () => {
        const began = Date.now();
        await refuseWithoutCredentials(server, config, input);
        const runId = await runs.start({
          signal: extra.signal,
          prompt: input.prompt,
          cwd: input.cwd,
          mode: input.mode,
          skipGitRepoCheck: input.skip_git_repo_check,
          allowConcurrent: input.allow_concurrent,
          worktree: input.worktree,
          model: input.model,
          reasoningEffort: input.reasoning_effort,
          profile: input.profile,
          config: input.config,
          timeoutMs: input.timeout_ms,
          engine: input.engine,
          outputSchema: input.output_schema,
          images: input.images,
        });
        return answerAskingApprovals(
          server,
          config,
          runs,
          runId,
          { background: input.background, waitMs: input.wait_ms, began },
          extra,
        );
      }),
  );
}
