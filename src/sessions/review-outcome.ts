// What a finished review found, from a log written by anyone: the verdict (bounded) and how many findings.
// The review's own session writes its ReviewOutputEvent in `ExitedReviewMode` (normalize-turn-items.ts); its
// sub-agent (0.171, source "subagent:review") answers it as JSON, its last agent message.
import type { ReviewOutcome } from "./events.js";
import { isRecord } from "../shared/json.js";

/** The most of a verdict kept: Codex's are "patch is correct" and "patch is incorrect". */
const MAX_VERDICT = 200;

/** The verdict and the number of findings of a ReviewOutputEvent. */
export function reviewOutcomeOf(output: unknown): ReviewOutcome {
  const review = isRecord(output) ? output : {};
  const verdict = review.overall_correctness;
  return {
    verdict: typeof verdict === "string" && verdict !== "" ? verdict.slice(0, MAX_VERDICT) : null,
    findings: Array.isArray(review.findings) ? review.findings.length : 0,
  };
}

/** A review sub-agent's answer, the ReviewOutputEvent as JSON: its outcome; undefined: no such answer. */
export function reviewAnswer(text: string): ReviewOutcome | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const answer: unknown = JSON.parse(text);
    return isRecord(answer) && "overall_correctness" in answer ? reviewOutcomeOf(answer) : undefined;
  } catch {
    return undefined;
  }
}
