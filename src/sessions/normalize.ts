// One rollout line (any generation) → normalized SessionEvents. Decided per line, never per file or by
// `cli_version`: one file can mix generations (a 0.63 session resumed by 0.169).
//
// Producers (upstream openai/codex): codex-rs/core/src/rollout.rs (Gen B bare lines, ≤0.31),
// codex-rs/protocol/src/protocol.rs RolloutLine/EventMsg and models.rs ResponseItem (Gen C+, 0.32 →),
// codex-cli (TypeScript, Gen A whole-file JSON). Field history: ../shared/codex-formats.md §2–§4.
//
// Text de-duplication: from 0.32 on, user prompts, agent messages and reasoning are written twice, as an
// event (`user_message`/`agent_message`/`agent_reasoning`, or `item_completed` in paginated threads) and
// as an enveloped `response_item`. Events are the source; enveloped message/reasoning items are ignored.
// Bare response items (Gen A/B) have no events beside them, so there they are the source.
import type { RateLimitWindow, RateLimits, SessionEvent, TokenTotals } from "./events.js";
import { commandText, contentText, isRecord, joinArgv, parseToolOutput, patchPaths, tryParseJson } from "./tool-output.js";

type Json = Record<string, unknown>;

/** Result for one line: events (possibly none), or `undefined` when the line is not a rollout line at all. */
export type Normalized = SessionEvent[] | undefined;

const RESPONSE_ITEM_TYPES = new Set([
  "message",
  "reasoning",
  "function_call",
  "function_call_output",
  "custom_tool_call",
  "custom_tool_call_output",
  "local_shell_call",
  "local_shell_call_output",
  "web_search_call",
  "tool_search_call",
  "tool_search_output",
  "image_generation_call",
  "ghost_snapshot",
  "compaction",
  "compaction_summary",
  "other",
]);

/** The event_msg types eventMsg() reads; any other is passed over (see session-index.ts cannotMatter). */
export const READ_EVENTS = new Set([
  "task_started",
  "turn_started",
  "task_complete",
  "turn_complete",
  "turn_aborted",
  "user_message",
  "agent_message",
  "agent_reasoning",
  "item_completed",
  "token_count",
  "error",
  "stream_error",
  "exec_command_end",
  "patch_apply_end",
]);

/** The `item_completed` item types turnItem() reads. */
export const READ_ITEMS = new Set(["UserMessage", "AgentMessage", "Reasoning", "CommandExecution", "McpToolCall", "FileChange"]);

/** Top-level line types that carry nothing a forensic reader needs. */
const IGNORED_LINE_TYPES = new Set([
  "compacted",
  "world_state",
  "dynamic_tools_updated",
  "inter_agent_communication",
  "realtime_item",
  "security_risk_score",
]);

export function normalizeLine(value: unknown, line: number): Normalized {
  if (!isRecord(value)) return undefined;
  const timestamp = typeof value.timestamp === "string" ? value.timestamp : undefined;
  const at = { line, ...(timestamp !== undefined && { timestamp }) };

  if (typeof value.type === "string" && "payload" in value) {
    const payload = isRecord(value.payload) ? value.payload : undefined;
    if (!payload) return undefined;
    switch (value.type) {
      case "session_meta":
        return sessionMeta(payload, at);
      case "turn_context":
        return [turnContext(payload, at)];
      case "response_item":
        return responseItem(payload, at, { enveloped: true });
      case "event_msg":
        return eventMsg(payload, at);
      case "token_usage_record":
        return tokenUsageRecord(payload, at);
      default:
        return IGNORED_LINE_TYPES.has(value.type) ? [] : undefined;
    }
  }
  // Gen B (Rust ≤0.31): `{"record_type":"state"}`, a bare meta first line, bare response items
  if (value.record_type === "state") return [];
  if (typeof value.type === "string" && RESPONSE_ITEM_TYPES.has(value.type)) {
    return responseItem(value, at, { enveloped: false });
  }
  if (typeof value.id === "string" && typeof value.timestamp === "string" && value.type === undefined) {
    return sessionMeta(value, { line });
  }
  return undefined;
}

type At = { line: number; timestamp?: string };

function sessionMeta(payload: Json, at: At): SessionEvent[] {
  const id = str(payload.id);
  if (!id) return [];
  return [
    {
      ...at,
      kind: "meta",
      id,
      startedAt: str(payload.timestamp),
      cwd: str(payload.cwd),
      cliVersion: str(payload.cli_version),
      originator: str(payload.originator),
      source: sourceName(payload.source),
      modelProvider: str(payload.model_provider),
      forkedFromId: str(payload.forked_from_id),
    },
  ];
}

