// A well-formed saved answer (answer-files.ts checks each against its tool's view and the log it names): tests of
// the answer files' own bounds and folders save these instead of arbitrary values.
import { sessionTokenUsageSchema, type SessionTokenUsage } from "../../src/sessions/views/usage.js";

/** token_usage's key for `path` (as sessions/index.ts keyOf makes it). */
export const usageKey = (path: string): string => JSON.stringify(["usage", path]);

/** A token_usage answer about `path` whose `note` is `note`: its size is about the note's. */
export function usageAnswer(path: string, note: string): SessionTokenUsage {
  return sessionTokenUsageSchema.parse({
    session_id: "0199a1b2-0000-7000-8000-000000000001",
    path,
    total: null,
    last_turn: null,
    per_turn: [],
    per_turn_omitted: 0,
    model_context_window: null,
    context_used_percent: null,
    rate_limits: null,
    plan_type: null,
    observed_at: null,
    segments: 0,
    context_window_full: false,
    inherited: null,
    note,
    skipped_lines: 0,
    bad_field_lines: 0,
  });
}
