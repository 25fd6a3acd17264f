// token_usage's view: a session's own counters, per turn and in total, and the newest rate limits (built by ../usage.ts).
import { z } from "zod";
import { rateLimitWindowSchema, tokenTotalsSchema } from "./tokens.js";

export const turnUsageSchema = tokenTotalsSchema.extend({ turn: z.number() });
export type TurnUsage = z.infer<typeof turnUsageSchema>;

export const tokenUsageReportSchema = z.object({
  total: tokenTotalsSchema.nullable(),
  last_turn: turnUsageSchema.nullable(),
  per_turn: z
    .array(turnUsageSchema)
    .describe("The newest turns with usage, oldest first (per_turn_omitted counts the older ones)."),
  per_turn_omitted: z.number().describe("Older turns with usage left out of per_turn."),
  model_context_window: z.number().nullable(),
  context_used_percent: z
    .number()
    .nullable()
    .describe("Share of the context window the newest model request used (its input plus output)."),
  rate_limits: z
    .object({ primary: rateLimitWindowSchema.nullable(), secondary: rateLimitWindowSchema.nullable() })
    .nullable(),
  plan_type: z.string().nullable(),
  observed_at: z.string().nullable().describe("Time of the newest counter or rate-limit reading used."),
  segments: z
    .number()
    .describe("Counter segments found (more than one: a resumed session whose CLI restarted the counter)."),
  context_window_full: z
    .boolean()
    .describe(
      "A request overflowed the context window (Codex's window-full marker) and no later counter says otherwise.",
    ),
  inherited: z
    .object({
      parent_session_id: z.string().nullable(),
      tokens: tokenTotalsSchema,
      charged_to_session_id: z
        .string()
        .nullable()
        .describe("The earlier sibling fork charged with this copied history, when the parent's log is gone."),
    })
    .nullable()
    .describe("A fork's or sub-agent's parent usage replayed into its log: reported, never added to total."),
  note: z.string().nullable(),
});
export type TokenUsageReport = z.infer<typeof tokenUsageReportSchema>;

export const sessionTokenUsageSchema = z.object({
  session_id: z.string(),
  path: z.string(),
  ...tokenUsageReportSchema.shape,
  skipped_lines: z
    .number()
    .nullable()
    .describe(
      "Lines that were not rollout lines; null when the answer came from a first scan of a log not indexed yet (its counters all read, its other lines not decoded).",
    ),
  bad_field_lines: z
    .number()
    .nullable()
    .describe("Lines with a field of the wrong type or range; null as skipped_lines."),
});
export type SessionTokenUsage = z.infer<typeof sessionTokenUsageSchema>;
