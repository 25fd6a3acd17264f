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
import { isRecord, tryParseJson } from "../shared/json.js";
import { joinArgv } from "../shared/shell.js";
import { commandText, contentText, parseToolOutput, patchPaths } from "./tool-output.js";

type Json = Record<string, unknown>;

/** Result for one line: events (possibly none), or `undefined` when the line is not a rollout line at all. */
export type Normalized = SessionEvent[] | undefined;

/** Marks a type the normalizer knows and deliberately reads nothing from (it never becomes an event). */
const IGNORED = null;
type Ignored = typeof IGNORED;
type Handler = (payload: Json, at: At) => SessionEvent[];

// THE NORMALIZER TABLES. Every line, event and item type Codex writes has one entry: its handler, or IGNORED.
// The byte pre-filter (line-filter.ts) is derived from them, so a new type is added here and nowhere else;
// a type in none of them is counted in `unknownLines` (FieldIssues) and yields nothing.

/** Top-level types of an enveloped line `{timestamp, type, payload}` (Gen C+, 0.32 →). */
export const LINE_TYPES = {
  session_meta: (payload, at) => sessionMeta(payload, at),
  turn_context: (payload, at) => [turnContext(payload, at)],
  response_item: (payload, at) => responseItem(payload, at, { enveloped: true }),
  event_msg: (payload, at) => eventMsg(payload, at),
  token_usage_record: (payload, at) => tokenUsageRecord(payload, at),
  compacted: IGNORED,
  world_state: IGNORED,
  dynamic_tools_updated: IGNORED,
  inter_agent_communication: IGNORED,
  inter_agent_communication_metadata: IGNORED,
  realtime_item: IGNORED,
  security_risk_score: IGNORED,
} as const satisfies Record<string, Handler | Ignored>;

/**
 * How an enveloped response item is read: from 0.32 on, messages and reasoning are written twice (events
 * are the source), except a user message's copy, which is the prompt where no event carries it.
 */
export type EnvelopedRule = "read" | "user message only" | "never";

interface ItemEntry {
  read: (item: Json, at: At, enveloped: boolean) => SessionEvent[];
  enveloped: EnvelopedRule;
}

/** ResponseItem types (`payload` of `response_item`, or a bare line in Gen A/B), see codex-formats §2.11. */
export const RESPONSE_ITEM_TYPES = {
  message: { read: message, enveloped: "user message only" },
  agent_message: { read: agentMessageItem, enveloped: "read" },
  reasoning: { read: reasoningItem, enveloped: "never" },
  function_call: { read: functionCall, enveloped: "read" },
  custom_tool_call: { read: customToolCall, enveloped: "read" },
  local_shell_call: { read: localShellCall, enveloped: "read" },
  function_call_output: { read: toolOutput, enveloped: "read" },
  custom_tool_call_output: { read: toolOutput, enveloped: "read" },
  local_shell_call_output: { read: toolOutput, enveloped: "read" },
  web_search_call: IGNORED,
  tool_search_call: IGNORED,
  tool_search_output: IGNORED,
  image_generation_call: IGNORED,
  ghost_snapshot: IGNORED,
  compaction: IGNORED,
  compaction_summary: IGNORED,
  additional_tools: IGNORED,
  configuration_update: IGNORED,
  compaction_trigger: IGNORED,
  context_compaction: IGNORED,
  other: IGNORED,
} as const satisfies Record<string, ItemEntry | Ignored>;