/** `"exec"`, `{"subagent":"review"}`, `{"subagent":{"thread_spawn":…}}`, `{"custom":"x"}` → one word. */
function sourceName(source: unknown): string | undefined {
  if (typeof source === "string") return source;
  if (isRecord(source)) {
    const key = Object.keys(source)[0];
    if (!key) return undefined;
    const inner = source[key];
    return typeof inner === "string" ? `${key}:${inner}` : key;
  }
  return undefined;
}

function turnContext(payload: Json, at: At): SessionEvent {
  const sandbox = isRecord(payload.sandbox_policy)
    ? str(payload.sandbox_policy.type) ?? str(payload.sandbox_policy.mode)
    : str(payload.sandbox_policy);
  const approval = typeof payload.approval_policy === "string" ? payload.approval_policy : keyOf(payload.approval_policy);
  return {
    ...at,
    kind: "turn_context",
    turnId: str(payload.turn_id),
    cwd: str(payload.cwd),
    model: str(payload.model),
    sandbox: sandbox,
    ...(isRecord(payload.sandbox_policy) && { sandboxPolicy: payload.sandbox_policy }),
    networkAccess: isRecord(payload.sandbox_policy) && typeof payload.sandbox_policy.network_access === "boolean" ? payload.sandbox_policy.network_access : undefined,
    approval: approval,
    effort: str(payload.effort),
  };
}

function responseItem(item: Json, at: At, { enveloped }: { enveloped: boolean }): SessionEvent[] {
  switch (item.type) {
    case "message": {
      if (enveloped) return [];
      const text = contentText(item.content);
      if (item.role === "user") return isHarnessText(text) ? [] : [{ ...at, kind: "user_message", text }];
      if (item.role === "assistant") return [{ ...at, kind: "agent_message", text }];
      return [];
    }
    case "reasoning": {
      if (enveloped) return [];
      const text = contentText(item.summary);
      return text ? [{ ...at, kind: "reasoning", text }] : [];
    }
    case "function_call": {
      const callId = str(item.call_id) ?? str(item.id);
      const name = str(item.name);
      if (!callId || !name) return [];
      const raw = typeof item.arguments === "string" ? item.arguments : JSON.stringify(item.arguments ?? null);
      const args = tryParseJson(raw) ?? raw;
      const fullName = qualifiedName(name, str(item.namespace));
      const patch = name === "apply_patch" && isRecord(args) && typeof args.input === "string" ? args.input : undefined;
      return [
        {
          ...at,
          kind: "call",
          callId,
          name: fullName,
          arguments: args,
          command: isShellTool(name) ? commandText(args) : undefined,
          patchPaths: patch !== undefined ? patchPaths(patch) : undefined,
        },
      ];
    }
    case "custom_tool_call": {
      const callId = str(item.call_id) ?? str(item.id);
      const name = str(item.name);
      if (!callId || !name) return [];
      const input = typeof item.input === "string" ? item.input : "";
      return [
        {
          ...at,
          kind: "call",
          callId,
          name: qualifiedName(name, str(item.namespace)),
          arguments: input,
          patchPaths: name === "apply_patch" ? patchPaths(input) : undefined,
        },
      ];
    }
    case "local_shell_call": {
      const callId = str(item.call_id) ?? str(item.id);
      if (!callId) return [];
      const action = isRecord(item.action) ? item.action : {};
      const exec = isRecord(action.exec) ? action.exec : action;
      const argv = Array.isArray(exec.command) ? exec.command.filter((part): part is string => typeof part === "string") : [];
      return [{ ...at, kind: "call", callId, name: "local_shell", arguments: action, command: joinArgv(argv) }];
    }
    case "function_call_output":
    case "custom_tool_call_output":
    case "local_shell_call_output": {
      const callId = str(item.call_id);
      if (!callId) return [];
      const parsed = parseToolOutput(item.output);
      return [
        {
          ...at,
          kind: "call_output",
          callId,
          text: parsed.text,
          exitCode: parsed.exitCode,
          durationMs: parsed.durationMs,
          running: parsed.running,
          isError: parsed.isError,
          denial: parsed.denial,
        },
      ];
    }
    default:
      return [];
  }
}

