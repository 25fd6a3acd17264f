// Output schema pieces shared by several tools.
import { z } from "zod";
import { SESSION_KINDS } from "../sessions/events.js";

export const sessionIdInput = z
  .string()
  .min(1)
  .max(4096)
  .describe("The session: its full UUID, a unique prefix of 8+ characters, `last` (the newest), or an absolute path to a rollout file inside CODEX_HOME.");

export const tokenTotals = z.object({
  input: z.number(),
  cached_input: z.number(),
  output: z.number(),
  reasoning_output: z.number(),
  total: z.number(),
});

export const rateLimitWindow = z.object({
  used_percent: z.number().nullable(),
  window_minutes: z.number().nullable(),
  resets_at: z.string().nullable(),
});

export const sessionKind = z.enum(SESSION_KINDS);

export const inherited = z.object({
  parent_id: z.string().nullable(),
  lines: z.number(),
  turns: z.number(),
  calls: z.number(),
  tokens: tokenTotals.nullable(),
});

export const turnStatus = z.enum(["completed", "failed", "aborted", "incomplete"]);
