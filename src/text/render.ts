// The readable text of each answer, shared by the MCP tools (their text mirror) and the CLI for people.
// Log-derived text is always shown quoted: it is data, never instructions.
import type { RunView } from "../runs/run-view.js";
import { howToAnswer, type ApprovalAnswerers } from "../runs/approval-answer.js";
import type { CallView, SessionListing, SessionSummary, TokenUsageReport } from "../sessions/index.js";
import { MAKE_READABLE } from "../sessions/folder-names.js";
import { followRun, type RunReader } from "../sessions/follow-run.js";
import { count, cutWhole, DATA_NOTE, inline, keepLines, quoted, tailOf, wellFormed } from "../shared/text.js";

export { inline, quoted } from "../shared/text.js";

/**
 * A time for a person: local, with its offset from UTC, one style everywhere (`2026-11-23 21:49:27 GMT+1`,
 * `… GMT+5:30`, `… UTC`). The offset, not a zone's name: the name needs ICU's time zone data (~10–20 ms on
 * a CLI command's first date), the offset only the date itself.
 */
export function localTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "?";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return inline(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${utcOffset(date)}`;
}

/** `UTC`, `GMT+9`, `GMT-3:30`: the local offset at that date (summer time included). */
function utcOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  if (minutes === 0) return "UTC";
  const hours = Math.floor(Math.abs(minutes) / 60);
  const rest = Math.abs(minutes) % 60;
  return `GMT${minutes > 0 ? "+" : "-"}${hours}${rest > 0 ? `:${String(rest).padStart(2, "0")}` : ""}`;
}

/** A rate-limit window in the largest whole unit: `7 d`, `5 h`, `90 min`. */
export function windowLength(minutes: number): string {
  if (minutes > 0 && minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes > 0 && minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

/**
 * A command that would run Codex without a sandbox: a person is told before pasting it, and told whether that
 * is what the session already had (`ranWith`: the sandbox it ran with; null: not known) or more.
 */
export function fullAccessCaution(command: string | null | undefined, ranWith: string | null): string | null {
  if (!command || !/--dangerously-bypass-approvals-and-sandbox|danger-full-access/.test(command)) return null;
  const lead = "Caution: this command runs Codex with full access (no sandbox, no approvals)";
  if (ranWith === "danger-full-access")
    return `${lead}, as the session did: read what it did first, or drop that flag.`;
  if (ranWith === null) return `${lead}: read what the session did first, or drop that flag.`;
  return `${lead}, which the session did not have (it ran ${inline(ranWith)}): run it only if you trust the task with this machine.`;
}

/**
 * The sandbox a session ran with, as its diagnosis tells: a refusal names it, and every next step but a
 * sandbox block's resumes in the session's own sandbox (so a full-access command there repeats the session's).
 */
function sandboxOfSession(diagnosis: SessionSummary["diagnosis"]): string | null {
  const named = diagnosis.sandbox_denials.find((denial) => denial.mode !== null)?.mode;
  if (named) return named;
  return diagnosis.category === "sandbox_blocked" ? null : "danger-full-access";
}

/** A listing's line on the folders it could not list (none: no line). */
export function unlistedNote(unlistable: string[]): string[] {
  if (unlistable.length === 0) return [];
  return [
    `Not listed: the sessions in ${unlistable.length === 1 ? "a folder" : "folders"} that could not be listed (${unlistable.map(inline).join(", ")}). ${MAKE_READABLE}`,
  ];
}

export function renderList(home: string, sessions: SessionListing[], unlistable: string[] = []): string {
  const missing = unlistedNote(unlistable);
  if (sessions.length === 0) return [`No sessions found in ${home}.`, ...missing].join("\n");
  const lines = sessions.map(
    (s) =>
      `${inline(s.session_id)}  ${s.status.padEnd(10)} ${s.updated_at}  ${inline(s.cli_version)}  ${inline(s.cwd)}  ${quoted(s.first_prompt, 80)}`,
  );
  return [`${sessions.length} session(s) in ${home}, newest first:`, ...lines, ...missing, DATA_NOTE].join("\n");
}

export function renderSummary(s: SessionSummary, reader: RunReader = "agent"): string {
  const person = reader === "person";
  const time = (iso: string | null) => (person ? localTime(iso) : (iso ?? "?"));
  const n = (value: number) => (person ? count(value) : String(value));
  const verdict = person
    ? s.diagnosis.category === "completed"
      ? ""
      : ` · ${s.diagnosis.retryable ? "retrying unchanged can succeed" : "retrying unchanged will not help"}`
    : ` · ${s.diagnosis.retryable ? "retryable" : "not retryable as is"}`;
  const lines = [
    `Session ${inline(s.session_id)}: ${s.status} (diagnosis: ${s.diagnosis.category})`,
    `cwd ${inline(s.cwd)} · model ${inline(s.model)} · codex ${inline(s.cli_version)} · ${n(s.counts.turns)} turn(s) · ${n(s.counts.function_calls)} call(s), ${n(s.counts.failed_calls)} failed · started ${time(s.started_at)} · last event ${time(s.last_event_at)}`,
    ...familyLine(s),
    `Diagnosis: ${s.diagnosis.category}${verdict}${s.diagnosis.resets_at ? ` · resets at ${time(s.diagnosis.resets_at)}` : ""}`,
    "Evidence:",
    ...s.diagnosis.evidence.map((line) => `- ${inline(line)}`),
    `Next step: ${inline(s.diagnosis.next_step)}`,
  ];
  const caution = person ? fullAccessCaution(s.diagnosis.next_command, sandboxOfSession(s.diagnosis)) : null;
  if (caution) lines.push(caution);
  lines.push(
    s.turns_omitted > 0 ? `Turns (the newest ${s.turns.length}; ${s.turns_omitted} older not shown):` : "Turns:",
    ...s.turns.map(
      (t) =>
        `${t.index}. ${t.status}: prompt ${quoted(t.prompt, 160)}${turnNotes(t)}${t.error ? `; error ${quoted(t.error, 200)}` : ""}`,
    ),
    `Last agent message: ${quoted(s.last_agent_message)}`,
  );
  if (s.files_changed.length > 0) lines.push(`Files changed: ${s.files_changed.map(inline).join(", ")}`);
  if (s.tokens)
    lines.push(
      `Tokens: ${n(s.tokens.total)} total (${n(s.tokens.input)} input, ${n(s.tokens.cached_input)} cached,${cacheWrites(s.tokens, n)} ${n(s.tokens.output)} output)`,
    );
  if (s.reasoning.length > 0)
    lines.push("Reasoning (newest last):", ...s.reasoning.map((r) => `- turn ${r.turn}: ${quoted(r.text, 200)}`));
  if (s.skipped_lines > 0) lines.push(`${n(s.skipped_lines)} unreadable line(s) skipped.`);
  if (s.bad_field_lines > 0)
    lines.push(`${n(s.bad_field_lines)} line(s) had a field of the wrong type or range (dropped).`);
  lines.push(DATA_NOTE);
  return lines.join("\n");
}

/** What else happened in a turn, as the structured answer says it: messages typed while it ran, compactions. */
function turnNotes(t: SessionSummary["turns"][number]): string {
  const notes: string[] = [];
  if (t.steering_messages > 0)
    notes.push(`${t.steering_messages} steering message${t.steering_messages === 1 ? "" : "s"}`);
  if (t.compactions > 0) notes.push(`context compacted ${t.compactions === 1 ? "once" : `${t.compactions} times`}`);
  return notes.map((note) => ` · ${note}`).join("");
}

/** Where a fork or sub-agent comes from: its parent is where its task was given, and where it is resumed from. */
function familyLine(s: SessionSummary): string[] {
  if (s.kind === "session" || s.parent_session_id === null) return [];
  const who = s.kind === "fork" ? "Fork" : `Sub-agent${s.agent_nickname ? ` ${inline(s.agent_nickname)}` : ""}`;
  return [`${who} of session ${inline(s.parent_session_id)} (its session_summary shows the whole task)`];
}

/**
 * `output`: how much of each call's output is shown: that many characters of its two ends on one line (its last
 * lines usually say why it failed), or "all" of it, line by line (`calls --full`).
 */
export function renderCalls(
  sessionId: string,
  total: number | null,
  calls: CallView[],
  reader: RunReader = "agent",
  output: number | "all" = 300,
): string {
  if (calls.length === 0) return `Session ${inline(sessionId)}: no tool calls.`;
  const n = (value: number) => (reader === "person" ? count(value) : String(value));
  // null: read from the file's end before the session was indexed, the total is not counted yet
  const lines = [
    `Session ${inline(sessionId)}: last ${calls.length}${total !== null ? ` of ${n(total)}` : ""} call(s), oldest first:`,
  ];
  for (const call of calls) {
    const exit = call.exit_code !== null ? ` exit ${call.exit_code}` : "";
    const duration = call.duration_ms !== null ? ` ${n(call.duration_ms)} ms` : "";
    // a call a code-mode script made has no arguments in the log (its patch or command is in its result)
    const what =
      call.command ??
      (typeof call.arguments === "string"
        ? call.arguments
        : call.arguments == null
          ? null
          : JSON.stringify(call.arguments));
    lines.push(
      `[turn ${call.turn}] ${inline(call.name)} ${call.status}${exit}${duration}${what !== null ? `: ${quoted(what, 200)}` : ""}`,
    );
    if (call.output !== null)
      lines.push(...(output === "all" ? outputLines(call.output) : [`    output: ${quotedEnds(call.output, output)}`]));
  }
  lines.push(DATA_NOTE);
  return lines.join("\n");
}

/** Log text quoted on one line as `quoted` does, but cut in its middle: its first third and its end are kept. */
function quotedEnds(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return quoted(flat, max);
  const head = Math.floor(max / 3);
  const ends = [cutWhole(flat, head), tailOf(flat, max - head)].map((part) =>
    inline(wellFormed(part).replace(/[\\“”]/g, "\\$&")),
  );
  return `“${ends.join(" … ")}”`;
}

/** The whole output, each line indented under `output:` so none reads as a line of ours; unsafe characters escaped. */
function outputLines(text: string): string[] {
  const lines = text.replace(/\n$/, "").split("\n");
  return [
    "    output:",
    ...lines.map((line) => (line.trim() === "" ? "" : `      ${keepLines(line.replace(/\r$/, ""))}`)),
  ];
}

/** Input written to the prompt cache, where the answer counts some (part of input, as cached is). */
function cacheWrites(tokens: { cache_write_input?: number }, n: (value: number) => string): string {
  return tokens.cache_write_input === undefined ? "" : ` ${n(tokens.cache_write_input)} cache writes,`;
}

export function renderUsage(usage: TokenUsageReport & { session_id: string }, reader: RunReader = "agent"): string {
  const person = reader === "person";
  const n = (value: number | null | undefined) =>
    value === null || value === undefined ? "?" : person ? count(value) : String(value);
  const lines = [`Session ${inline(usage.session_id)}:`];
  if (usage.total) {
    lines.push(
      `total ${n(usage.total.total)} tokens (${n(usage.total.input)} input, ${n(usage.total.cached_input)} cached,${cacheWrites(usage.total, n)} ${n(usage.total.output)} output, ${n(usage.total.reasoning_output)} reasoning)`,
    );
  } else {
    lines.push(`no token counts: ${usage.note}`);
  }
  if (usage.last_turn)
    lines.push(
      // turn 0: counters the log holds before (or without) any turn line
      usage.last_turn.turn === 0
        ? `counted outside any turn (the log has no turn lines there): ${n(usage.last_turn.total)} tokens`
        : `last turn (${usage.last_turn.turn}): ${n(usage.last_turn.total)} tokens`,
    );
  if (usage.context_used_percent !== null)
    lines.push(`context window: ${usage.context_used_percent}% of ${n(usage.model_context_window)} used`);
  if (usage.total && usage.note) lines.push(`note: ${usage.note}`);
  for (const name of ["primary", "secondary"] as const) {
    const window = usage.rate_limits?.[name];
    if (!window) continue;
    const length =
      window.window_minutes === null || window.window_minutes === undefined
        ? "?"
        : person
          ? windowLength(window.window_minutes)
          : `${window.window_minutes} min`;
    const resets = window.resets_at ? (person ? localTime(window.resets_at) : window.resets_at) : "unknown";
    lines.push(`${name} rate limit: ${window.used_percent ?? "?"}% used of ${length}, resets ${resets}`);
  }
  return lines.join("\n");
}

/** A run, as run_codex, run_status and cancel_run (and the CLI's `status`) show it. */
/** "tokens 2800 (context 1540/258400, 0.6%) · 5h 13% · weekly 40%". */
function liveLine(live: RunView["live"]): string | undefined {
  if (!live) return undefined;
  const parts: string[] = [];
  const usage = live.usage;
  if (usage)
    parts.push(
      `tokens ${usage.total_tokens}${usage.context_window ? ` (context ${usage.last_total_tokens}/${usage.context_window}, ${usage.context_used_percent}%)` : ""}`,
    );
  const name = (minutes: number | null) =>
    minutes === 300 ? "5h" : minutes === 10080 ? "weekly" : `${minutes ?? "?"} min`;
  for (const window of [live.rate_limits?.primary, live.rate_limits?.secondary])
    if (window) parts.push(`${name(window.window_minutes)} ${window.used_percent}%`);
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

export function renderRun(
  view: RunView,
  reader: RunReader = "agent",
  answerers: ApprovalAnswerers = { caller: false, hostUser: false },
): string {
  const lines = [
    `Run ${inline(view.run_id)}: ${view.status}${view.session_id ? ` · session ${inline(view.session_id)}` : ""} · ${Math.round(view.duration_ms / 100) / 10} s · ${view.mode} in ${inline(view.cwd)}${view.pending_approvals.length > 0 ? ` · ${view.pending_approvals.length} approval(s) pending` : ""}`,
  ];
  if (view.error) lines.push(`Error: ${quoted(view.error, 600)}`);
  if (view.exit_code !== null || view.signal) lines.push(`Exit: ${view.signal ?? `code ${view.exit_code}`}`);
  if (view.final_message) lines.push(`Final message: ${quoted(view.final_message, 1500)}`);
  if (view.effective?.mismatch)
    lines.push(
      `Warning: Codex ran with other settings than asked: ${view.effective.differences.map(inline).join("; ")}`,
    );
  if (view.usage) lines.push(`Tokens: ${view.usage.total} (${view.usage.input} input, ${view.usage.output} output)`);
  const live = view.status === "running" ? liveLine(view.live) : undefined;
  if (live) lines.push(`Live: ${live}`);
  for (const entry of view.pending_approvals)
    lines.push(
      `Approval ${inline(entry.approval_id)} pending: ${entry.kind} ${quoted(entry.summary, 300)}${entry.cwd ? ` in ${inline(entry.cwd)}` : ""}${entry.reason ? `, because ${quoted(entry.reason, 200)}` : ""}; ${howToAnswer(view.run_id, entry, reader === "person" ? "person" : answerers)}.`,
    );
  for (const entry of view.approvals ?? [])
    if (entry.status === "timed_out")
      lines.push(
        `Approval ${inline(entry.approval_id)} was declined: nobody answered in time (${entry.kind} ${quoted(entry.summary, 200)}).`,
      );
    else if (entry.status === "unanswered")
      lines.push(
        `Approval ${inline(entry.approval_id)} was not answered before the run ended; Codex did not run it (${entry.kind} ${quoted(entry.summary, 200)}).`,
      );
    else if (entry.status === "unknown")
      lines.push(
        `Approval ${inline(entry.approval_id)} is in a state this version does not know (a newer codex-control-mcp wrote it): ${entry.kind} ${quoted(entry.summary, 200)}.`,
      );
  if (view.files_changed.length > 0) lines.push(`Files changed: ${view.files_changed.map(inline).join(", ")}`);
  if (view.status === "running") {
    const last = view.recent_events.at(-1);
    if (last) lines.push(`Now: ${quoted(last.message, 200)}`);
    lines.push(`Still running: ${followRun(view.run_id, reader)}.`);
  } else if (view.status !== "completed" && view.stderr_tail.trim() !== "") {
    lines.push(`stderr (tail): ${quoted(view.stderr_tail.trim().split("\n").slice(-3).join(" | "), 600)}`);
  }
  if (view.resume_command) lines.push(`Resume: ${inline(view.resume_command)}`);
  // the resume command repeats the run's own mode, so full access there is what the run had
  const caution =
    reader === "person"
      ? fullAccessCaution(
          view.resume_command,
          view.effective?.sandbox ?? (view.mode === "full-access" ? "danger-full-access" : null),
        )
      : null;
  if (caution) lines.push(caution);
  return lines.join("\n");
}