/** EventMsg types (`payload` of `event_msg`), see codex-formats §2.12. */
export const EVENT_TYPES = {
  task_started: (payload, at) => turnStarted(payload, at),
  turn_started: (payload, at) => turnStarted(payload, at),
  task_complete: (payload, at) => turnComplete(payload, at),
  turn_complete: (payload, at) => turnComplete(payload, at),
  turn_aborted: (payload, at) => [
    { kind: "turn_ended", outcome: "aborted", turnId: str(payload.turn_id), reason: str(payload.reason), ...at },
  ],
  user_message: (payload, at) => {
    const text = str(payload.message) ?? "";
    return isHarnessText(text) ? [] : [{ kind: "user_message", text, ...at }];
  },
  agent_message: (payload, at) => [{ kind: "agent_message", text: str(payload.message) ?? "", ...at }],
  agent_reasoning: (payload, at) => [{ kind: "reasoning", text: str(payload.text) ?? "", ...at }],
  item_completed: (payload, at) => (isRecord(payload.item) ? turnItem(payload.item, at) : []),
  context_compacted: (_payload, at) => [{ kind: "compaction", ...at }],
  token_count: (payload, at) => [tokenCount(payload, at)],
  error: (payload, at) => [errorEvent(payload, at)],
  stream_error: (payload, at) => [errorEvent(payload, at)],
  exec_command_end: (payload, at) => execCommandEnd(payload, at),
  patch_apply_end: (payload, at) =>
    payload.success === true && isRecord(payload.changes)
      ? [{ kind: "files_changed", paths: Object.keys(payload.changes), ...at }]
      : [],
  // the call's begin, deltas and other ends: the response items and *_end events above carry what matters
  exec_command_begin: IGNORED,
  exec_command_output_delta: IGNORED,
  exec_approval_request: IGNORED,
  apply_patch_approval_request: IGNORED,
  patch_apply_begin: IGNORED,
  patch_apply_updated: IGNORED,
  mcp_tool_call_begin: IGNORED,
  mcp_tool_call_end: IGNORED,
  mcp_list_tools_response: IGNORED,
  mcp_startup_update: IGNORED,
  mcp_startup_complete: IGNORED,
  web_search_begin: IGNORED,
  web_search_end: IGNORED,
  image_generation_begin: IGNORED,
  image_generation_end: IGNORED,
  view_image_tool_call: IGNORED,
  dynamic_tool_call_request: IGNORED,
  dynamic_tool_call_response: IGNORED,
  terminal_interaction: IGNORED,
  agent_message_delta: IGNORED,
  agent_message_content_delta: IGNORED,
  agent_reasoning_delta: IGNORED,
  agent_reasoning_raw_content: IGNORED,
  agent_reasoning_raw_content_delta: IGNORED,
  agent_reasoning_section_break: IGNORED,
  reasoning_content_delta: IGNORED,
  reasoning_raw_content_delta: IGNORED,
  raw_response_item: IGNORED,
  item_started: IGNORED,
  session_configured: IGNORED,
  thread_settings_applied: (payload, at) => threadSettings(payload, at),
  thread_name_updated: IGNORED,
  thread_goal_updated: IGNORED,
  thread_queue_changed: IGNORED,
  thread_rolled_back: IGNORED,
  shutdown_complete: IGNORED,
  background_event: IGNORED,
  warning: IGNORED,
  guardian_warning: IGNORED,
  guardian_assessment: IGNORED,
  deprecation_notice: IGNORED,
  model_reroute: IGNORED,
  model_verification: IGNORED,
  turn_moderation_metadata: IGNORED,
  safety_buffering: IGNORED,
  environment_connected: IGNORED,
  environment_disconnected: IGNORED,
  turn_diff: IGNORED,
  plan_update: IGNORED,
  get_history_entry_response: IGNORED,
  list_custom_prompts_response: IGNORED,
  entered_review_mode: IGNORED,
  exited_review_mode: IGNORED,
  undo_started: IGNORED,
  undo_completed: IGNORED,
  hook_started: IGNORED,
  hook_completed: IGNORED,
  elicitation_request: IGNORED,
  request_user_input: IGNORED,
  sub_agent_activity: IGNORED,
  collab_agent_spawn_begin: IGNORED,
  collab_agent_spawn_end: IGNORED,
  collab_agent_interaction_begin: IGNORED,
  collab_agent_interaction_end: IGNORED,
  collab_waiting_begin: IGNORED,
  collab_waiting_end: IGNORED,
  collab_close_begin: IGNORED,
  collab_close_end: IGNORED,
} as const satisfies Record<string, Handler | Ignored>;

