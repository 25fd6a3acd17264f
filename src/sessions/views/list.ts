// list_sessions' entries: what the head and tail of a rollout say about its session (built by ../list.ts).
import { z } from "zod";
import { sessionKindSchema, turnStatusSchema } from "./summary.js";

export const sessionListingSchema = z.object({
  session_id: z.string(),
  path: z.string(),
  started_at: z.string().nullable(),
  updated_at: z.string(),
  cwd: z.string().nullable(),
  cli_version: z.string().nullable(),
  model: z
    .string()
    .nullable()
    .describe("The newest turn_context's model; a fork or sub-agent that wrote none of its own runs on its parent's."),
  source: z.string().nullable(),
  kind: sessionKindSchema,
  parent_session_id: z.string().nullable().describe("The session this one was forked or spawned from."),
  first_prompt: z.string().nullable(),
  status: turnStatusSchema,
  archived: z.boolean(),
});
export type SessionListing = z.infer<typeof sessionListingSchema>;
