// The fake model's script language for a scripted turn (`STEPS: a ;; b ;; …`, see fake-model.ts's header): each
// model request of the turn plays the next step.
import { FAILURES, type FailureKind } from "./fake-model-failures.js";
import type { PatchKind } from "./fake-model-tools.js";

/** `SILENT`: a response that completes with no output at all (Codex then ends the turn without a final message). */
export type Step =
  | { run: string; escalate?: boolean }
  | { say: string }
  | { silent: true }
  | { fail: FailureKind }
  | { patch: string; kind: PatchKind }
  | { spawn: string }
  | { code: string }
  | { agent: "wait" | "close" }
  | { waitCell: true };

const PATCH_STEPS: Record<string, PatchKind> = { PATCH: "add", PATCHBAD: "mismatch", UNPATCH: "delete" };

/** `STEPS: RUN:false ;; SAY:I give up` → the steps; unknown failure kinds are an error in the test itself. */
export function parseSteps(prompt: string): Step[] | undefined {
  // the script opens the prompt ("please STEPS: …"): a later prompt that quotes it is not a script
  const match = /^(?:\w+ )*STEPS:(.*)$/s.exec(prompt);
  if (!match?.[1]) return undefined;
  return match[1].split(";;").map((raw): Step => {
    const step = raw.trim();
    if (step.startsWith("RUN:")) return { run: step.slice(4).trim() };
    if (step.startsWith("ESCALATE:")) return { run: step.slice(9).trim(), escalate: true };
    if (step.startsWith("SAY:")) return { say: step.slice(4).trim() };
    if (step === "SILENT") return { silent: true };
    const patch = /^(PATCH|PATCHBAD|UNPATCH):(.+)$/s.exec(step);
    if (patch?.[1] && patch[2]) return { patch: patch[2].trim(), kind: PATCH_STEPS[patch[1]] ?? "add" };
    if (step.startsWith("SPAWN:")) return { spawn: step.slice(6).trim() };
    if (step.startsWith("CODE:")) return { code: step.slice(5).trim() };
    if (step === "WAIT") return { agent: "wait" };
    if (step === "WAITCELL") return { waitCell: true };
    if (step === "CLOSE") return { agent: "close" };
    const kind = step.startsWith("FAIL:") ? step.slice(5).trim() : "";
    if (kind in FAILURES) return { fail: kind as FailureKind };
    throw new Error(`fake model: unknown step ${JSON.stringify(step)}`);
  });
}
