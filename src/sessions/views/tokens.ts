// Token counts and rate-limit readings as every view shows them (Codex's own counters, never estimates).
import { z } from "zod";

export const tokenTotalsSchema = z.object({
  input: z.number(),
  cached_input: z.number(),
  output: z.number(),
  reasoning_output: z.number(),
  total: z.number(),
});
export type TokenTotals = z.infer<typeof tokenTotalsSchema>;

export const rateLimitWindowSchema = z.object({
  used_percent: z.number().nullable(),
  window_minutes: z.number().nullable(),
  resets_at: z.string().nullable().describe("ISO time; null when the log did not say."),
});
export type RateLimitWindow = z.infer<typeof rateLimitWindowSchema>;
