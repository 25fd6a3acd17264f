// A patch Codex refused before applying it. apply_patch answers the model with `patch rejected: <reason>` (codex-rs
// `core/src/safety.rs`; the words of 0.150 – 0.171, checked with the real 0.171 CLI): under workspace-write a
// file outside the writable roots, under read-only any file, when the approval policy may not ask. Nothing
// was written: the call failed, and the sandbox refused a write to the patch's files (the output names none:
// call-pairing.ts takes them from the patch).
import type { ParsedOutput } from "./tool-output.js";

const REJECTED = /^patch rejected: /;
/** The reasons that are the sandbox's refusal (an empty patch, also "rejected", is the model's own mistake). */
const SANDBOX_REASON =
  /^patch rejected: (?:writing outside of the project|writing is blocked by read-only sandbox); rejected by user approval settings/;

/** The output with what a rejected patch means added; any other output as it was. */
export function withPatchRejection(parsed: ParsedOutput): ParsedOutput {
  const text = parsed.text.trimStart();
  if (!REJECTED.test(text)) return parsed;
  return {
    ...parsed,
    isError: true,
    ...(parsed.denial === undefined &&
      SANDBOX_REASON.test(text) && { denial: { kind: "write" as const, target: null, explicit: true } }),
  };
}
