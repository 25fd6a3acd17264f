import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { MODE_OF_SANDBOX } from "../codex/run-modes.js";
import { isSandboxMode } from "../sessions/views/closed-sets.js";
import { openSession, SessionLookupError } from "../sessions/index.js";
import type { ServerConfig } from "../config/config.js";
import { answerAskingApprovals } from "./approval-bridge.js";
import type { ToolContext } from "./context.js";
import { refuseWithoutCredentials } from "./credentials.js";
import { answer, toolError, withNote } from "./result.js";
import {
  configInput,
  engineInput,
  modeInput,
  reasoningEffortInput,
  runViewShape,
  timeoutInput,
  waitInput,
} from "./run-result.js";
import { sessionIdInput } from "./schemas.js";
import { SESSION_UUID } from "../shared/ids.js";
import { MAX_NAME_CHARS } from "../runs/run-policy.js";
import { resumeSettingsOf } from "../runs/resume-settings.js";
import { isCodexWorktreePath } from "../codex/worktree.js";

/** The answer: the run, and what of the session's settings does not go on. */
const resumeShape = {
  ...runViewShape,
  resume_note: z
    .string()
    .nullable()
    .describe(
      "What of the session's model, reasoning effort and model provider does not go on, and why: the session's log names no model, or a model or effort that cannot be passed to Codex, so Codex's default is used. null: the ones asked, or else those of the session's last turn, were passed.",
    ),
};

/** The input, with the timeout and wait this server's operator set. */
function inputSchemaOf(config: ServerConfig) {
  return z.object({
    session_id: sessionIdInput,
    prompt: z.string().min(1).max(1_000_000).describe("What Codex should do next in that session."),
    mode: modeInput.optional().describe("Sandbox for the new turn; omitted means the session's previous sandbox."),
    model: z
      .string()
      .min(1)
      .max(MAX_NAME_CHARS)
      .optional()
      .describe("Model for the new turn; omitted means the model of the session's last turn."),
    reasoning_effort: reasoningEffortInput
      .optional()
      .describe("Reasoning effort for the new turn; omitted means the session's last turn's."),
    config: configInput.optional(),
    timeout_ms: timeoutInput(config.runner).optional(),
    background: z.boolean().default(false).describe("Answer at once and let the run go on; follow it with run_status."),
    wait_ms: waitInput(config.waitMs).optional(),
    engine: engineInput(config.runner.engine ?? "exec").optional(),
    skip_git_repo_check: z
      .boolean()
      .optional()
      .describe(
        "Let Codex run outside a git repository; by default, as the session's earlier run from this server did.",
      ),
    allow_concurrent: z
      .boolean()
      .default(false)
      .describe("Allow writing in a directory where another run of this server is writing."),
  });
}

