// What a folded session is: its turns, calls and counters (session-model.ts folds the events into it).
import type { EventOf, ReviewOutcome, ReviewTarget } from "./events.js";
import type { Lineage } from "./lineage.js";
import { TokenLedger } from "./usage.js";
import type { ScriptEnd } from "./tool-output.js";

export interface Turn {
  index: number;
  turnId?: string;
  prompt?: string;
  startedAt?: string;
  /**
   * When the lines that opened the turn came, where its task_started came after them (0.104 writes a resume's
   * context a few ms before it): the turn starts at its task_started (`startedAt`); a diagnosis of how the
   * session stood before the turn stops here (report/digest.ts PartEnds).
   */
  openedAt?: string;
  endedAt?: string;
  ended?: EventOf<"turn_ended">;
  /** This generation writes terminal events (a `task_started` was seen), so a missing end means unfinished. */
  hasStartEvent: boolean;
  lastItem?: "agent_message" | "reasoning" | "call" | "call_output";
  lastAgentMessage?: string;
  errors: Array<{ message: string; info?: string }>;
  modelContextWindow?: number;
  /** The model its turn_context names: a session may switch models between turns. */
  model?: string;
  /** Where the prompt came from when no user_message event carried it. */
  promptFrom?: "copy" | "agent";
  /** Messages the user typed while the turn ran (Codex Desktop/TUI steering): part of this turn. */
  steering: number;
  /** Messages other agents sent into the turn after its prompt (multi-agent, 0.158+). */
  agentMessagesIn: number;
  compactions: number;
  /** The turn ran a review (`codex exec review`, /review): what it reviewed. */
  review?: ReviewTarget;
  /** The review it ran ended: its verdict and findings. */
  reviewOutcome?: ReviewOutcome;
  /**
   * Its end was written by a Codex that puts a failed turn's error in it (`task_complete.error`, 0.150+): an
   * end without one is a turn that did not fail, even without a final message.
   */
  endSaysErrors?: boolean;
}

export interface Call {
  callId: string;
  name: string;
  arguments: unknown;
  command?: string;
  /** A shell-like call's own working folder, as its arguments name it. */
  workdir?: string;
  patchPaths?: string[];
  turn: number;
  timestamp?: string;
  output?: EventOf<"call_output">;
  result?: EventOf<"call_result">;
  /** Code mode (0.145+): the `exec` call this command or MCP call ran inside. */
  parentCallId?: string;
  /** Unified exec `write_stdin`: the process it polls; its exit is the starting call's, not the poll's. */
  polls?: string;
  /** Unified exec: the call that started the process this poll read from, once known. */
  pollOf?: string;
  /** Unified exec: the exit a later poll reported for the process this call started (counted here, once). */
  processExit?: { exitCode: number };
  /** Run on OpenAI's side (a web search): nothing Codex ran, nothing a resume runs again. */
  hosted?: true;
  /** Code mode: how the script this `exec` call started ended, as the first `wait` that saw its end says. */
  scriptEnd?: ScriptEnd;
  /** Codex cut it off when its turn was interrupted or aborted (its output: `aborted by user`). */
  interrupted?: true;
}

export interface SessionModel {
  meta?: EventOf<"meta">;
  /** Fork or sub-agent: the parent, and the parent's history found in this file (never counted as this session's). */
  lineage?: Lineage;
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
  return {
    turns: [],
    calls: [],
    reasoning: [],
    filesChanged: [],
    tokens: new TokenLedger(),
    agentMessages: 0,
    userMessages: 0,
  };
}
