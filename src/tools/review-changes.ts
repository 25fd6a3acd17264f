import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { MAX_TITLE, refuseReview, type ReviewRequest, type ReviewScope } from "../codex/review-argv.js";
import type { ServerConfig } from "../config/config.js";
import type { ToolContext } from "./context.js";
import { refuseWithoutCredentials } from "./credentials.js";
import { answer, toolError, withNote } from "./result.js";
import { answerRun, runViewShape, timeoutInput, waitInput } from "./run-result.js";

/** The input, with the timeout and wait this server's operator set. */
function inputSchemaOf(config: ServerConfig) {
  return z.object({
    cwd: z.string().min(1).max(4096).describe("Absolute path of the git repository (or a directory in it) to review."),
    uncommitted: z
      .literal(true)
      .optional()
      .describe("Review the staged, unstaged and untracked changes. Exactly one of uncommitted, base, commit."),
    base: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe('Review the changes against this base branch (a local branch name, e.g. "main").'),
    commit: z
      .string()
      .min(4)
      .max(64)
      .optional()
      .describe("Review the changes a commit introduced (its sha, 4 to 64 hex digits)."),
    prompt: z
      .string()
      .min(1)
      .max(100_000)
      .optional()
      .describe("Extra instructions for the reviewer (passed on stdin, never on the command line)."),
    title: z
      .string()
      .min(1)
      .max(MAX_TITLE)
      .optional()
      .describe("A title to show in the review summary (`--title`), e.g. the commit's subject."),
    model: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("Model to use; omitted means Codex's own configured default."),
    timeout_ms: timeoutInput(config.runner).optional(),
    background: z
      .boolean()
      .default(false)
      .describe("Answer at once and let the review go on; follow it with run_status."),
    wait_ms: waitInput(config.waitMs).optional(),
  });
}

export function registerReviewChangesTool(server: McpServer, { config, runs }: ToolContext): void {
  server.registerTool(
    "review_changes",
    {
      title: "Review changes with Codex",
      description:
        "Asks Codex's own code reviewer (`codex exec review`, read-only sandbox) for a second opinion on the uncommitted changes, the changes against a base branch, or one commit. Same waiting rules as run_codex. Returns the run (status, session id, errors, resume command) and `review`: the findings (title, body, file, line range, priority, confidence) and the overall verdict with its explanation.",
      inputSchema: inputSchemaOf(config).shape,
      outputSchema: withNote(runViewShape),
      // it starts Codex (a session log, a ledger record, tokens) but leaves the workspace as it was
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    (input, extra) =>
      answer("review_changes", async () => {
        const began = Date.now();
        const scopes: ReviewScope[] = [];
        if (input.uncommitted) scopes.push({ uncommitted: true });
        if (input.base !== undefined) scopes.push({ base: input.base });
        if (input.commit !== undefined) scopes.push({ commit: input.commit });
        const [scope] = scopes;
        if (scopes.length !== 1 || scope === undefined) {
          return toolError(
            `review_changes needs exactly one scope, got ${scopes.length}: pass uncommitted: true, base: "<branch>" or commit: "<sha>".`,
          );
        }
        const review: ReviewRequest = { scope, prompt: input.prompt, title: input.title };
        const refusal = refuseReview(review);
        if (refusal !== undefined) return toolError(refusal);
        // the folder Codex reviews in: its trusted projects' config (forced_login_method) counts
        await refuseWithoutCredentials(server, config, { engine: "exec", cwd: input.cwd });
        const runId = await runs.start({
          signal: extra.signal,
          prompt: "",
          cwd: input.cwd,
          mode: "read-only",
          // `codex exec review` is the only reviewer: a server started with --engine app-server still reviews
          engine: "exec",
          review,
          model: input.model,
          timeoutMs: input.timeout_ms,
        });
        return answerRun(
          runs,
          runId,
          { background: input.background, waitMs: input.wait_ms ?? config.waitMs, began },
          extra,
        );
      }),
  );
}
