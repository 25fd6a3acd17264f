// Folds normalized events into turns and calls: the shared ground for summary, calls and usage.
//
// Turn boundaries differ by generation: `task_started` (0.100+), a user prompt (every generation; a second
// prompt in a turn that already has one opens the next turn), a `turn_context` with a new `turn_id`.
// Turn ends: `task_complete` / `turn_aborted` where they are written (0.100+). Generations that write no
// terminal events (≤0.99) count a turn whose last item is the agent's message as ended.
import type { EventOf, ReviewTarget, SessionEvent, TokenTotals } from "./events.js";
import { emptyModel, type Call, type SessionModel, type Turn } from "./session-shape.js";
import { addCall, addOutput, addResult, callOf, keepForLater, newPairing, type PatchPlace } from "./call-pairing.js";
import { addChangedFiles } from "./changed-files.js";
import { compactEndOf, compactOutputOf } from "./compact-events.js";
import { LineageTracker } from "./lineage.js";
import { reviewAnswer } from "./review-outcome.js";

export type { TurnStatus } from "./views/closed-sets.js";

export type { Call, SessionModel, Turn } from "./session-shape.js";
export { emptyModel } from "./session-shape.js";

export interface FolderOptions {
  /**
   * Bounded memory for long-lived, cached folds: outputs keep no text, calls no arguments, only the newest
   * `reasoningLimit` reasoning summaries are kept, and prompts and messages are capped.
   */
  compact?: { reasoningLimit: number; textChars: number };
  /** A fork's parent's counters (lineage.ts): the child's counters that repeat them from the start are the parent's. */
  parentCounters?: readonly number[];
  /** A paginated fork's parent usage at the fork (its counter continues from it): not this session's. */
  inheritedTokens?: TokenTotals;
  /** parentCounters are an earlier sibling fork's (the parent's log is gone): the session charged with them. */
  prefixOwner?: string;
}

export class SessionFolder {
  readonly model: SessionModel = emptyModel();
  /** Calls by id, and outputs and results waiting for their call (call-pairing.ts). */
  private readonly pairing = newPairing();
  private readonly lineage: LineageTracker;
  private lastCompactionLine = -2;
  /** A code-mode `exec` call still waiting for its output: items completed meanwhile ran inside it. */
  private openExec: Call | undefined;
  /** A review that began before its turn's first line (0.171 writes `EnteredReviewMode` first): the next turn's. */
  private pendingReview: ReviewTarget | undefined;
  /** A 0.150+ item (UserMessage) was read: from here on a Codex that puts turn errors in turn ends wrote. */
  private itemsWritten = false;
  /** Calls found inside code-mode `exec` calls. */
  nestedCalls = 0;
  /** Lines of a type the normalizer does not know (kept here so a saved fold restores the count). */
  unknownLines = 0;

  constructor(private readonly options: FolderOptions = {}) {
    this.lineage = new LineageTracker(options.parentCounters, options.inheritedTokens, options.prefixOwner);
    if (options.inheritedTokens) this.model.tokens.inherit(options.inheritedTokens);
  }

  /** The turn a call was made in, by call id. */
  turnOfCall(callId: string): number | undefined {
    return this.pairing.byId.get(callId)?.turn;
  }

  add(event: SessionEvent): void {
    const model = this.model;
    if (this.lineage.inherited(event)) {
      if (event.kind === "token_count" && event.total) model.tokens.inherit(event.total);
      return;
    }
    const disowned = this.lineage.takeDisowned();
    if (disowned) {
      // lines first taken as the parent's history are this session's own after all (lineage.ts)
      model.tokens.forgetInherited();
      for (const own of disowned) this.addOwn(own);
    }
    this.addOwn(event);
  }