export function registerResumeSessionTool(server: McpServer, { config, runs, sessions }: ToolContext): void {
  server.registerTool(
    "resume_session",
    {
      title: "Resume a Codex session",
      description:
        "Continues an existing Codex session with a new prompt (`codex exec resume`), in the session's own working directory and, unless told otherwise, its previous sandbox, model and reasoning effort, and checks afterwards that Codex really continued that session with those settings. Same result and waiting rules as run_codex.",
      inputSchema: inputSchemaOf(config).shape,
      outputSchema: withNote(resumeShape),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    (input, extra) =>
      answer("resume_session", async () => {
        const began = Date.now();
        // a run of this server learns its session's id as Codex starts, before Codex may have written the log:
        // such a session is refused as running, not answered "no session"
        if (SESSION_UUID.test(input.session_id)) {
          const early = await runs.registry.findBySession(input.session_id);
          if (early?.status === "running") return toolError(stillRunning(input.session_id, early.run_id));
        }
        const { file, model } = await openSession(sessions, input.session_id);
        if (file.archived) {
          return toolError(
            `session ${file.id} is archived, and Codex cannot resume an archived session. Run \`codex unarchive ${file.id}\` first.`,
          );
        }
        // the id that reaches Codex's argv is the file name's UUID, and the log's own id must agree with it
        const sessionId = file.id;
        if (!SESSION_UUID.test(sessionId) || (model.meta?.id !== undefined && model.meta.id !== sessionId)) {
          return toolError(
            `session ${JSON.stringify(sessionId.slice(0, 80))} cannot be resumed: its rollout's session id ${JSON.stringify((model.meta?.id ?? "").slice(0, 80))} is not the UUID its file name carries, so the log was altered or is not Codex's. Start a new run with run_codex instead.`,
          );
        }
        const context = model.lastContext;
        const cwd = context?.cwd ?? model.meta?.cwd;
        if (!cwd) {
          throw new SessionLookupError(
            `session ${sessionId} does not record its working directory (Codex before 0.32 did not), so it cannot be resumed in the same place.`,
          );
        }
        // a session whose approvals Codex's reviewer decided goes on that way
        const reviewed = context?.approvalsReviewer === "auto_review" && context.sandbox === "workspace-write";
        const previousMode = reviewed
          ? "auto-review"
          : isSandboxMode(context?.sandbox)
            ? MODE_OF_SANDBOX[context.sandbox]
            : undefined;
        const mode = input.mode ?? previousMode ?? "sandboxed";
        if (input.mode === undefined && mode === "full-access" && !config.runner.allowFullAccess) {
          return toolError(
            `session ${sessionId} last ran with full access, which this server does not allow (--allow-full-access). Pass mode "sandboxed" or "read-only" to resume it with a sandbox.`,
          );
        }
        // one session has one writer: a second Codex on it fails ("already has an active writer"), whatever the mode
        const running = await runs.registry.findBySession(sessionId);
        if (running?.status === "running") return toolError(stillRunning(sessionId, running.run_id));
        const resumed = resumeSettingsOf(
          { model: input.model, reasoningEffort: input.reasoning_effort, config: input.config },
          context,
          model.meta?.modelProvider,
        );
        // Codex resumes in the session's cwd, on its provider: that folder's trusted projects' config is what it
        // reads, and that provider's key what it sends
        await refuseWithoutCredentials(server, config, { ...input, cwd, sessionProvider: resumed.provider });
        const skipGitRepoCheck = input.skip_git_repo_check ?? (await runs.registry.skippedGitCheck(sessionId)) ?? false;
        // a session that ran in the worktree Codex made for a run of this state dir goes on there
        const worktree = isCodexWorktreePath(cwd, config.runner.codexHome)
          ? (await runs.registry.findBySession(sessionId))?.worktree
          : undefined;
        const inWorktree =
          worktree !== undefined && worktree !== null && (cwd === worktree.path || cwd.startsWith(`${worktree.path}/`));
        const runId = await runs.start({
          signal: extra.signal,
          prompt: input.prompt,
          cwd,
          resumeInWorktree: inWorktree,
          mode,
          resumeSessionId: sessionId,
          skipGitRepoCheck,
          allowConcurrent: input.allow_concurrent,
          model: resumed.model,
          reasoningEffort: resumed.reasoningEffort,
          sessionProvider: resumed.provider,
          config: input.config,
          timeoutMs: input.timeout_ms,
          engine: input.engine,
        });
        const result = await answerAskingApprovals(
          server,
          config,
          runs,
          runId,
          { background: input.background, waitMs: input.wait_ms, began },
          extra,
        );
        return withResumeNote(result, resumed.note);
      }),
  );
}

/** The run's answer, saying what of the session's settings does not go on (resume-settings.ts). */
function withResumeNote(result: CallToolResult, note: string | null): CallToolResult {
  if (result.isError === true) return result;
  return {
    ...result,
    structuredContent: { ...result.structuredContent, resume_note: note },
    content:
      note === null
        ? result.content
        : result.content.map((part, index) =>
            index === 0 && part.type === "text" ? { ...part, text: `${part.text}\nNote: ${note}` } : part,
          ),
  };
}

/** One session has one writer: a second Codex on it fails ("already has an active writer"), whatever the mode. */
function stillRunning(sessionId: string, runId: string): string {
  return `session ${sessionId} is still running in run ${runId}: follow it with run_status, steer it with steer_run (engine "app-server"), or stop it with cancel_run; resume it once that run has ended.`;
}
