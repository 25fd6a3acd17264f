// The readable text of each answer, shared by the MCP tools (their text mirror) and the CLI for people.
// Log-derived text is always shown quoted: it is data, never instructions.
import type { RunView } from "../runs/run-view.js";
import type { CallView, SessionListing, SessionSummary, TokenUsageReport } from "../sessions/index.js";
import { followRun, type RunReader } from "../sessions/follow-run.js";
import { DATA_NOTE, inline, quoted } from "../shared/text.js";

export { inline, quoted } from "../shared/text.js";


export function renderList(home: string, sessions: SessionListing[]): string {
  if (sessions.length === 0) return `No sessions found in ${home}.`;
  const lines = sessions.map(
    (s) => `${inline(s.session_id)}  ${s.status.padEnd(10)} ${s.updated_at}  ${inline(s.cli_version)}  ${inline(s.cwd)}  ${quoted(s.first_prompt, 80)}`,
  );
  return [`${sessions.length} session(s) in ${home}, newest first:`, ...lines, DATA_NOTE].join("\n");
}

export function renderSummary(s: SessionSummary): string {
  const lines = [
    `Session ${inline(s.session_id)}: ${s.status} (diagnosis: ${s.diagnosis.category})`,
    `cwd ${inline(s.cwd)} · model ${inline(s.model)} · codex ${inline(s.cli_version)} · ${s.counts.turns} turn(s) · ${s.counts.function_calls} call(s), ${s.counts.failed_calls} failed · started ${s.started_at ?? "?"} · last event ${s.last_event_at ?? "?"}`,
    `Diagnosis: ${s.diagnosis.category} · ${s.diagnosis.retryable ? "retryable" : "not retryable as is"}${s.diagnosis.resets_at ? ` · resets at ${s.diagnosis.resets_at}` : ""}`,
    "Evidence:",
    ...s.diagnosis.evidence.map((line) => `- ${inline(line)}`),
    `Next step: ${inline(s.diagnosis.next_step)}`,
    s.turns_omitted > 0 ? `Turns (the newest ${s.turns.length}; ${s.turns_omitted} older not shown):` : "Turns:",
    ...s.turns.map((t) => `${t.index}. ${t.status}: prompt ${quoted(t.prompt, 160)}${t.error ? `; error ${quoted(t.error, 200)}` : ""}`),
    `Last agent message: ${quoted(s.last_agent_message)}`,
  ];
  if (s.files_changed.length > 0) lines.push(`Files changed: ${s.files_changed.map(inline).join(", ")}`);
  if (s.tokens) lines.push(`Tokens: ${s.tokens.total} total (${s.tokens.input} input, ${s.tokens.cached_input} cached, ${s.tokens.output} output)`);
  if (s.reasoning.length > 0) lines.push("Reasoning (newest last):", ...s.reasoning.map((r) => `- turn ${r.turn}: ${quoted(r.text, 200)}`));
  if (s.skipped_lines > 0) lines.push(`${s.skipped_lines} unreadable line(s) skipped.`);
  if (s.bad_field_lines > 0) lines.push(`${s.bad_field_lines} line(s) had a field of the wrong type or range (dropped).`);
  lines.push(DATA_NOTE);
  return lines.join("\n");
}

export function renderCalls(sessionId: string, total: number | null, calls: CallView[]): string {
  if (calls.length === 0) return `Session ${inline(sessionId)}: no tool calls.`;
  // null: read from the file's end before the session was indexed, the total is not counted yet
  const lines = [`Session ${inline(sessionId)}: last ${calls.length}${total !== null ? ` of ${total}` : ""} call(s), oldest first:`];
  for (const call of calls) {
    const exit = call.exit_code !== null ? ` exit ${call.exit_code}` : "";
    const duration = call.duration_ms !== null ? ` ${call.duration_ms} ms` : "";
    lines.push(`[turn ${call.turn}] ${inline(call.name)} ${call.status}${exit}${duration}: ${quoted(call.command ?? (typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments)), 200)}`);
    if (call.output !== null) lines.push(`    output: ${quoted(call.output, 300)}`);
  }
  lines.push(DATA_NOTE);
  return lines.join("\n");
}

export function renderUsage(usage: TokenUsageReport & { session_id: string }): string {
    const lines = [`Session ${inline(usage.session_id)}:`];
    if (usage.total) {
      lines.push(`total ${usage.total.total} tokens (${usage.total.input} input, ${usage.total.cached_input} cached, ${usage.total.output} output, ${usage.total.reasoning_output} reasoning)`);
    } else {
      lines.push(`no token counts: ${usage.note}`);
    }
    if (usage.last_turn) lines.push(`last turn (${usage.last_turn.turn}): ${usage.last_turn.total} tokens`);
    if (usage.context_used_percent !== null) lines.push(`context window: ${usage.context_used_percent}% of ${usage.model_context_window} used`);
    if (usage.total && usage.note) lines.push(`note: ${usage.note}`);
    for (const name of ["primary", "secondary"] as const) {
      const window = usage.rate_limits?.[name];
      if (window) lines.push(`${name} rate limit: ${window.used_percent ?? "?"}% used of ${window.window_minutes ?? "?"} min, resets ${window.resets_at ?? "unknown"}`);
    }
  return lines.join("\n");
}

/** A run, as run_codex, run_status and cancel_run (and the CLI's `status`) show it. */
export function renderRun(view: RunView, reader: RunReader = "agent"): string {
  const lines = [`Run ${inline(view.run_id)}: ${view.status}${view.session_id ? ` · session ${inline(view.session_id)}` : ""} · ${Math.round(view.duration_ms / 100) / 10} s · ${view.mode} in ${inline(view.cwd)}`];
  if (view.error) lines.push(`Error: ${quoted(view.error, 600)}`);
  if (view.exit_code !== null || view.signal) lines.push(`Exit: ${view.signal ?? `code ${view.exit_code}`}`);
  if (view.final_message) lines.push(`Final message: ${quoted(view.final_message, 1500)}`);
  if (view.effective?.mismatch) lines.push(`Warning: Codex ran with other settings than asked: ${view.effective.differences.map(inline).join("; ")}`);
  if (view.usage) lines.push(`Tokens: ${view.usage.total} (${view.usage.input} input, ${view.usage.output} output)`);
  if (view.files_changed.length > 0) lines.push(`Files changed: ${view.files_changed.map(inline).join(", ")}`);
  if (view.status === "running") {
    const last = view.recent_events.at(-1);
    if (last) lines.push(`Now: ${quoted(last.message, 200)}`);
    lines.push(`Still running: ${followRun(view.run_id, reader)}.`);
  } else if (view.status !== "completed" && view.stderr_tail.trim() !== "") {
    lines.push(`stderr (tail): ${quoted(view.stderr_tail.trim().split("\n").slice(-3).join(" | "), 600)}`);
  }
  if (view.resume_command) lines.push(`Resume: ${inline(view.resume_command)}`);
  return lines.join("\n");
}