  private addOwn(event: SessionEvent): void {
    const model = this.model;
    if (this.lineage.lineage) model.lineage ??= this.lineage.lineage;
    if (event.timestamp) {
      model.firstTimestamp ??= event.timestamp;
      model.lastTimestamp = event.timestamp;
    }
    switch (event.kind) {
      case "meta":
        // legacy forks copy the parent's meta after the child's: the first one names the file's session
        model.meta ??= event;
        return;
      case "settings": {
        // the newest settings win, field by field, until the next turn_context records them all again
        const { kind: _kind, line, timestamp: _at, ordinal: _ordinal, ...settings } = event;
        model.lastContext = { ...(model.lastContext ?? { kind: "turn_context", line }), ...settings };
        return;
      }
      case "turn_started": {
        const current = this.current();
        const turn = current && isPristine(current) ? current : this.openTurn(event.timestamp);
        // a turn opened by the lines written before its task_started (0.104 writes a resume's context a few
        // ms before it) begins at the task_started: its day, its wall time and its span are the turn's own
        if (turn === current && event.timestamp) {
          if (turn.startedAt !== undefined && turn.startedAt !== event.timestamp) turn.openedAt ??= turn.startedAt;
          turn.startedAt = event.timestamp;
        }
        turn.hasStartEvent = true;
        if (event.turnId) turn.turnId = event.turnId;
        if (event.modelContextWindow !== undefined) turn.modelContextWindow = event.modelContextWindow;
        return;
      }
      case "turn_context": {
        let turn = this.current();
        const newTurnId = event.turnId && turn?.turnId && event.turnId !== turn.turnId;
        if (!turn || newTurnId || (turn.ended && !turn.turnId && turn.prompt !== undefined))
          turn = this.openTurn(event.timestamp);
        model.lastContext = event;
        if (event.turnId) turn.turnId ??= event.turnId;
        if (event.model !== undefined) turn.model = event.model;
        return;
      }
      case "user_message": {
        let turn = this.current();
        const open = turn !== undefined && !turn.ended;
        if (event.item) this.itemsWritten = true;
        if (event.copy || event.fromAgent) {
          // a copy or another agent's message is the prompt only where none was written (trimmed logs)
          if (turn && open && turn.prompt !== undefined) {
            if (event.fromAgent) turn.agentMessagesIn += 1;
            return;
          }
          if (!turn || !open) turn = this.openTurn(event.timestamp);
          turn.prompt = this.capped(event.text);
          turn.promptFrom = event.copy ? "copy" : "agent";
          return;
        }
        model.userMessages += 1;
        if (turn && open && turn.promptFrom === "copy") {
          // the event of the prompt whose copy came first (0.169 writes the copy first)
          turn.prompt = this.capped(event.text);
          delete turn.promptFrom;
          return;
        }
        if (turn && open && turn.hasStartEvent && turn.prompt !== undefined) {
          // typed while the turn ran: Codex feeds it into the running turn, it does not start one
          turn.steering += 1;
          return;
        }
        if (!turn || turn.prompt !== undefined || turn.ended) turn = this.openTurn(event.timestamp);
        turn.prompt = this.capped(event.text);
        return;
      }
      case "review_started": {
        // the review's own turn lines follow; it opens no turn and leaves the current one as it was
        const turn = this.current();
        if (turn && !turn.ended) turn.review = event.target;
        else this.pendingReview = event.target;
        return;
      }
      case "review_ended": {
        // the review's turn is still open: 0.171 writes `ExitedReviewMode` before its turn's end
        const turn = this.current();
        if (turn) turn.reviewOutcome = event.outcome;
        return;
      }
      case "compaction": {
        const turn = this.currentOrNew(event.timestamp);
        // the 0.10x pair (`compacted` + `context_compacted`) and its item copy are one compaction
        if (this.lastCompactionLine !== event.line - 1 || event.line === 0) turn.compactions += 1;
        this.lastCompactionLine = event.line;
        return;
      }
      case "agent_message": {
        const turn = this.currentOrNew(event.timestamp);
        turn.lastItem = "agent_message";
        turn.lastAgentMessage = this.capped(event.text);
        model.agentMessages += 1;
        // a review's own sub-agent answers its ReviewOutputEvent as JSON (0.171), read before any cap cuts it
        const answer = model.meta?.source === "subagent:review" ? reviewAnswer(event.text) : undefined;
        if (answer) turn.reviewOutcome = answer;
        return;
      }
      case "reasoning": {
        const turn = this.currentOrNew(event.timestamp);
        turn.lastItem = "reasoning";
        model.reasoning.push({
          text: this.capped(event.text),
          turn: turn.index,
          ...(event.timestamp && { timestamp: event.timestamp }),
        });
        const keep = this.options.compact?.reasoningLimit;
        if (keep !== undefined && model.reasoning.length > keep * 2)
          model.reasoning.splice(0, model.reasoning.length - keep);
        return;
      }
      case "call": {
        const turn = this.currentOrNew(event.timestamp);
        turn.lastItem = "call";
        const call = callOf(event, turn.index, !this.options.compact);
        addCall(this.pairing, call, patchPlace(model));
        model.calls.push(call);
        if (CODE_MODE_TOOLS.has(call.name) && !call.output) this.openExec = call;
        return;
      }
      case "call_output": {
        const call = addOutput(this.pairing, event, patchPlace(model));
        if (!call) return;
        // a script that handed control back still runs: what it runs next is its own, until `wait` sees it end
        // (code mode's `wait` answers with the script's state; multi-agent tools have a `wait` of their own)
        // (interrupted, the script's own commands are killed with it: their items come after the exec's output)
        if (this.openExec && !SCRIPT_RUNNING.test(event.text) && !INTERRUPTED.test(event.text)) {
          if (this.openExec === call || (call.name === "wait" && SCRIPT_STATE.test(event.text)))
            this.openExec = undefined;
        }
        const turn = this.model.turns[call.turn - 1];
        if (turn && !turn.ended) turn.lastItem = "call_output";
        if (call.patchPaths && succeeded(call)) addChangedFiles(model.filesChanged, call.patchPaths, contextCwd(model));
        // the output as paired (call-pairing.ts may have named a rejected patch's files in it)
        if (this.options.compact) call.output = compactOutputOf(call.output ?? event, call);
        return;
      }
      case "call_result": {
        if (addResult(this.pairing, event)) return;
        if (this.openExec && event.name !== undefined) this.addNested(this.openExec, event);
        else keepForLater(this.pairing, event);
        return;
      }
      case "files_changed":
        addChangedFiles(model.filesChanged, event.paths, contextCwd(model));
        return;
      case "turn_ended": {
        let turn = this.current();
        if (!turn || (turn.ended && event.turnId !== turn.turnId)) turn = this.openTurn(event.timestamp);
        turn.ended = this.options.compact ? compactEndOf(event, turn) : event;
        // the file's first writer, or a newer Codex that resumed it (its turns have 0.150+ items)
        if (writesTurnErrors(model.meta?.cliVersion) || this.itemsWritten) turn.endSaysErrors = true;
        if (event.timestamp) turn.endedAt = event.timestamp;
        if (event.turnId) turn.turnId ??= event.turnId;
        if (event.error) turn.errors.push(event.error);
        return;
      }
      case "error": {
        const turn = this.currentOrNew(event.timestamp);
        turn.errors.push({
          message: this.capped(event.message),
          ...(event.info !== undefined && { info: event.info }),
        });
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

  /** A command or MCP call run by code inside an `exec` call: its item id is not a call id of the model's. */
  private addNested(exec: Call, event: EventOf<"call_result">): void {
    const text = event.text ?? "";
    const call: Call = {
      callId: event.callId,
      name: event.name ?? "exec_command",
      arguments: this.options.compact ? null : (event.arguments ?? null),
      turn: exec.turn,
      parentCallId: exec.callId,
      // a script cut off with its turn: the command it ran was killed with it (its end: exit -1)
      ...(exec.interrupted && event.exitCode === -1 && { interrupted: true as const }),
      ...(event.command !== undefined && { command: event.command }),
      ...(event.timestamp && { timestamp: event.timestamp }),
      output: {
        kind: "call_output",
        line: event.line,
        callId: event.callId,
        text: this.options.compact ? "" : text,
        exitCode: event.exitCode,
        durationMs: event.durationMs,
      },
      result: event,
    };
    if (this.options.compact) call.result = { ...event, text: "", arguments: null };
    this.pairing.byId.set(call.callId, call);
    this.model.calls.push(call);
    this.nestedCalls += 1;
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
    const turn: Turn = {
      index: this.model.turns.length + 1,
      hasStartEvent: false,
      errors: [],
      steering: 0,
      agentMessagesIn: 0,
      compactions: 0,
    };
    if (timestamp) turn.startedAt = timestamp;
    if (this.pendingReview) turn.review = this.pendingReview;
    this.pendingReview = undefined;
    this.model.turns.push(turn);
    // a script of the turn before (one that yielded and was never waited for) runs nothing of this turn's
    this.openExec = undefined;
    return turn;
  }
}

export async function foldEvents(events: AsyncIterable<SessionEvent> | Iterable<SessionEvent>): Promise<SessionModel> {
  const folder = new SessionFolder();
  for await (const event of events) folder.add(event);
  return folder.model;
}

/** Code mode's tool: the model writes code that runs commands and MCP tools (0.145+). */
const CODE_MODE_TOOLS = new Set(["exec"]);
/** A code-mode script's answer when it yielded before its end (`exec`'s or `wait`'s: "Script running with cell ID 1"). */
const SCRIPT_RUNNING = /^Script running with cell ID /;
/**
 * A script stopped while its commands ran: its `exec` interrupted with the turn (`aborted by user after 2.8s`),
 * or a `wait` with `terminate: true` (`Script terminated`). The commands are killed with it, and their items
 * come after.
 */
const INTERRUPTED = /^(?:aborted by user\b|Script terminated(?:\n|$))/;
/** What a code-mode script's state opens with ("Script completed", "Script failed", "Script running …"). */
const SCRIPT_STATE = /^Script \w/;

function isPristine(turn: Turn): boolean {
  const noPrompt = turn.prompt === undefined || turn.promptFrom !== undefined;
  return !turn.hasStartEvent && noPrompt && turn.lastItem === undefined && !turn.ended;
}

function succeeded(call: Call): boolean {
  const output = call.output;
  if (!output) return false;
  if (output.exitCode !== undefined) return output.exitCode === 0;
  return /^Success\b/m.test(output.text) || /^Done!/m.test(output.text);
}

function contextCwd(model: SessionModel): string | undefined {
  return model.lastContext?.cwd ?? model.meta?.cwd;
}

function patchPlace(model: SessionModel): PatchPlace {
  return {
    cwd: contextCwd(model),
    sandbox: model.lastContext?.sandbox,
    sandboxPolicy: model.lastContext?.sandboxPolicy,
  };
}

export { callDurationMs, callExitCode, callStatus, turnStatus } from "./statuses.js";
export type { CallStatus } from "./views/closed-sets.js";

/**
 * Codex writes a failed turn's error into its `task_complete` from 0.150 on (codex-formats.md §3). A file
 * another version rewrote (the paginated-history migration) keeps its first writer's version, so an older
 * file's ends are read as that version wrote them.
 */
export function writesTurnErrors(cliVersion: string | undefined): boolean {
  const match = /^(\d+)\.(\d+)\./.exec(cliVersion ?? "");
  return match !== null && (Number(match[1]) > 0 || Number(match[2]) >= 150);
}
