// A failure signature: the diagnosis category and the error with what differs from run to run (ids, request
// ids, paths, URLs, numbers, quoted values, times) replaced by placeholders, so the same failure hitting many
// sessions is one line with a count. The readable form of a provider's JSON body is used (readableError).
import type { DiagnosisCategory } from "../diagnosis-categories.js";
import { readableError } from "../diagnosis-errors.js";
import type { Diagnosis } from "../diagnosis.js";

const MAX_CHARS = 240;

/**
 * A relative path (`src/main.rs`, `tests/unit/test_b.py`): two segments or more, else a last one with an
 * extension, so that `text/event-stream` or `read/write` stay words.
 */
function relativePath(text: string): string {
  return /[\\/].*[\\/]/.test(text) || /\.[A-Za-z0-9]{1,8}$/.test(text.replace(/[\\/]$/, "")) ? "<path>" : text;
}

/**
 * A number, but an HTTP status stays: it is the error itself (a 400 and a 404 are different failures), not
 * what differs between runs of one.
 */
function number(text: string, status: string | undefined): string {
  return status !== undefined && /^[1-5]\d\d$/.test(text.slice(status.length)) ? text : `${status ?? ""}<n>`;
}

const REPLACEMENTS: Array<[RegExp, string | ((text: string, ...groups: string[]) => string)]> = [
  // times before numbers, ids before hex runs, URLs before paths
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, "<time>"],
  // API keys, masked or not, differ per operator: never part of a signature (nor shown)
  [/\b(?:sk|pk|rk)-[A-Za-z0-9*_-]{4,}/g, "<key>"],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<id>"],
  [/\b(?:req|resp|call|msg|run|chatcmpl|sess|thread|turn)[_-][A-Za-z0-9_-]{4,}/g, "<id>"],
  [/\bhttps?:\/\/[^\s"'<>)]*[^\s"'<>).,;:]/g, "<url>"],
  // absolute paths; not from the middle of a relative one (`tests/unit/a.py` is one path, not `tests` + a path)
  [/(?<![\w.@%+-])(?:~|\.{1,2})?(?:\/[\w.@%+-]+){2,}\/?/g, "<path>"],
  [/\b[A-Za-z]:\\[^\s"']+/g, "<path>"],
  [/(?<![\w.@%+\\/<>-])(?!HTTP\/\d)[\w.@%+-]+(?:[\\/][\w.@%+-]+)+[\\/]?/g, relativePath],
  [/\b[0-9a-f]{12,}\b/gi, "<id>"],
  [/\b[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*[A-Za-z][A-Za-z0-9_-]{14,}\b/g, "<id>"],
  [/(\b(?:status|HTTP)(?:\/\d(?:\.\d)?)?:? ?)?(?<!\d)\d+(?:[.,]\d+)*/gi, number],
];

/**
 * Signatures already made, by exact text: the same failure recurs across sessions (that is what a signature
 * counts), and each costs a parse and ten global replaces. Bounded (a server keeps it): texts up to
 * REMEMBERED_CHARS, emptied when full.
 */
const made = new Map<string, string>();
const MAX_REMEMBERED = 500;
const REMEMBERED_CHARS = 1000;

export function failureSignature(message: string | null): string {
  if (message === null || message.trim() === "") return "(no error message)";
  if (message.length > REMEMBERED_CHARS) return signatureOf(message);
  let signature = made.get(message);
  if (signature === undefined) {
    if (made.size >= MAX_REMEMBERED) made.clear();
    signature = signatureOf(message);
    made.set(message, signature);
  }
  return signature;
}

/** Internal: the signature made every time (tests hold the remembered ones to it). */
export function signatureOf(message: string): string {
  let text = readableError(message).replace(/\s+/g, " ").trim();
  for (const [pattern, placeholder] of REPLACEMENTS)
    text = typeof placeholder === "string" ? text.replace(pattern, placeholder) : text.replace(pattern, placeholder);
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…` : text;
}

/**
 * The categories a failed command or a sandbox denial is the cause of. A session that ended otherwise (aborted,
 * killed, stopped at its timeout, cancelled) is not told by a command that failed on the way: an interrupted turn
 * whose earlier `exit 2` failed was grouped as "`exit <n>` exited with <n>".
 */
const ENDED_BY_WHAT_FAILED: ReadonlySet<DiagnosisCategory> = new Set([
  "command_failures",
  "sandbox_blocked",
  "approval_required",
]);

/**
 * What the failure signature is made of: the error, else (a session its commands or the sandbox failed) what
 * failed, the command or the denial, else the first evidence (what ended it: "turn 1 was aborted (interrupted)").
 */
export function failureText(diagnosis: Diagnosis): string | null {
  if (diagnosis.error) return diagnosis.error.message;
  if (!ENDED_BY_WHAT_FAILED.has(diagnosis.category)) return diagnosis.evidence[0] ?? null;
  const command = diagnosis.failed_commands.at(-1);
  if (command)
    return `\`${command.command}\` ${command.meaning ?? (command.exit_code !== null ? `exited with ${command.exit_code}` : "failed")}`;
  const denial = diagnosis.sandbox_denials.at(-1);
  if (denial)
    return `sandbox denied ${denial.kind}${denial.target !== null ? ` ${denial.target}` : ""}: \`${denial.command}\``;
  return diagnosis.evidence[0] ?? null;
}
