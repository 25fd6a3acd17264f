// A child whose own usage needs its parent's counters (lineage.ts needsParentCounters): its file does not mark
// where its parent's history ends, so its parts by day (DayPart) hold its counters' growth, the history it
// inherited included; its own usage is known at report time only (index.ts atReportTime). The history is
// the parent's earliest usage: what it adds up to is taken off the child's earliest days, as ccusage's daily
// report counts each day the growth of its counters and the parent's history once, in the parent.
import type { TokenTotals } from "../events.js";
import { subtract } from "../token-math.js";
import type { DayPart } from "./model-usage.js";

const FIELDS = ["input", "cached_input", "output", "reasoning_output", "total", "cache_write_input"] as const;

/**
 * `days` (adding up to `counted`, the child's counters with its parent's history) less that history
 * (`counted` − `own`), taken off the earliest parts first, field by field, never below zero. When that
 * cannot make them add up to `own` (a field of `own` above the counters', no counters), the parts carry no
 * usage: all of `own` is the last part's (aggregate.ts sliceOf), as before. Never changes `days`: a saved
 * digest's.
 */
export function ownDays(
  days: DayPart[] | null,
  counted: TokenTotals | null,
  own: TokenTotals | null,
): DayPart[] | null {
  if (!days || days.some((part) => part.usage === null)) return days;
  const whole = (): DayPart[] => days.map((part) => ({ ...part, usage: null }));
  if (!counted || !own) return whole();
  const inherited = subtract(counted, own);
  const parts = days.map((part) => ({
    ...part,
    usage: (part.usage ?? []).map((entry) => ({ ...entry, tokens: { ...entry.tokens } })),
  }));
  for (const field of FIELDS) {
    let left = inherited[field] ?? 0;
    if (left < 0) return whole();
    for (const part of parts)
      for (const entry of part.usage) {
        const has = entry.tokens[field];
        if (left === 0 || has === undefined) continue;
        const taken = Math.min(left, Math.max(0, has));
        entry.tokens[field] = has - taken;
        left -= taken;
      }
    if (left !== 0) return whole();
  }
  return parts;
}
