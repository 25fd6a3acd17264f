// `codex exec --json` stdout, one line at a time, in all three shapes Codex has printed:
//   legacy (0.8 – 0.41): a config object, `{"prompt"}`, then `{"id", "msg": EventMsg}`; no terminal event
//   experimental (0.42): `session.created`, `item.*` with `item_type`
//   current (0.43 →): `thread.started`, `turn.started|completed|failed`, `item.*` with `type`, `error`
// Upstream: codex-rs/exec/src/event_processor_with_json_output.rs (legacy) and
// exec_events.rs / event_processor_with_jsonl_output.rs (current). A line that is not JSON is `noise`.
import { tokenTotals, type TokenTotals } from "../sessions/index.js";
import { isRecord, tryParseJson } from "../shared/json.js";
import { joinArgv } from "../shared/shell.js";

export type ExecEvent =
  | { kind: "session"; sessionId: string }
  | { kind: "turn_started" }
  | { kind: "turn_completed"; usage?: TokenTotals }
  | { kind: "turn_failed"; message: string }
  /** Legacy stream: the turn was interrupted. */
  | { kind: "turn_aborted"; reason?: string }
  | { kind: "command_started"; command: string }
  | { kind: "command_finished"; command?: string; exitCode?: number; status?: string }
  | { kind: "agent_message"; text: string }
  | { kind: "reasoning"; text: string }
  | { kind: "file_change"; paths: string[] }
  /** Legacy stream: a patch names its files when it starts, and only says whether it worked when it ends. */
  | { kind: "patch_begin"; callId: string; paths: string[] }
  | { kind: "patch_end"; callId: string; success: boolean }
  | { kind: "tool_call"; name: string; status?: string }
  /** A fatal or retried error reported by Codex (`error` events, legacy `error` msgs). */
  | { kind: "error"; message: string }
  /** Non-fatal: `item.type:"error"` notices, legacy `stream_error` retries. */
  | { kind: "warning"; message: string }
  | { kind: "usage"; usage: TokenTotals }
  | { kind: "noise"; text: string };

export function parseExecLine(line: string): ExecEvent[] {
  const trimmed = line.trim();
  if (trimmed === "") return [];
  const value = tryParseJson(trimmed);
  if (!isRecord(value)) return [{ kind: "noise", text: trimmed.slice(0, 500) }];
  if (typeof value.type === "string") return currentEvent(value);
  if (isRecord(value.msg)) return legacyEvent(value.msg);
  // legacy preamble: the config summary and `{"prompt": …}`
  return [];
}

function currentEvent(event: Record<string, unknown>): ExecEvent[] {
  switch (event.type) {
    case "thread.started":
      return typeof event.thread_id === "string" ? [{ kind: "session", sessionId: event.thread_id }] : [];
    case "session.created":
      return typeof event.session_id === "string" ? [{ kind: "session", sessionId: event.session_id }] : [];
    case "turn.started":
      return [{ kind: "turn_started" }];
    case "turn.completed": {
      const usage = tokenTotals(event.usage);
      return [{ kind: "turn_completed", ...(usage && { usage }) }];
    }
    case "turn.failed":
      return [{ kind: "turn_failed", message: messageOf(event.error) }];
    case "error":
      return [{ kind: "error", message: typeof event.message === "string" ? event.message : messageOf(event.error) }];
    case "item.started":
    case "item.updated":
    case "item.completed":
      return isRecord(event.item) ? itemEvent(event.item, event.type) : [];
    default:
      return [];
  }
}