/** TurnItem types (`item` of an `item_completed` event, paginated threads 0.150+), see codex-formats §2.13. */
export const TURN_ITEM_TYPES = {
  UserMessage: (item, at) => {
    const text = contentText(item.content);
    return isHarnessText(text) ? [] : [{ kind: "user_message", text, ...at }];
  },
  AgentMessage: (item, at) => [{ kind: "agent_message", text: contentText(item.content), ...at }],
  Reasoning: (item, at) => {
    const text = Array.isArray(item.summary_text)
      ? item.summary_text.filter((t) => typeof t === "string").join("\n")
      : "";
    return text ? [{ kind: "reasoning", text, ...at }] : [];
  },
  CommandExecution: (item, at) => commandExecution(item, at),
  McpToolCall: (item, at) => mcpToolCall(item, at),
  ContextCompaction: (_item, at) => [{ kind: "compaction", ...at }],
  FileChange: (item, at) => fileChange(item, at),
  HookPrompt: IGNORED,
  Plan: IGNORED,
  WebSearch: IGNORED,
  ImageView: IGNORED,
  ImageGeneration: IGNORED,
  DynamicToolCall: IGNORED,
  CollabAgentToolCall: IGNORED,
  SubAgentActivity: IGNORED,
  Extension: IGNORED,
} as const satisfies Record<string, Handler | Ignored>;

/** An own key of one of the tables (never an inherited one such as `constructor`). */
function entryOf<T extends object>(table: T, type: unknown): T[keyof T] | undefined {
  return typeof type === "string" && Object.hasOwn(table, type) ? table[type as keyof T] : undefined;
}

/** Lines whose JSON was a rollout line but held a field of the wrong type or range (the field was dropped). */
export interface FieldIssues {
  badFieldLines: number;
  /** Lines of a known envelope whose event or item type is in no table (see LINE_TYPES): read as nothing. */
  unknownLines?: number;
}

/**
 * Values of the wrong type or range dropped while normalizing the current line, and whether its type was
 * unknown. Normalizing is synchronous, so one reset per line is safe.
 */
let droppedFields = 0;
let unknownType = false;

export function normalizeLine(value: unknown, line: number, issues?: FieldIssues): Normalized {
  droppedFields = 0;
  unknownType = false;
  const events = normalizeValue(value, line);
  if (issues && events !== undefined) {
    if (droppedFields > 0) issues.badFieldLines += 1;
    if (unknownType) issues.unknownLines = (issues.unknownLines ?? 0) + 1;
  }
  return events;
}

function normalizeValue(value: unknown, line: number): Normalized {
  if (!isRecord(value)) return undefined;
  const at = atOf(line, value.timestamp, value.ordinal);
  if (typeof value.type === "string" && "payload" in value) {
    const payload = isRecord(value.payload) ? value.payload : undefined;
    if (!payload) return undefined;
    const entry = entryOf(LINE_TYPES, value.type);
    if (entry === undefined) return undefined;
    return entry === IGNORED ? [] : entry(payload, at);
  }
  // Gen B (Rust ≤0.31): `{"record_type":"state"}`, a bare meta first line, bare response items
  if (value.record_type === "state") return [];
  if (entryOf(RESPONSE_ITEM_TYPES, value.type) !== undefined) return responseItem(value, at, { enveloped: false });
  if (typeof value.id === "string" && typeof value.timestamp === "string" && value.type === undefined) {
    return sessionMeta(value, { line });
  }
  return undefined;
}

function atOf(line: number, rawTimestamp: unknown, rawOrdinal: unknown): At {
  const timestamp = isoTime(rawTimestamp);
  const ordinal = count(rawOrdinal);
  if (timestamp === undefined) return ordinal === undefined ? { line } : { line, ordinal };
  return ordinal === undefined ? { line, timestamp } : { line, timestamp, ordinal };
}

type At = { line: number; timestamp?: string; ordinal?: number };

