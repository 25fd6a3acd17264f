// session_summary's view: what a session did and how it ended, in one object (built by ../summary.ts).
import { z } from "zod";
import { SESSION_KINDS } from "../events.js";
import { RUN_STATUSES, TURN_STATUSES } from "./closed-sets.js";
import { diagnosisSchema } from "./diagnosis.js";
import { tokenTotalsSchema } from "./tokens.js";

export const sessionKindSchema = z
  .enum(SESSION_KINDS)
  .describe(
    "session: started on its own; fork: forked from another session; subagent: spawned by another session's agent.",
  );
export const turnStatusSchema = z.enum(TURN_STATUSES);

export const turnViewSchema = z.object({
  index: z.number(),
  prompt: z.string().nullable(),
  status: turnStatusSchema,
  last_agent_message: z.string().nullable(),
  error: z.string().nullable(),
  started_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  steering_messages: z
    .number()
    .describe("Messages typed while the turn ran (steering): part of this turn, not turns of their own."),
  compactions: z.number(),
});
export type TurnView = z.infer<typeof turnViewSchema>;

/** The inherited part: null when this file holds none of a parent's history. */
export const inheritedViewSchema = z
  .object({
    parent_session_id: z.string().nullable().describe("The session whose history this is."),
    lines: z.number(),
    turns: z.number(),
    calls: z.number(),
    tokens: tokenTotalsSchema.nullable(),
    charged_to_session_id: z
      .string()
      .nullable()
      .describe(
        "The parent's log is gone and an earlier sibling fork copied the same history (proven counter by counter): that fork is charged with it, this one is not.",
      ),
    model: z
      .string()
      .nullable()
      .describe(
        "The model the newest turn_context of the parent's history names: this session's model when it wrote no turn_context of its own.",
      ),
  })
  .describe("The parent's history found in this file: never counted in this session's turns, calls, files or tokens.");
export type InheritedView = z.infer<typeof inheritedViewSchema>;

/** A fork or sub-agent of a session, as session_summary lists it. */
export const childViewSchema = z.object({
  session_id: z.string(),
  kind: sessionKindSchema,
  status: turnStatusSchema,
  first_prompt: z.string().nullable(),
  path: z.string(),
});
export type ChildView = z.infer<typeof childViewSchema>;

export const sessionSummarySchema = z.object({
  session_id: z.string(),
  path: z.string(),
  kind: sessionKindSchema,
  parent_session_id: z.string().nullable().describe("The session this one was forked or spawned from."),
  agent_nickname: z.string().nullable(),
  inherited: inheritedViewSchema.nullable(),
  children: z
    .array(childViewSchema)
    .describe("Forks and sub-agents of this session found in CODEX_HOME, newest first."),
  cwd: z.string().nullable(),
  model: z
    .string()
    .nullable()
    .describe(
      "The newest turn_context's model; a fork or sub-agent that wrote none of its own runs on its parent's (inherited.model), as sessions_report counts it.",
    ),
  cli_version: z.string().nullable(),
  started_at: z.string().nullable(),
  last_event_at: z.string().nullable(),
  status: turnStatusSchema,
  turns: z
    .array(turnViewSchema)
    .describe("The newest turns oldest first (turns_omitted counts the older ones); counts.turns has them all."),
  turns_omitted: z.number(),
  last_agent_message: z.string().nullable(),
  errors: z.array(z.object({ turn: z.number(), message: z.string(), info: z.string().nullable() })),
  reasoning: z.array(z.object({ turn: z.number(), text: z.string() })),
  counts: z.object({ turns: z.number(), function_calls: z.number(), failed_calls: z.number(), messages: z.number() }),
  files_changed: z.array(z.string()),
  tokens: tokenTotalsSchema.nullable(),
  skipped_lines: z.number(),
  bad_field_lines: z.number().describe("Lines read less a field of the wrong type or range (the field was dropped)."),
  run: z
    .object({ run_id: z.string(), status: z.enum(RUN_STATUSES), error: z.string().nullable() })
    .nullable()
    .describe("The newest run of this session, by any server sharing this state dir, from its run ledger."),
  diagnosis: diagnosisSchema,
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;