function eventMsg(payload: Json, at: At): SessionEvent[] {
  if (typeof payload.type !== "string" || !READ_EVENTS.has(payload.type)) return [];
  switch (payload.type) {
    case "task_started":
    case "turn_started":
      return [
        {
          ...at,
          kind: "turn_started",
          turnId: str(payload.turn_id),
          modelContextWindow: num(payload.model_context_window),
        },
      ];
    case "task_complete":
    case "turn_complete": {
      const error = isRecord(payload.error) ? payload.error : undefined;
      const message = error ? str(error.message) ?? JSON.stringify(error) : undefined;
      return [
        {
          ...at,
          kind: "turn_ended",
          outcome: error ? "failed" : "completed",
          turnId: str(payload.turn_id),
          lastAgentMessage: str(payload.last_agent_message) ?? null,
          error: message !== undefined ? { message, info: errorInfo(error?.codex_error_info) } : undefined,
        },
      ];
    }
    case "turn_aborted":
      return [
        { ...at, kind: "turn_ended", outcome: "aborted", turnId: str(payload.turn_id), reason: str(payload.reason) },
      ];
    case "user_message": {
      const text = str(payload.message) ?? "";
      return isHarnessText(text) ? [] : [{ ...at, kind: "user_message", text }];
    }
    case "agent_message":
      return [{ ...at, kind: "agent_message", text: str(payload.message) ?? "" }];
    case "agent_reasoning":
      return [{ ...at, kind: "reasoning", text: str(payload.text) ?? "" }];
    case "item_completed":
      return isRecord(payload.item) ? turnItem(payload.item, at) : [];
    case "token_count":
      return [tokenCount(payload, at)];
    case "error":
    case "stream_error":
      return [{ ...at, kind: "error", message: str(payload.message) ?? "", info: errorInfo(payload.codex_error_info) }];
    case "exec_command_end":
      return execCommandEnd(payload, at);
    case "patch_apply_end":
      return payload.success === true && isRecord(payload.changes)
        ? [{ ...at, kind: "files_changed", paths: Object.keys(payload.changes) }]
        : [];
    default:
      return [];
  }
}

/** `item_completed.item` (TurnItem, paginated threads 0.150+). */
function turnItem(item: Json, at: At): SessionEvent[] {
  if (typeof item.type !== "string" || !READ_ITEMS.has(item.type)) return [];
  switch (item.type) {
    case "UserMessage": {
      const text = contentText(item.content);
      return isHarnessText(text) ? [] : [{ ...at, kind: "user_message", text }];
    }
    case "AgentMessage":
      return [{ ...at, kind: "agent_message", text: contentText(item.content) }];
    case "Reasoning": {
      const text = Array.isArray(item.summary_text) ? item.summary_text.filter((t) => typeof t === "string").join("\n") : "";
      return text ? [{ ...at, kind: "reasoning", text }] : [];
    }
    case "CommandExecution": {
      const callId = str(item.id);
      if (!callId) return [];
      const argv = Array.isArray(item.command) ? item.command.filter((p): p is string => typeof p === "string") : [];
      return [
        {
          ...at,
          kind: "call_result",
          callId,
          exitCode: num(item.exit_code),
          durationMs: durationMs(item.duration),
          status: str(item.status),
          command: argv.length > 0 ? joinArgv(argv) : str(item.command),
        },
      ];
    }
    case "McpToolCall": {
      const callId = str(item.id);
      if (!callId) return [];
      const failed = item.status === "failed" || (isRecord(item.result) && item.result.isError === true) || item.error != null;
      return [
        {
          ...at,
          kind: "call_result",
          callId,
          status: failed ? "failed" : str(item.status) ?? "completed",
          durationMs: durationMs(item.duration),
        },
      ];
    }
    case "FileChange": {
      const changes = Array.isArray(item.changes) ? item.changes : isRecord(item.changes) ? Object.keys(item.changes) : [];
      const paths = changes
        .map((change) => (typeof change === "string" ? change : isRecord(change) ? str(change.path) : undefined))
        .filter((path): path is string => path !== undefined);
      return item.status === "failed" || paths.length === 0 ? [] : [{ ...at, kind: "files_changed", paths }];
    }
    default:
      return [];
  }
}

function execCommandEnd(payload: Json, at: At): SessionEvent[] {
  const callId = str(payload.call_id);
  if (!callId) return [];
  return [
    {
      ...at,
      kind: "call_result",
      callId,
      exitCode: num(payload.exit_code),
      durationMs: durationMs(payload.duration),
      status: str(payload.status),
    },
  ];
}