function sessionMeta(payload: Json, at: At): SessionEvent[] {
  const id = str(payload.id);
  if (!id) return [];
  const spawn = subagentSpawn(payload.source);
  const forkedFromId = str(payload.forked_from_id);
  const parentId = forkedFromId ?? str(payload.parent_thread_id) ?? (spawn ? str(spawn.parent_thread_id) : undefined);
  const isSubagent = isRecord(payload.source) && "subagent" in payload.source;
  const nickname = str(payload.agent_nickname) ?? (spawn ? str(spawn.agent_nickname) : undefined);
  const historyStartOrdinal = count(payload.subagent_history_start_ordinal);
  return [
    {
      kind: "meta",
      id,
      startedAt: isoTime(payload.timestamp),
      cwd: str(payload.cwd),
      cliVersion: str(payload.cli_version),
      originator: str(payload.originator),
      source: sourceName(payload.source),
      modelProvider: str(payload.model_provider),
      forkedFromId,
      parentId,
      sessionKind: isSubagent
        ? "subagent"
        : parentId !== undefined
          ? forkedFromId !== undefined
            ? "fork"
            : "subagent"
          : "session",
      ...(nickname !== undefined && { agentNickname: nickname }),
      ...(historyStartOrdinal !== undefined && { historyStartOrdinal }),
      ...(isRecord(payload.history_base) && { historyByReference: true }),
      ...(isRecord(payload.history_base) &&
        count(payload.history_base.end_ordinal_exclusive) !== undefined && {
          historyEndOrdinal: count(payload.history_base.end_ordinal_exclusive),
        }),
      ...at,
    },
  ];
}

/** `source: {"subagent": {"thread_spawn": {parent_thread_id, agent_nickname, …}}}` → the thread_spawn object. */
function subagentSpawn(source: unknown): Json | undefined {
  if (!isRecord(source) || !isRecord(source.subagent)) return undefined;
  return isRecord(source.subagent.thread_spawn) ? source.subagent.thread_spawn : undefined;
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
    ? (str(payload.sandbox_policy.type) ?? str(payload.sandbox_policy.mode))
    : str(payload.sandbox_policy);
  const approval =
    typeof payload.approval_policy === "string" ? payload.approval_policy : keyOf(payload.approval_policy);
  return {
    kind: "turn_context",
    turnId: str(payload.turn_id),
    cwd: str(payload.cwd),
    model: str(payload.model),
    sandbox: sandbox,
    ...(isRecord(payload.sandbox_policy) && { sandboxPolicy: payload.sandbox_policy }),
    networkAccess:
      isRecord(payload.sandbox_policy) && typeof payload.sandbox_policy.network_access === "boolean"
        ? payload.sandbox_policy.network_access
        : undefined,
    approval: approval,
    approvalsReviewer: str(payload.approvals_reviewer),
    effort: str(payload.effort),
    ...at,
  };
}

/**
 * `thread_settings_applied` (0.169+): the settings a thread (re)starts or is changed with, written before the
 * turn's turn_context and also where no turn follows (a run stopped at start-up, a settings change between
 * turns). Shape (0.171): `thread_settings{model, model_provider_id, approval_policy, approvals_reviewer,
 * permission_profile{type: managed|disabled|external}, cwd, runtime_workspace_roots, collaboration_mode{settings
 * {reasoning_effort}}, disabled_plugin_ids}`. It names no sandbox mode: only `disabled` (no sandbox) maps to one.
 */
function threadSettings(payload: Json, at: At): SessionEvent[] {
  const settings = isRecord(payload.thread_settings) ? payload.thread_settings : undefined;
  if (!settings) return [];
  const profile = isRecord(settings.permission_profile) ? str(settings.permission_profile.type) : undefined;
  const sandbox =
    profile === "disabled" ? "danger-full-access" : profile === "external" ? "external-sandbox" : undefined;
  const collaboration =
    isRecord(settings.collaboration_mode) && isRecord(settings.collaboration_mode.settings)
      ? settings.collaboration_mode.settings
      : undefined;
  const approval =
    typeof settings.approval_policy === "string" ? settings.approval_policy : keyOf(settings.approval_policy);
  const event: SessionEvent = { kind: "settings", ...at };
  const model = str(settings.model);
  const cwd = str(settings.cwd);
  const effort = collaboration ? str(collaboration.reasoning_effort) : undefined;
  if (model !== undefined) event.model = model;
  if (cwd !== undefined) event.cwd = cwd;
  if (approval !== undefined) event.approval = approval;
  if (sandbox !== undefined) event.sandbox = sandbox;
  if (effort !== undefined) event.effort = effort;
  return [event];
}

