// The live rate limits as the tools and doctor show them: snake_case like every other field, times as ISO.
import { z } from "zod";
import type { LiveRateWindow } from "./progress.js";
import { LIVE_RATE_LIMIT_STATES, type LiveRateLimitsResult } from "./rate-limits.js";

const windowSchema = z.object({
  used_percent: z.number(),
  window_minutes: z.number().nullable(),
  resets_at: z.string().nullable().describe("ISO time the window resets."),
});

export const liveRateLimitsSchema = z
  .object({
    state: z.enum(LIVE_RATE_LIMIT_STATES),
    five_hour: windowSchema.nullable(),
    weekly: windowSchema.nullable(),
    plan_type: z.string().nullable(),
    resets_at: z.string().nullable().describe("When the used-up window resets (state exhausted)."),
    reason: z
      .string()
      .nullable()
      .describe("Why there are no numbers (state unavailable): an API-key login has no plan windows."),
  })
  .describe(
    "The ChatGPT plan's live 5-hour and weekly windows, read from Codex's backend through `codex app-server` (no model turn).",
  );
export type LiveRateLimitsView = z.infer<typeof liveRateLimitsSchema>;

const iso = (seconds: number | null): string | null =>
  seconds === null ? null : new Date(seconds * 1000).toISOString();
const windowView = (window: LiveRateWindow | null) =>
  window && { used_percent: window.usedPercent, window_minutes: window.windowMinutes, resets_at: iso(window.resetsAt) };

export function liveRateLimitsView(result: LiveRateLimitsResult): LiveRateLimitsView {
  if (result.state === "unavailable")
    return {
      state: "unavailable",
      five_hour: null,
      weekly: null,
      plan_type: null,
      resets_at: null,
      reason: result.reason,
    };
  return {
    state: result.state,
    five_hour: windowView(result.fiveHour),
    weekly: windowView(result.weekly),
    plan_type: result.planType,
    resets_at: iso(result.resetsAt),
    reason: null,
  };
}

/** One line: `5h 25% (resets …) · weekly 60% (resets …)`. */
export function liveRateLimitsLine(view: LiveRateLimitsView): string {
  if (view.state === "unavailable") return view.reason ?? "unavailable";
  const part = (name: string, window: LiveRateLimitsView["five_hour"]) =>
    window && `${name} ${window.used_percent}% used${window.resets_at ? ` (resets ${window.resets_at})` : ""}`;
  const parts = [part("5-hour", view.five_hour), part("weekly", view.weekly)].filter(
    (text): text is string => text !== null,
  );
  return `${view.state === "exhausted" ? "used up" : "ok"}${view.plan_type ? ` (${view.plan_type} plan)` : ""}: ${parts.join(" · ") || "no windows reported"}`;
}
