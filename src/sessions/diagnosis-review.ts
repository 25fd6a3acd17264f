// A review that finished (`codex exec review`, /review): its verdict is its outcome, not a failure of the run,
// and the commands its reviewer ran to look at the code (`git diff`, a test that fails on the patch) are no
// failures for the user to repair (0.171 checked: a review's sub-agent runs them, its answer is the verdict).
import type { Continuation } from "./continuation.js";
import { jsonQuoted } from "./diagnosis-evidence.js";
import type { TurnWork } from "./diagnosis-work.js";
import type { SessionModel, Turn } from "./session-model.js";

/** Codex's verdict for a patch with nothing to fix (codex-rs review prompt: "patch is correct" | "patch is incorrect"). */
const CORRECT = "patch is correct";

/**
 * The diagnosis of a turn whose review finished (`lead`: its evidence so far): its verdict, and the same review
 * to run again once the findings are addressed; undefined: no finished review, or one whose target cannot be
 * printed.
 */
export function reviewStep(
  model: SessionModel,
  turn: Turn,
  work: TurnWork,
  lead: string[],
  continuation: Continuation,
): { evidence: string[]; next: string; command: string } | undefined {
  const outcome = turn.reviewOutcome;
  const command = outcome ? continuation.reviewAgain() : null;
  if (outcome === undefined || command === null) return undefined;
  const verdict = outcome.verdict !== null ? `the verdict ${jsonQuoted(outcome.verdict, 100)}` : "no verdict";
  const findings =
    outcome.findings === 0 ? "no findings" : outcome.findings === 1 ? "1 finding" : `${outcome.findings} findings`;
  const evidence = [
    ...lead,
    `the review finished with ${verdict} and ${findings}`,
    ...(model.meta?.source === "subagent:review" && work.failed.length > 0
      ? ["a review's own sub-agent: its failed commands are the reviewer's look at the code, not failures to repair"]
      : []),
  ];
  const next =
    outcome.verdict === CORRECT && outcome.findings === 0
      ? `Nothing to repair: the review finished with ${verdict} and no findings. To review again: ${command}`
      : `The review finished with ${verdict} and ${findings}: that is its outcome, not a failure of the run. Address the findings (the review's answer lists them), then review again: ${command}`;
  return { evidence, next, command };
}