function responseItem(item: Json, at: At, { enveloped }: { enveloped: boolean }): SessionEvent[] {
  const entry = entryOf(RESPONSE_ITEM_TYPES, item.type);
  if (entry === undefined) {
    unknownType = true;
    return [];
  }
  if (entry === IGNORED || (enveloped && entry.enveloped === "never")) return [];
  return entry.read(item, at, enveloped);
}

function message(item: Json, at: At, enveloped: boolean): SessionEvent[] {
  if (enveloped && item.role !== "user") return [];
  const text = contentText(item.content);
  // an enveloped user message is a copy of the prompt's event: the prompt only where no event has it
  if (item.role === "user")
    return isHarnessText(text) || text === ""
      ? []
      : [{ kind: "user_message", text, ...(enveloped && { copy: true }), ...at }];
  if (item.role === "assistant") return [{ kind: "agent_message", text, ...at }];
  return [];
}

/** 0.158 multi-agent: a message between agents (a sub-agent's task, or its report to the parent). */
function agentMessageItem(item: Json, at: At): SessionEvent[] {
  const text = contentText(item.content);
  return text ? [{ kind: "user_message", text, fromAgent: true, ...at }] : [];
}

function reasoningItem(item: Json, at: At): SessionEvent[] {
  const text = contentText(item.summary);
  return text ? [{ kind: "reasoning", text, ...at }] : [];
}

function functionCall(item: Json, at: At): SessionEvent[] {
  const callId = str(item.call_id) ?? str(item.id);
  const name = str(item.name);
  if (!callId || !name) return [];
  const raw = typeof item.arguments === "string" ? item.arguments : JSON.stringify(item.arguments ?? null);
  const args = tryParseJson(raw) ?? raw;
  const fullName = qualifiedName(name, str(item.namespace));
  const patch = name === "apply_patch" && isRecord(args) && typeof args.input === "string" ? args.input : undefined;
  return [
    {
      kind: "call",
      callId,
      name: fullName,
      arguments: args,
      command: isShellTool(name) ? commandText(args) : undefined,
      patchPaths: patch !== undefined ? patchPaths(patch) : undefined,
      ...(name === "write_stdin" && processIdOf(args) !== undefined && { polls: processIdOf(args) }),
      ...at,
    },
  ];
}

/** `write_stdin{session_id}` (unified exec): the process a poll reads from, as the running output named it. */
function processIdOf(args: unknown): string | undefined {
  if (!isRecord(args)) return undefined;
  const id = args.session_id;
  if (typeof id === "number" && Number.isInteger(id) && id >= 0) return String(id);
  return typeof id === "string" && /^\d{1,20}$/.test(id) ? id : undefined;
}

function customToolCall(item: Json, at: At): SessionEvent[] {
  const callId = str(item.call_id) ?? str(item.id);
  const name = str(item.name);
  if (!callId || !name) return [];
  const input = typeof item.input === "string" ? item.input : "";
  return [
    {
      kind: "call",
      callId,
      name: qualifiedName(name, str(item.namespace)),
      arguments: input,
      patchPaths: name === "apply_patch" ? patchPaths(input) : undefined,
      ...at,
    },
  ];
}

function localShellCall(item: Json, at: At): SessionEvent[] {
  const callId = str(item.call_id) ?? str(item.id);
  if (!callId) return [];
  const action = isRecord(item.action) ? item.action : {};
  const exec = isRecord(action.exec) ? action.exec : action;
  const argv = Array.isArray(exec.command)
    ? exec.command.filter((part): part is string => typeof part === "string")
    : [];
  return [{ kind: "call", callId, name: "local_shell", arguments: action, command: joinArgv(argv), ...at }];
}

function toolOutput(item: Json, at: At): SessionEvent[] {
  const callId = str(item.call_id);
  if (!callId) return [];
  const parsed = parseToolOutput(item.output);
  return [
    {
      kind: "call_output",
      callId,
      text: parsed.text,
      exitCode: parsed.exitCode,
      durationMs: parsed.durationMs,
      running: parsed.running,
      ...(parsed.processId !== undefined && { processId: parsed.processId }),
      isError: parsed.isError,
      denial: parsed.denial,
      ...at,
    },
  ];
}

