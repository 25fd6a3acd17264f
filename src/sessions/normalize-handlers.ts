// The handlers of the normalizer tables (normalize.ts): one line's payload, of one known type, into events.
import type { SessionEvent } from "./events.js";
import { isRecord, tryParseJson } from "../shared/json.js";
import { joinArgv } from "../shared/shell.js";
import { commandText, contentText, parseToolOutput, patchPaths } from "./tool-output.js";
import {
  type Json,
  type At,
  tokenTotals,
  rateLimits,
  durationMs,
  errorInfo,
  isHarnessText,
  isShellTool,
  qualifiedName,
  keyOf,
  str,
  count,
  int,
  isoTime,
} from "./normalize-fields.js";

export function sessionMeta(payload: Json, at: At): SessionEvent[] {
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
      inGitRepo: isRecord(payload.git),
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

export function turnContext(payload: Json, at: At): SessionEvent {
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
export function threadSettings(payload: Json, at: At): SessionEvent[] {
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

export function message(item: Json, at: At, enveloped: boolean): SessionEvent[] {
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
export function agentMessageItem(item: Json, at: At): SessionEvent[] {
  const text = contentText(item.content);
  return text ? [{ kind: "user_message", text, fromAgent: true, ...at }] : [];
}

export function reasoningItem(item: Json, at: At): SessionEvent[] {
  const text = contentText(item.summary);
  return text ? [{ kind: "reasoning", text, ...at }] : [];
}

export function functionCall(item: Json, at: At): SessionEvent[] {
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
      ...(isShellTool(name) && workdirOf(args) !== undefined && { workdir: workdirOf(args) }),
      patchPaths: patch !== undefined ? patchPaths(patch) : undefined,
      ...(name === "write_stdin" && processIdOf(args) !== undefined && { polls: processIdOf(args) }),
      ...(name === "wait" && cellIdOf(args) !== undefined && { polls: `cell:${cellIdOf(args)}` }),
      ...at,
    },
  ];
}

/** A shell-like call's `workdir` (shell, shell_command, exec_command); bounded, the rest is not a folder name. */
function workdirOf(args: unknown): string | undefined {
  return boundedDir(isRecord(args) ? args.workdir : undefined);
}

function boundedDir(dir: unknown): string | undefined {
  return typeof dir === "string" && dir !== "" && dir.length <= 1024 ? dir : undefined;
}

/** `write_stdin{session_id}` (unified exec): the process a poll reads from, as the running output named it. */
function processIdOf(args: unknown): string | undefined {
  if (!isRecord(args)) return undefined;
  const id = args.session_id;
  if (typeof id === "number" && Number.isInteger(id) && id >= 0) return String(id);
  return typeof id === "string" && /^\d{1,20}$/.test(id) ? id : undefined;
}

/** Code mode's `wait`: the cell of the script it waits on (a multi-agent `wait` names agents, no cell). */
function cellIdOf(args: unknown): string | undefined {
  if (!isRecord(args)) return undefined;
  const id = args.cell_id;
  if (typeof id === "number" && Number.isInteger(id) && id >= 0) return String(id);
  return typeof id === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : undefined;
}

export function customToolCall(item: Json, at: At): SessionEvent[] {
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

/**
 * A search OpenAI's side ran (`web_search_call`, written from 0.37): a call with no output item, its status and
 * action all the log keeps. 0.171 writes its `id` (`ws_…`, also the id of the `WebSearch` item written just
 * before it, which says nothing more and is not read); older files none: then the line's ordinal or time, the
 * same read forwards or backwards. Only an end status makes a result: `completed`, `failed` (OpenAI's others,
 * `in_progress` and `searching`, are a search the run was stopped in: no output).
 */
export function webSearchCall(item: Json, at: At): SessionEvent[] {
  const callId = str(item.id) ?? `web_search@${at.ordinal ?? at.timestamp ?? "?"}`;
  const status = str(item.status);
  const ended = status === "completed" || status === "failed";
  return [
    {
      kind: "call",
      callId,
      name: "web_search",
      arguments: isRecord(item.action) ? item.action : null,
      hosted: true,
      ...at,
    },
    ...(ended ? [{ kind: "call_result" as const, callId, status, ...at }] : []),
  ];
}

/**
 * A search for tools to load (`tool_search_call`, 0.115+; `execution` local: Codex answers it): a call named
 * `tool_search` with its arguments (`{query}`), paired by `call_id` with its `tool_search_output`.
 */
export function toolSearchCall(item: Json, at: At): SessionEvent[] {
  const callId = str(item.call_id) ?? str(item.id);
  if (!callId) return [];
  const args = typeof item.arguments === "string" ? (tryParseJson(item.arguments) ?? item.arguments) : item.arguments;
  return [{ kind: "call", callId, name: "tool_search", arguments: args ?? null, ...at }];
}

/** What a tool search found (`tool_search_output`): the names of the tools (and groups' tools) it loaded. */
export function toolSearchOutput(item: Json, at: At): SessionEvent[] {
  const callId = str(item.call_id);
  if (!callId) return [];
  const names = (tools: unknown, depth: number): string[] =>
    Array.isArray(tools) && depth < 3
      ? tools.slice(0, 200).flatMap((tool: unknown) => {
          if (!isRecord(tool)) return [];
          const inner = names(tool.tools, depth + 1);
          const name = str(tool.name);
          return name === undefined ? inner : inner.length > 0 ? [`${name}: ${inner.join(", ")}`] : [name];
        })
      : [];
  const found = names(item.tools, 0);
  return [
    {
      kind: "call_output",
      callId,
      text: found.length > 0 ? found.join("; ") : "no tools found",
      ...(item.status === "failed" && { isError: true }),
      ...at,
    },
  ];
}

export function localShellCall(item: Json, at: At): SessionEvent[] {
  const callId = str(item.call_id) ?? str(item.id);
  if (!callId) return [];
  const action = isRecord(item.action) ? item.action : {};
  const exec = isRecord(action.exec) ? action.exec : action;
  const argv = Array.isArray(exec.command)
    ? exec.command.filter((part): part is string => typeof part === "string")
    : [];
  // its folder is `working_directory` (codex-formats: local_shell), read like the other shells' `workdir`
  const workdir = boundedDir(exec.working_directory);
  return [
    {
      kind: "call",
      callId,
      name: "local_shell",
      arguments: action,
      command: joinArgv(argv),
      ...(workdir !== undefined && { workdir }),
      ...at,
    },
  ];
}

export function toolOutput(item: Json, at: At): SessionEvent[] {
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
      ...(parsed.scriptEnd !== undefined && { scriptEnd: parsed.scriptEnd }),
      isError: parsed.isError,
      denial: parsed.denial,
      ...at,
    },
  ];
}

export function turnStarted(payload: Json, at: At): SessionEvent[] {
  return [
    {
      kind: "turn_started",
      turnId: str(payload.turn_id),
      modelContextWindow: count(payload.model_context_window),
      ...at,
    },
  ];
}

export function turnComplete(payload: Json, at: At): SessionEvent[] {
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

export function errorEvent(payload: Json, at: At): SessionEvent {
  return { kind: "error", message: str(payload.message) ?? "", info: errorInfo(payload.codex_error_info), ...at };
}

export function execCommandEnd(payload: Json, at: At): SessionEvent[] {
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

export function tokenCount(payload: Json, at: At): SessionEvent {
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
export function tokenUsageRecord(payload: Json, at: At): SessionEvent[] {
  const events: SessionEvent[] = [];
  const turn = tokenTotals(payload.turn_token_usage);
  if (turn) events.push({ kind: "turn_usage", turnId: str(payload.turn_id), usage: turn, ...at });
  const thread = tokenTotals(payload.thread_token_usage);
  if (thread)
    events.push({ kind: "token_count", source: "record", total: thread, last: tokenTotals(payload.usage), ...at });
  return events;
}
