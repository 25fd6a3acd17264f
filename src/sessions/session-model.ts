// Folds normalized events into turns and calls: the shared ground for summary, calls and usage.
//
// Turn boundaries differ by generation: `task_started` (0.100+), a user prompt (every generation; a second
// prompt in a turn that already has one opens the next turn), a `turn_context` with a new `turn_id`.
// Turn ends: `task_complete` / `turn_aborted` where they are written (0.100+). Generations that write no
// terminal events (≤0.99) count a turn whose last item is the agent's message as ended.
import type { EventOf, SessionEvent } from "./events.js";
import { TokenLedger } from "./usage.js";

export type TurnStatus = "completed" | "failed" | "aborted" | "incomplete";

export interface Turn {
  index: number;
  turnId?: string;
  prompt?: string;
  startedAt?: string;
  endedAt?: string;
  ended?: EventOf<"turn_ended">;
  /** This generation writes terminal events (a `task_started` was seen), so a missing end means unfinished. */
  hasStartEvent: boolean;
  lastItem?: "agent_message" | "reasoning" | "call" | "call_output";
  lastAgentMessage?: string;
  errors: Array<{ message: string; info?: string }>;
  modelContextWindow?: number;
}

export interface Call {
  callId: string;
  name: string;
  arguments: unknown;
  command?: string;
  patchPaths?: string[];
  turn: number;
  timestamp?: string;
  output?: EventOf<"call_output">;
  result?: EventOf<"call_result">;
}

export interface SessionModel {
  meta?: EventOf<"meta">;
  /** The newest turn_context: the model, cwd, sandbox and approval policy Codex last ran with. */
  lastContext?: EventOf<"turn_context">;
  turns: Turn[];
  calls: Call[];
  reasoning: Array<{ text: string; turn: number; timestamp?: string }>;
  filesChanged: string[];
  tokens: TokenLedger;
  agentMessages: number;
  userMessages: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
}

export function emptyModel(): SessionModel {
  return { turns: [], calls: [], reasoning: [], filesChanged: [], tokens: new TokenLedger(), agentMessages: 0, userMessages: 0 };
}

export interface FolderOptions {
  /**
   * Bounded memory for long-lived, cached folds: outputs keep no text, calls no arguments, only the newest
   * `reasoningLimit` reasoning summaries are kept, and prompts and messages are capped.
   */
  compact?: { reasoningLimit: number; textChars: number };
}

export class SessionFolder {
  readonly model: SessionModel = emptyModel();
  private readonly callsById = new Map<string, Call>();
  /** Outputs and results that arrived before their call (never seen in practice, but order is not promised). */
  private readonly orphanOutputs = new Map<string, EventOf<"call_output">>();
  private readonly orphanResults = new Map<string, EventOf<"call_result">>();

  constructor(private readonly options: FolderOptions = {}) {}

  /** The turn a call was made in, by call id. */
  turnOfCall(callId: string): number | undefined {
    return this.callsById.get(callId)?.turn;
  }

