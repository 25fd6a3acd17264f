// last_function_calls' view: the newest tool calls of a session with their outputs (built by ../calls.ts).
import { z } from "zod";
import { CALL_STATUSES } from "./closed-sets.js";

export const callViewSchema = z.object({
  call_id: z.string(),
  name: z.string(),
  arguments: z.unknown(),
  command: z.string().nullable(),
  output: z.string().nullable(),
  output_truncated: z.boolean(),
  exit_code: z.number().nullable(),
  duration_ms: z.number().nullable(),
  status: z.enum(CALL_STATUSES),
  timestamp: z.string().nullable(),
  turn: z.number(),
  parent_call_id: z.string().nullable().describe("Code mode: the `exec` call this command or MCP call ran inside."),
});
export type CallView = z.infer<typeof callViewSchema>;

export const sessionCallsSchema = z.object({
  session_id: z.string(),
  path: z.string(),
  total_calls: z
    .number()
    .nullable()
    .describe(
      "Calls in the whole session; null when the answer was read from the end of a log not indexed yet (the first question on it).",
    ),
  skipped_lines: z.number().nullable().describe("Lines that were not rollout lines; null as total_calls."),
  bad_field_lines: z
    .number()
    .nullable()
    .describe("Lines with a field of the wrong type or range; null as total_calls."),
  calls: z.array(callViewSchema),
});
export type SessionCalls = z.infer<typeof sessionCallsSchema>;
