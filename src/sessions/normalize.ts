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
import type { SessionEvent } from "./events.js";
import { isRecord } from "../shared/json.js";
import { contentText } from "./tool-output.js";
import { lineIssues, type Json, type At, isHarnessText, str, count, isoTime } from "./normalize-fields.js";
import {
  sessionMeta,
  turnContext,
  threadSettings,
  message,
  agentMessageItem,
  reasoningItem,
  functionCall,
  customToolCall,
  localShellCall,
  webSearchCall,
  toolSearchCall,
  toolSearchOutput,
  toolOutput,
  turnStarted,
  turnComplete,
  errorEvent,
  execCommandEnd,
  tokenCount,
  tokenUsageRecord,
} from "./normalize-handlers.js";
import {
  commandExecution,
  fileChange,
  imageView,
  mcpToolCall,
  reviewEnded,
  reviewStarted,
} from "./normalize-turn-items.js";

export { HARNESS_PREFIXES, isHarnessText, tokenTotals } from "./normalize-fields.js";

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
  web_search_call: { read: webSearchCall, enveloped: "read" },
  tool_search_call: { read: toolSearchCall, enveloped: "read" },
  tool_search_output: { read: toolSearchOutput, enveloped: "read" },
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
  exited_review_mode: (payload, at) => reviewEnded(payload.review_output, at),
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
    // `codex migrate-rollouts` rewrites an old file's prompts as UserMessage items with ids item-1, item-2, …:
    // those turns were still written by the old Codex, which kept no turn errors
    const migrated = typeof item.id === "string" && /^item-\d+$/.test(item.id);
    return isHarnessText(text) ? [] : [{ kind: "user_message", text, ...(!migrated && { item: true }), ...at }];
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
  EnteredReviewMode: (item, at) => reviewStarted(item, at),
  ExitedReviewMode: (item, at) => reviewEnded(item.review_output, at),
  ContextCompaction: (_item, at) => [{ kind: "compaction", ...at }],
  FileChange: (item, at) => fileChange(item, at),
  HookPrompt: IGNORED,
  Plan: IGNORED,
  WebSearch: IGNORED,
  ImageView: (item, at) => imageView(item, at),
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

export function normalizeLine(value: unknown, line: number, issues?: FieldIssues): Normalized {
  lineIssues.droppedFields = 0;
  lineIssues.unknownType = false;
  const events = normalizeValue(value, line);
  if (issues && events !== undefined) {
    if (lineIssues.droppedFields > 0) issues.badFieldLines += 1;
    if (lineIssues.unknownType) issues.unknownLines = (issues.unknownLines ?? 0) + 1;
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

function responseItem(item: Json, at: At, { enveloped }: { enveloped: boolean }): SessionEvent[] {
  const entry = entryOf(RESPONSE_ITEM_TYPES, item.type);
  if (entry === undefined) {
    lineIssues.unknownType = true;
    return [];
  }
  if (entry === IGNORED || (enveloped && entry.enveloped === "never")) return [];
  return entry.read(item, at, enveloped);
}

function eventMsg(payload: Json, at: At): SessionEvent[] {
  const entry = entryOf(EVENT_TYPES, payload.type);
  if (entry === undefined) lineIssues.unknownType = true;
  return entry ? entry(payload, at) : [];
}

/** `item_completed.item` (TurnItem, paginated threads 0.150+). */
function turnItem(item: Json, at: At): SessionEvent[] {
  const entry = entryOf(TURN_ITEM_TYPES, item.type);
  if (entry === undefined) lineIssues.unknownType = true;
  return entry ? entry(item, at) : [];
}
