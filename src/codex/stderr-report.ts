// Why Codex says it stopped, read from the end of its stderr. Codex ends a fatal error with an `anyhow` report
// ("Error: <what>", a blank line, "Caused by:", the causes indented, numbered when there are several) and, when
// RUST_BACKTRACE is set (shells and CI often set it), a "Stack backtrace:" of frames that a stripped release
// binary prints as "10: <unknown>". A panic prints "thread '…' panicked at <where>:" and its message. The
// frames and Rust's notes say nothing an agent can act on; the report's chain does. A config Codex cannot load
// is no report: 0.171 prints "Error loading config.toml: <what>" and then the where on lines of its own ("in
// `model_reasoning_summary`", or a TOML parse error's "<file>:1:7: <what>" and a caret drawing), so its last line
// alone names a key and not what is wrong with it.

const BACKTRACE_HEAD = /^(?:Stack backtrace|stack backtrace):$/;
/** A frame ("  10: <unknown>", "  3: codex::main") or its source line ("      at ./src/main.rs:4:5"). */
const FRAME = /^(?:\d+: |at )/;
const RUST_NOTE = /^note: (?:run with `RUST_BACKTRACE|Some details are omitted)/;
const PANIC = /^thread '[^']*' panicked at (.+?):?$/;
const CONFIG_ERROR = /^Error loading config\.toml:/;
/** A line of the drawing under a TOML parse error: "  |", "1 | model=", "  |       ^". */
const TOML_SNIPPET = /^\s*\d*\s*\|/;
/** Lines Codex prints on every run, never a reason. */
const ROUTINE = ["WARNING: proceeding", "Reading additional input from stdin..."];

const MAX_REASON_CHARS = 500;

/**
 * The reason in one line, bounded (its end kept, where the cause is): the last report, panic or config error,
 * whichever came later, else the last meaningful line.
 */
export function stderrReason(tail: string): string | undefined {
  const lines = withoutBacktraces(tail.split("\n").map((line) => line.trimEnd()));
  const report = lines.findLastIndex((line) => line.startsWith("Error: "));
  const panic = lines.findLastIndex((line) => PANIC.test(line));
  const config = lines.findLastIndex((line) => CONFIG_ERROR.test(line));
  const last = Math.max(report, panic, config);
  const reason =
    last === -1
      ? lastMeaningful(lines)
      : last === report
        ? reportChain(lines, report)
        : last === panic
          ? panicMessage(lines, panic)
          : configError(lines, config);
  return reason !== undefined && reason.length > MAX_REASON_CHARS ? `…${reason.slice(-MAX_REASON_CHARS)}` : reason;
}

/** "Error: cannot create managed worktree: git command failed: fatal: …", its chain as anyhow's `{:#}` prints it. */
function reportChain(lines: readonly string[], start: number): string {
  const chain = [lines[start]!.slice("Error: ".length).trim()];
  let at = start + 1;
  while (at < lines.length && lines[at] === "") at++;
  // the causes are indented: an unindented line is no longer the report
  if (lines[at] === "Caused by:")
    for (at++; at < lines.length && /^\s+\S/.test(lines[at]!); at++)
      chain.push(lines[at]!.trim().replace(/^\d+: /, ""));
  return `Error: ${chain.filter((part) => part !== "").join(": ")}`;
}

function panicMessage(lines: readonly string[], start: number): string {
  const where = PANIC.exec(lines[start]!)?.[1] ?? "";
  const message: string[] = [];
  for (let at = start + 1; at < lines.length && lines[at] !== "" && !RUST_NOTE.test(lines[at]!.trim()); at++)
    message.push(lines[at]!.trim());
  return `Codex panicked at ${where}${message.length > 0 ? `: ${message.join(" ")}` : ""}`;
}

/** "Error loading config.toml: unknown variant `bogus`, … in `model_reasoning_summary`": the paragraph in one line. */
function configError(lines: readonly string[], start: number): string {
  const parts = [lines[start]!.trim()];
  for (let at = start + 1; at < lines.length && lines[at]!.trim() !== ""; at++)
    if (!TOML_SNIPPET.test(lines[at]!)) parts.push(lines[at]!.trim());
  return parts.join(" ");
}

function lastMeaningful(lines: readonly string[]): string | undefined {
  return lines
    .map((line) => line.trim())
    .findLast((line) => line !== "" && !RUST_NOTE.test(line) && !ROUTINE.some((routine) => line.startsWith(routine)));
}

/** The lines without backtraces: each header and the frames after it (a tail may also begin inside one). */
function withoutBacktraces(lines: readonly string[]): string[] {
  const kept: string[] = [];
  let inFrames = false;
  for (const line of lines) {
    const trimmed = line.trim();
    if (BACKTRACE_HEAD.test(trimmed)) inFrames = true;
    // a frame is dropped under its header, and at the very start (the tail began inside a backtrace)
    else if ((inFrames || kept.length === 0) && FRAME.test(trimmed)) continue;
    else {
      inFrames = false;
      kept.push(line);
    }
  }
  return kept;
}

/**
 * The end of `text`, at most `max` characters, from the start of a line: a line cut in two would be read as
 * a line of its own (a frame of a backtrace cut to "nown>" is no longer recognised as one). A last line longer
 * than `max` is kept cut.
 */
export function lastLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = text.slice(-max);
  const newline = end.indexOf("\n");
  return newline === -1 || newline === end.length - 1 ? end : end.slice(newline + 1);
}