function eventMsg(payload: Json, at: At): SessionEvent[] {
  const entry = entryOf(EVENT_TYPES, payload.type);
  if (entry === undefined) unknownType = true;
  return entry ? entry(payload, at) : [];
}

function turnStarted(payload: Json, at: At): SessionEvent[] {
  return [
    {
      kind: "turn_started",
      turnId: str(payload.turn_id),
      modelContextWindow: count(payload.model_context_window),
      ...at,
    },
  ];
}

function turnComplete(payload: Json, at: At): SessionEvent[] {
  const error = isRecord(payload.error) ? payload.error : undefined;
  const message = error ? (str(error.message) ?? JSON.stringify(error)) : undefined;
  return [
    {
      kind: "turn_ended",
      outcome: error ? "failed" : "completed",
      turnId: str(payload.turn_id),
      lastAgentMessage: str(payload.last_agent_message) ?? null,
      error: message !== undefined ? { message, info: errorInfo(error?.codex_error_info) } : undefined,
      ...at,
    },
  ];
}

function errorEvent(payload: Json, at: At): SessionEvent {
  return { kind: "error", message: str(payload.message) ?? "", info: errorInfo(payload.codex_error_info), ...at };
}

/** `item_completed.item` (TurnItem, paginated threads 0.150+). */
function turnItem(item: Json, at: At): SessionEvent[] {
  const entry = entryOf(TURN_ITEM_TYPES, item.type);
  if (entry === undefined) unknownType = true;
  return entry ? entry(item, at) : [];
}

function commandExecution(item: Json, at: At): SessionEvent[] {
  const callId = str(item.id);
  if (!callId) return [];
  const argv = Array.isArray(item.command) ? item.command.filter((p): p is string => typeof p === "string") : [];
  return [
    {
      kind: "call_result",
      callId,
      exitCode: int(item.exit_code),
      durationMs: durationMs(item.duration),
      status: str(item.status),
      command: argv.length > 0 ? joinArgv(argv) : typeof item.command === "string" ? item.command : undefined,
      name: "exec_command",
      ...(typeof item.aggregated_output === "string" && { text: item.aggregated_output }),
      ...at,
    },
  ];
}

function mcpToolCall(item: Json, at: At): SessionEvent[] {
  const callId = str(item.id);
  if (!callId) return [];
  const failed =
    item.status === "failed" || (isRecord(item.result) && item.result.isError === true) || item.error != null;
  const server = typeof item.server === "string" ? item.server : undefined;
  const tool = typeof item.tool === "string" ? item.tool : undefined;
  const errorText =
    typeof item.error === "string"
      ? item.error
      : isRecord(item.error) && typeof item.error.message === "string"
        ? item.error.message
        : undefined;
  return [
    {
      kind: "call_result",
      callId,
      status: failed ? "failed" : (str(item.status) ?? "completed"),
      durationMs: durationMs(item.duration),
      ...(tool !== undefined && { name: server !== undefined ? `mcp__${server}__${tool}` : tool }),
      ...(item.arguments !== undefined && { arguments: item.arguments }),
      text: errorText ?? (isRecord(item.result) ? parseToolOutput(item.result).text : ""),
      ...at,
    },
  ];
}

function fileChange(item: Json, at: At): SessionEvent[] {
  const changes = Array.isArray(item.changes) ? item.changes : isRecord(item.changes) ? Object.keys(item.changes) : [];
  const paths = changes
    .map((change) => (typeof change === "string" ? change : isRecord(change) ? str(change.path) : undefined))
    .filter((path): path is string => path !== undefined);
  return item.status === "failed" || paths.length === 0 ? [] : [{ kind: "files_changed", paths, ...at }];
}

function execCommandEnd(payload: Json, at: At): SessionEvent[] {
  const callId = str(payload.call_id);
  if (!callId) return [];
  return [
    {
      kind: "call_result",
      callId,
      exitCode: int(payload.exit_code),
      durationMs: durationMs(payload.duration),
      status: str(payload.status),
      ...at,
    },
  ];
}

