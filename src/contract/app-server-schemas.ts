// The contract's part for runs on the app-server engine: what a thread is started with, the live numbers and
// approvals a supervisor publishes, and the requests a server leaves in the run's directory (a steer, an
// answer to an approval) with the supervisor's reply. Each is parsed with its schema: a server, another
// server, or someone who reached the state dir may have written it.
import { z } from "zod";
import {
  APPROVAL_DECISIONS,
  APPROVAL_KINDS,
  MAX_STEER_CHARS,
  THREAD_APPROVAL_POLICIES,
} from "../codex/app-server/index.js";
import { SANDBOX_MODES } from "../sessions/index.js";

const text = (max: number) => z.string().max(max);
const isoTime = text(40);
const count = z.number().int().nonnegative();

/** Our ids for a run's approvals (`a1`, `a2`, …): the only form that names an answer file. */
export const APPROVAL_ID = /^a[1-9][0-9]{0,5}$/;
export const approvalIdSchema = z.string().regex(APPROVAL_ID);

/** A steer request's name (`steer-<16 hex>.json`) and its reply's. */
export const STEER_ID = /^[0-9a-f]{16}$/;

/** engine app-server: what the run's thread is started with (an exec run has it in its argv). */
export const threadSchema = z.object({
  sandbox: z.enum(SANDBOX_MODES),
  approvalPolicy: z.enum(THREAD_APPROVAL_POLICIES),
  model: text(200).nullable(),
  config: z.record(text(200), z.unknown()),
});

const windowSchema = z.object({
  used_percent: z.number(),
  window_minutes: z.number().nullable(),
  resets_at: isoTime.nullable(),
});

/** What an app-server run reported while it went: token usage with the context window, and the plan's windows. */
export const liveNumbersSchema = z
  .object({
    usage: z
      .object({
        input_tokens: count,
        cached_input_tokens: count,
        output_tokens: count,
        reasoning_output_tokens: count,
        total_tokens: count,
        /** Tokens of the newest model request: how full the context is. */
        last_total_tokens: count,
        context_window: count.nullable(),
        context_used_percent: z.number().nullable(),
      })
      .nullable(),
    rate_limits: z
      .object({
        primary: windowSchema.nullable().describe("The 5-hour window."),
        secondary: windowSchema.nullable().describe("The weekly window."),
        plan_type: text(100).nullable(),
      })
      .nullable(),
    updated_at: isoTime,
  })
  .describe("engine app-server: the newest token usage and rate limits Codex reported while the run went.");
export type LiveNumbers = z.infer<typeof liveNumbersSchema>;

/** `unanswered`: the run ended (cancelled, timed out, failed) while the approval waited; Codex ran nothing of it. */
export const APPROVAL_STATES = ["pending", "answered", "timed_out", "unanswered"] as const;
export const APPROVAL_ANSWERERS = ["user", "caller", "operator", "timeout"] as const;
export type ApprovalAnswerer = (typeof APPROVAL_ANSWERERS)[number];

/**
 * A value a later version may add to a field that is only shown (never acted on, never put into an argv):
 * read as "unknown", so that a newer supervisor's state is not ignored whole by an older reader (it lost the
 * run's events, approvals and files before). The rule, and the fields it does not apply to, in docs/runs.md.
 */
export const UNKNOWN_VALUE = "unknown";
function shownEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum([...values, UNKNOWN_VALUE]).catch(UNKNOWN_VALUE);
}

/** One approval the run asked for, as the supervisor publishes it; the summary is data, shown escaped. */
export const approvalEntrySchema = z.object({
  approval_id: approvalIdSchema,
  kind: shownEnum(APPROVAL_KINDS),
  summary: text(4000).describe("The command, the file change, or the MCP server's question."),
  cwd: text(4096).nullable(),
  reason: text(4000).nullable().describe("Why Codex asks (the model's justification), if it said."),
  decisions: z
    .array(shownEnum(APPROVAL_DECISIONS))
    .max(4)
    .describe('What may be answered (respond_approval\'s decision); "unknown": one a later version offers.'),
  requested_at: isoTime,
  status: shownEnum(APPROVAL_STATES).describe(
    '"unknown": a status a later version of this server wrote (see docs/runs.md).',
  ),
  decision: shownEnum(APPROVAL_DECISIONS).nullable(),
  answered_by: shownEnum(APPROVAL_ANSWERERS).nullable(),
  answered_at: isoTime.nullable(),
});
export type ApprovalEntry = z.infer<typeof approvalEntrySchema>;

/** The typed error of a failed turn (`codexErrorInfo`), beside the log's words. */
export const typedErrorSchema = z.object({
  kind: text(100).describe('Codex\'s `codexErrorInfo` kind, e.g. "usageLimitExceeded", "unauthorized".'),
  http_status: z.number().int().nullable(),
  message: text(4000),
});
export type TypedError = z.infer<typeof typedErrorSchema>;

/** `steer-<id>.json`: a message a server asks the supervisor to send into the running turn. */
export const steerRequestSchema = z.object({ message: z.string().min(1).max(MAX_STEER_CHARS), at: isoTime });
/** `steer-<id>.reply.json`: the turn the message reached, or why it was not sent. */
export const steerReplySchema = z.object({ turn_id: text(200).nullable(), error: text(4000).nullable(), at: isoTime });
export type SteerReply = z.infer<typeof steerReplySchema>;

/** `approval-<approval_id>.json`: the answer to a pending approval; the first one written wins. */
export const approvalAnswerSchema = z.object({
  decision: z.enum(APPROVAL_DECISIONS),
  answered_by: z.enum(APPROVAL_ANSWERERS).exclude(["timeout"]),
  at: isoTime,
});
export type ApprovalAnswer = z.infer<typeof approvalAnswerSchema>;
