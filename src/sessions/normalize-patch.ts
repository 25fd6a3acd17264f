// A patch Codex refused before applying it. apply_patch answers the model with `patch rejected: <reason>` (codex-rs
// `core/src/safety.rs`; the words the real 0.171 CLI writes): under workspace-write a
// file outside the writable roots, under read-only any file, when the approval policy may not ask. Nothing
// was written: the call failed, and the sandbox refused a write to the patch's files (the output names none:
// call-pairing.ts takes them from the patch).
import type { ParsedOutput } from "./tool-output.js";

const REJECTED = /^patch rejected: /;
/**
 * A person declined the patch's approval (codex-rs apply_patch: ReviewDecision::Denied or Abort answers the model
 * "patch rejected by user"; 0.171 with approval_policy "on-request" and the app-server's approval declined).
 */
const DECLINED = /^patch rejected by user\s*$/;
/** The reasons that are the sandbox's refusal (an empty patch, also "rejected", is the model's own mistake). */
const SANDBOX_REASON =
  /^patch rejected: (?:writing outside of the project|writing is blocked by read-only sandbox); rejected by user approval settings/;

/**
 * Code mode: a script's `tools.apply_patch(…)` that was rejected throws, and its `exec` (or the `wait` that saw it
 * end) answers `Script failed`, its output, then `Script error:` and the rejection on the next line (0.171): the
 * last such line, the script may print the words itself.
 */
const SCRIPT_ERROR = /^Script failed\n[\s\S]*^Script error:\n/m;

/**
 * The output of `form`'s call with what a rejected patch means added; any other output as it was. Only an
 * apply_patch's own answer, or a code-mode script's own error, says so: the words in another tool's answer (a
 * page an MCP tool fetched) are that tool's text (call-pairing.ts knows the call).
 */
export function withPatchRejection<T extends ParsedOutput>(parsed: T, form: "patch" | "script"): T {
  const lead = parsed.text.trimStart();
  const script =
    form === "script" && lead.startsWith("Script failed\n") ? SCRIPT_ERROR.exec(lead.slice(0, 100_000)) : null;
  if (form === "script" && !script) return parsed;
  const text = script ? lead.slice(script.index + script[0].length) : lead;
  // declined, as a declined command approval reads: an escalation the person refused (nothing was written)
  if (DECLINED.test(text))
    return {
      ...parsed,
      isError: true,
      denial: { kind: "escalation" as const, target: null, explicit: true, declined: true as const },
    };
  // the rejection is all there is (one line, no stack): an Error the script threw quoting the words ends in its own
  if (!REJECTED.test(text) || text.trimEnd().includes("\n")) return parsed;
  return {
    ...parsed,
    isError: true,
    ...(parsed.denial === undefined &&
      SANDBOX_REASON.test(text) && { denial: { kind: "write" as const, target: null, explicit: true } }),
  };
}