function tokenCount(payload: Json, at: At): SessionEvent {
  const info = isRecord(payload.info) ? payload.info : undefined;
  return {
    kind: "token_count",
    total: info ? tokenTotals(info.total_token_usage) : undefined,
    last: info ? tokenTotals(info.last_token_usage) : undefined,
    modelContextWindow: info ? count(info.model_context_window) : undefined,
    rateLimits: rateLimits(payload.rate_limits, at.timestamp),
    ...at,
  };
}

/** 0.160+: one line per model response; `thread_token_usage` is the same cumulative counter token_count carries. */
function tokenUsageRecord(payload: Json, at: At): SessionEvent[] {
  const events: SessionEvent[] = [];
  const turn = tokenTotals(payload.turn_token_usage);
  if (turn) events.push({ kind: "turn_usage", turnId: str(payload.turn_id), usage: turn, ...at });
  const thread = tokenTotals(payload.thread_token_usage);
  if (thread)
    events.push({ kind: "token_count", source: "record", total: thread, last: tokenTotals(payload.usage), ...at });
  return events;
}

export function tokenTotals(value: unknown): TokenTotals | undefined {
  if (!isRecord(value)) {
    if (value != null) droppedFields += 1;
    return undefined;
  }
  const input = count(value.input_tokens) ?? 0;
  const output = count(value.output_tokens) ?? 0;
  return {
    input,
    cached_input: count(value.cached_input_tokens) ?? 0,
    output,
    reasoning_output: count(value.reasoning_output_tokens) ?? 0,
    total: count(value.total_tokens) ?? input + output,
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
            ? isoFromMs(resetsAt * 1000)
            : resetsIn !== undefined && timestamp
              ? isoFromMs(Date.parse(timestamp) + resetsIn * 1000)
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
    const secs = count(value.secs) ?? 0;
    const nanos = count(value.nanos) ?? 0;
    return checked(Math.round(secs * 1000 + nanos / 1e6));
  }
  return count(value);
}

function errorInfo(info: unknown): string | undefined {
  return typeof info === "string" ? info : keyOf(info);
}

/** Texts Codex itself puts in user messages (environment, instructions, interrupt notes): not prompts. */
export const HARNESS_PREFIXES = [
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

// Field readers: a value of another type (null aside: "not said") is dropped and counted.

function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value != null) droppedFields += 1;
  return undefined;
}

/** A finite number whose magnitude no sum of a session's values can overflow. */
function num(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= MAX_MAGNITUDE) return value;
  if (value != null) droppedFields += 1;
  return undefined;
}

/** A non-negative integer (token counts, ordinals, milliseconds). */
function count(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= MAX_MAGNITUDE) return value;
  if (value != null) droppedFields += 1;
  return undefined;
}

function int(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && Math.abs(value) <= MAX_MAGNITUDE) return value;
  if (value != null) droppedFields += 1;
  return undefined;
}

function checked(value: number): number | undefined {
  if (Number.isFinite(value) && Math.abs(value) <= MAX_MAGNITUDE) return value;
  droppedFields += 1;
  return undefined;
}

/** 2^40 (about 10^12): more tokens than any session, and sums of millions of them stay exact. */
const MAX_MAGNITUDE = 2 ** 40;
/** Dates JavaScript can print: ±100,000,000 days around 1970. */
const MAX_DATE_MS = 8.64e15;

/** Consecutive lines often share their time: the last good one is not parsed again. */
let lastTime: string | undefined;

/** A time string Date can read (it is kept as written: ISO UTC in every generation); anything else is dropped. */
function isoTime(value: unknown): string | undefined {
  if (value === lastTime) return lastTime;
  if (typeof value === "string" && value.length <= 64 && Number.isFinite(Date.parse(value))) {
    lastTime = value;
    return value;
  }
  if (value != null) droppedFields += 1;
  return undefined;
}

/** Rate-limit windows repeat their reset time line after line: the last two are remembered. */
const isoMemo: Array<[number, string]> = [];

function isoFromMs(ms: number): string | null {
  if (Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS) {
    for (const [known, iso] of isoMemo) if (known === ms) return iso;
    const iso = new Date(ms).toISOString();
    if (isoMemo.unshift([ms, iso]) > 2) isoMemo.pop();
    return iso;
  }
  droppedFields += 1;
  return null;
}