  add(event: SessionEvent): void {
    const model = this.model;
    if (event.timestamp) {
      model.firstTimestamp ??= event.timestamp;
      model.lastTimestamp = event.timestamp;
    }
    switch (event.kind) {
      case "meta":
        // legacy forks copy the parent's meta after the child's: the first one names the file's session
        model.meta ??= event;
        return;
      case "turn_started": {
        const current = this.current();
        const turn = current && isPristine(current) ? current : this.openTurn(event.timestamp);
        turn.hasStartEvent = true;
        if (event.turnId) turn.turnId = event.turnId;
        if (event.modelContextWindow !== undefined) turn.modelContextWindow = event.modelContextWindow;
        return;
      }
      case "turn_context": {
        let turn = this.current();
        const newTurnId = event.turnId && turn?.turnId && event.turnId !== turn.turnId;
        if (!turn || newTurnId || (turn.ended && !turn.turnId && turn.prompt !== undefined)) turn = this.openTurn(event.timestamp);
        model.lastContext = event;
        if (event.turnId) turn.turnId ??= event.turnId;
        return;
      }
      case "user_message": {
        let turn = this.current();
        if (!turn || turn.prompt !== undefined || turn.ended) turn = this.openTurn(event.timestamp);
        turn.prompt = this.capped(event.text);
        model.userMessages += 1;
        return;
      }
      case "agent_message": {
        const turn = this.currentOrNew(event.timestamp);
        turn.lastItem = "agent_message";
        turn.lastAgentMessage = this.capped(event.text);
        model.agentMessages += 1;
        return;
      }
      case "reasoning": {
        const turn = this.currentOrNew(event.timestamp);
        turn.lastItem = "reasoning";
        model.reasoning.push({ text: this.capped(event.text), turn: turn.index, ...(event.timestamp && { timestamp: event.timestamp }) });
        const keep = this.options.compact?.reasoningLimit;
        if (keep !== undefined && model.reasoning.length > keep * 2) model.reasoning.splice(0, model.reasoning.length - keep);
        return;
      }
      case "call": {
        const turn = this.currentOrNew(event.timestamp);
        turn.lastItem = "call";
        const call: Call = {
          callId: event.callId,
          name: event.name,
          arguments: this.options.compact ? null : event.arguments,
          turn: turn.index,
          ...(event.command !== undefined && { command: event.command }),
          ...(event.patchPaths !== undefined && { patchPaths: event.patchPaths }),
          ...(event.timestamp && { timestamp: event.timestamp }),
        };
        const output = this.orphanOutputs.get(call.callId);
        if (output) call.output = output;
        const result = this.orphanResults.get(call.callId);
        if (result) call.result = result;
        this.callsById.set(call.callId, call);
        model.calls.push(call);
        return;
      }
      case "call_output": {
        const call = this.callsById.get(event.callId);
        if (!call) {
          this.orphanOutputs.set(event.callId, event);
          return;
        }
        // unified exec: a later write_stdin output carries the exit code of a still-running command;
        // the call's own output is the first one
        if (call.output) return;
        call.output = event;
        const turn = this.model.turns[call.turn - 1];
        if (turn && !turn.ended) turn.lastItem = "call_output";
        if (call.patchPaths && succeeded(call)) addPaths(model.filesChanged, call.patchPaths);
        if (this.options.compact) {
          call.output = { kind: "call_output", line: event.line, callId: event.callId, text: "", exitCode: event.exitCode, durationMs: event.durationMs, running: event.running, isError: event.isError, denial: event.denial };
        }
        return;
      }
      case "call_result": {
        const call = this.callsById.get(event.callId);
        if (call) call.result = { ...call.result, ...event };
        else this.orphanResults.set(event.callId, event);
        return;
      }
      case "files_changed":
        addPaths(model.filesChanged, event.paths);
        return;
      case "turn_ended": {
        let turn = this.current();
        if (!turn || (turn.ended && event.turnId !== turn.turnId)) turn = this.openTurn(event.timestamp);
        turn.ended = event;
        if (event.timestamp) turn.endedAt = event.timestamp;
        if (event.turnId) turn.turnId ??= event.turnId;
        if (event.error) turn.errors.push(event.error);
        return;
      }
      case "error": {
        const turn = this.currentOrNew(event.timestamp);
        turn.errors.push({ message: this.capped(event.message), ...(event.info !== undefined && { info: event.info }) });
        if (turn.errors.length > 20) turn.errors.shift();
        return;
      }
      case "token_count":
        model.tokens.count(event, this.current()?.index ?? 0);
        return;
      case "turn_usage":
        model.tokens.record(event.usage, this.current()?.index ?? 0);
        return;
    }
  }

  private capped(text: string): string {
    const max = this.options.compact?.textChars;
    return max !== undefined && text.length > max ? `${text.slice(0, max)}…` : text;
  }

  private current(): Turn | undefined {
    return this.model.turns.at(-1);
  }

  private currentOrNew(timestamp: string | undefined): Turn {
    return this.current() ?? this.openTurn(timestamp);
  }

  private openTurn(timestamp: string | undefined): Turn {
    const turn: Turn = { index: this.model.turns.length + 1, hasStartEvent: false, errors: [] };
    if (timestamp) turn.startedAt = timestamp;
    this.model.turns.push(turn);
    return turn;
  }
}

export async function foldEvents(events: AsyncIterable<SessionEvent> | Iterable<SessionEvent>): Promise<SessionModel> {
  const folder = new SessionFolder();
  for await (const event of events) folder.add(event);
  return folder.model;
}

function isPristine(turn: Turn): boolean {
  return !turn.hasStartEvent && turn.prompt === undefined && turn.lastItem === undefined && !turn.ended;
}

export function turnStatus(turn: Turn): TurnStatus {
  if (turn.ended) {
    if (turn.ended.outcome !== "completed") return turn.ended.outcome;
    // 0.100 logs a failed model request as a plain task_complete with no answer and no reason
    if (turn.ended.lastAgentMessage == null && turn.lastAgentMessage === undefined) return "failed";
    return "completed";
  }
  if (!turn.hasStartEvent && turn.lastItem === "agent_message") return "completed";
  return "incomplete";
}

export type CallStatus = "completed" | "failed" | "running" | "no_output";

export function callStatus(call: Call): CallStatus {
  const exitCode = callExitCode(call);
  if (call.result?.status === "failed" || call.result?.status === "declined") return "failed";
  if (exitCode !== undefined && exitCode !== 0) return "failed";
  if (call.output?.isError) return "failed";
  if (!call.output && !call.result) return "no_output";
  if (call.output?.running && exitCode === undefined) return "running";
  return "completed";
}

export function callExitCode(call: Call): number | undefined {
  return call.result?.exitCode ?? call.output?.exitCode;
}

export function callDurationMs(call: Call): number | undefined {
  return call.result?.durationMs ?? call.output?.durationMs;
}

function succeeded(call: Call): boolean {
  const output = call.output;
  if (!output) return false;
  if (output.exitCode !== undefined) return output.exitCode === 0;
  return /^Success\b/m.test(output.text) || /^Done!/m.test(output.text);
}

function addPaths(into: string[], paths: string[]): void {
  for (const path of paths) if (!into.includes(path)) into.push(path);
}
