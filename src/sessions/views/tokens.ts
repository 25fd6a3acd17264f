// Token counts and rate-limit readings as every view shows them (Codex's own counters, never estimates).
import { z } from "zod";

export const tokenTotalsSchema = z.object({
  input: z.number(),
  cached_input: z.number(),
  output: z.number(),
  reasoning_output: z.number(),
  total: z.number(),
  cache_write_input: z
    .number()
    .optional()
    .describe(
      "Input written to the prompt cache: part of input, as cached_input is. Only where the log counts some (Codex 0.14x+ writes 0 when the model reports none, and then it is left out).",
    ),
});
export type TokenTotals = z.infer<typeof tokenTotalsSchema>;

export const rateLimitWindowSchema = z.object({
  used_percent: z.number().nullable(),
  window_minutes: z.number().nullable(),
  resets_at: z.string().nullable().describe("ISO time; null when the log did not say."),
});
export type RateLimitWindow = z.infer<typeof rateLimitWindowSchema>;