function itemEvent(item: Record<string, unknown>, phase: string): ExecEvent[] {
  const type = item.type ?? item.item_type;
  const done = phase === "item.completed";
  switch (type) {
    case "command_execution": {
      const command = typeof item.command === "string" ? unwrapShell(item.command) : "";
      if (!done) return phase === "item.started" ? [{ kind: "command_started", command }] : [];
      return [
        {
          kind: "command_finished",
          command,
          ...(typeof item.exit_code === "number" && { exitCode: item.exit_code }),
          ...(typeof item.status === "string" && { status: item.status }),
        },
      ];
    }
    case "agent_message":
    case "assistant_message":
      return done && typeof item.text === "string" ? [{ kind: "agent_message", text: item.text }] : [];
    case "reasoning":
      return done && typeof item.text === "string" ? [{ kind: "reasoning", text: item.text }] : [];
    case "file_change": {
      if (!done || !Array.isArray(item.changes)) return [];
      const paths = item.changes.flatMap((change) =>
        isRecord(change) && typeof change.path === "string" ? [change.path] : [],
      );
      return [{ kind: "file_change", paths }];
    }
    case "mcp_tool_call":
      return [
        {
          kind: "tool_call",
          name: `${String(item.server)}.${String(item.tool)}`,
          ...(typeof item.status === "string" && { status: item.status }),
        },
      ];
    case "web_search":
      return done ? [{ kind: "tool_call", name: "web_search" }] : [];
    case "error":
      return typeof item.message === "string" ? [{ kind: "warning", message: item.message }] : [];
    default:
      return [];
  }
}

function legacyEvent(msg: Record<string, unknown>): ExecEvent[] {
  switch (msg.type) {
    case "session_configured":
      return typeof msg.session_id === "string" ? [{ kind: "session", sessionId: msg.session_id }] : [];
    case "task_started":
      return [{ kind: "turn_started" }];
    case "task_complete":
      return [{ kind: "turn_completed" }];
    case "turn_aborted":
      return [{ kind: "turn_aborted", ...(typeof msg.reason === "string" && { reason: msg.reason }) }];
    case "agent_message":
      return typeof msg.message === "string" ? [{ kind: "agent_message", text: msg.message }] : [];
    case "agent_reasoning":
      return typeof msg.text === "string" ? [{ kind: "reasoning", text: msg.text }] : [];
    case "exec_command_begin": {
      const argv = Array.isArray(msg.command)
        ? msg.command.filter((part): part is string => typeof part === "string")
        : [];
      return [{ kind: "command_started", command: joinArgv(argv) }];
    }
    case "exec_command_end":
      return [{ kind: "command_finished", ...(typeof msg.exit_code === "number" && { exitCode: msg.exit_code }) }];
    case "patch_apply_begin":
      return typeof msg.call_id === "string" && isRecord(msg.changes)
        ? [{ kind: "patch_begin", callId: msg.call_id, paths: Object.keys(msg.changes) }]
        : [];
    case "patch_apply_end":
      return typeof msg.call_id === "string"
        ? [{ kind: "patch_end", callId: msg.call_id, success: msg.success === true }]
        : [];
    case "mcp_tool_call_begin": {
      const invocation = isRecord(msg.invocation) ? msg.invocation : {};
      return [{ kind: "tool_call", name: `${String(invocation.server)}.${String(invocation.tool)}` }];
    }
    case "error":
      return [{ kind: "error", message: typeof msg.message === "string" ? msg.message : JSON.stringify(msg) }];
    case "stream_error":
      return [{ kind: "warning", message: typeof msg.message === "string" ? msg.message : "stream error" }];
    case "token_count": {
      // ≤0.30: flat per-response usage; 0.31+: {info: {total_token_usage}}
      const usage = isRecord(msg.info) ? tokenTotals(msg.info.total_token_usage) : tokenTotals(msg);
      return usage && (usage.total > 0 || usage.input > 0) ? [{ kind: "usage", usage }] : [];
    }
    default:
      return [];
  }
}

function messageOf(error: unknown): string {
  if (isRecord(error) && typeof error.message === "string") return error.message;
  return typeof error === "string" ? error : JSON.stringify(error ?? "unknown error");
}

/** `/bin/bash -lc 'npm test'` → `npm test`, for progress messages. */
function unwrapShell(command: string): string {
  const match = /^(?:\/\S*\/)?(?:bash|sh|zsh) -l?c (?:'((?:[^']|'\\'')*)'|"((?:[^"\\]|\\.)*)")$/.exec(command);
  if (!match) return command;
  if (match[1] !== undefined) return match[1].replace(/'\\''/g, "'");
  return (match[2] ?? "").replace(/\\(.)/g, "$1");
}