function tokenCount(payload: Json, at: At): SessionEvent {
  const info = isRecord(payload.info) ? payload.info : undefined;
  return {
    ...at,
    kind: "token_count",
    total: info ? tokenTotals(info.total_token_usage) : undefined,
    last: info ? tokenTotals(info.last_token_usage) : undefined,
    modelContextWindow: info ? num(info.model_context_window) : undefined,
    rateLimits: rateLimits(payload.rate_limits, at.timestamp),
  };
}

/** 0.160+: one line per model response; `thread_token_usage` is the same cumulative counter token_count carries. */
function tokenUsageRecord(payload: Json, at: At): SessionEvent[] {
  const events: SessionEvent[] = [];
  const turn = tokenTotals(payload.turn_token_usage);
  if (turn) events.push({ ...at, kind: "turn_usage", turnId: str(payload.turn_id), usage: turn });
  const thread = tokenTotals(payload.thread_token_usage);
  if (thread) events.push({ ...at, kind: "token_count", total: thread, last: tokenTotals(payload.usage) });
  return events;
}

export function tokenTotals(value: unknown): TokenTotals | undefined {
  if (!isRecord(value)) return undefined;
  const input = num(value.input_tokens) ?? 0;
  const output = num(value.output_tokens) ?? 0;
  return {
    input,
    cached_input: num(value.cached_input_tokens) ?? 0,
    output,
    reasoning_output: num(value.reasoning_output_tokens) ?? 0,
    total: num(value.total_tokens) ?? input + output,
  };
}

/** Every rate-limit shape since 0.40: flat percent fields, windows with `resets_in_seconds`, or `resets_at`. */
function rateLimits(value: unknown, timestamp: string | undefined): RateLimits | undefined {
  if (!isRecord(value)) return undefined;
  const window = (name: "primary" | "secondary"): RateLimitWindow | null => {
    const nested = value[name];
    if (isRecord(nested)) {
      const resetsAt = num(nested.resets_at);
      const resetsIn = num(nested.resets_in_seconds);
      return {
        used_percent: num(nested.used_percent) ?? null,
        window_minutes: num(nested.window_minutes) ?? null,
        resets_at:
          resetsAt !== undefined
            ? isoOrNull(resetsAt * 1000)
            : resetsIn !== undefined && timestamp
              ? isoOrNull(Date.parse(timestamp) + resetsIn * 1000)
              : null,
      };
    }
    const flatPercent = num(value[`${name}_used_percent`]);
    if (flatPercent === undefined) return null;
    return { used_percent: flatPercent, window_minutes: num(value[`${name}_window_minutes`]) ?? null, resets_at: null };
  };
  return { primary: window("primary"), secondary: window("secondary"), plan_type: str(value.plan_type) ?? null };
}

/** Rust `Duration` `{secs,nanos}`, or milliseconds. */
function durationMs(value: unknown): number | undefined {
  if (isRecord(value)) {
    const secs = num(value.secs) ?? 0;
    const nanos = num(value.nanos) ?? 0;
    return Math.round(secs * 1000 + nanos / 1e6);
  }
  return num(value);
}

/** A time that is not one (a torn or foreign timestamp) is no time, not a crash. */
function isoOrNull(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function errorInfo(info: unknown): string | undefined {
  return typeof info === "string" ? info : keyOf(info);
}

/** Texts Codex itself puts in user messages (environment, instructions, interrupt notes): not prompts. */
const HARNESS_PREFIXES = [
  "<environment_context>",
  "<user_instructions>",
  "# AGENTS.md instructions",
  "<permissions instructions>",
  "<skills_instructions>",
  "<turn_aborted>",
  "<user_shell_command>",
];

export function isHarnessText(text: string): boolean {
  const start = text.trimStart();
  return HARNESS_PREFIXES.some((prefix) => start.startsWith(prefix));
}

const SHELL_TOOLS = new Set(["shell", "container.exec", "shell_command", "exec_command", "local_shell"]);

function isShellTool(name: string): boolean {
  return SHELL_TOOLS.has(name);
}

/** MCP tools: `name` + `namespace` (`mcp__server` or `mcp__server__`) → `mcp__server__tool`. */
function qualifiedName(name: string, namespace: string | undefined): string {
  if (!namespace) return name;
  return namespace.endsWith("__") ? `${namespace}${name}` : `${namespace}__${name}`;
}

function keyOf(value: unknown): string | undefined {
  return isRecord(value) ? Object.keys(value)[0] : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
