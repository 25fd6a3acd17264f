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
  total_calls: z.number(),
  skipped_lines: z.number(),
  bad_field_lines: z.number(),
  calls: z.array(callViewSchema),
});
export type SessionCalls = z.infer<typeof sessionCallsSchema>;
