// What a compact fold (the cached and saved one: SessionFolder's `compact` option) keeps of a call's output and
// of a turn's end: no texts (answers that show outputs read them from the log), and only the fields a reader
// asks of them.
import type { EventOf } from "./events.js";
import type { Call, Turn } from "./session-model.js";

/** Off in tests only, to hold a compact fold's slim turn ends and outputs to the events they came from. */
export const SLIM_FOLD = { ends: true, outputs: true };

/** The whole output without its text (the slim one's reference in tests). */
function wholeOutput(event: EventOf<"call_output">): EventOf<"call_output"> {
  return {
    kind: "call_output",
    line: event.line,
    callId: event.callId,
    text: "",
    exitCode: event.exitCode,
    durationMs: event.durationMs,
    running: event.running,
    ...(event.processId !== undefined && { processId: event.processId }),
    ...(event.scriptEnd !== undefined && { scriptEnd: event.scriptEnd }),
    isError: event.isError,
    denial: event.denial,
  };
}

/**
 * The same, holding only the fields that have a value, and the call's own id (an equal string): on 200 MB of
 * 0.169, 15,500 outputs each carried four fields with none (and their names, in the saved fold).
 */
function slimOutput(event: EventOf<"call_output">, call: Call): EventOf<"call_output"> {
  const output: EventOf<"call_output"> = { kind: "call_output", line: event.line, callId: call.callId, text: "" };
  if (event.exitCode !== undefined) output.exitCode = event.exitCode;
  if (event.durationMs !== undefined) output.durationMs = event.durationMs;
  if (event.running !== undefined) output.running = event.running;
  if (event.processId !== undefined) output.processId = event.processId;
  if (event.scriptEnd !== undefined) output.scriptEnd = event.scriptEnd;
  if (event.isError !== undefined) output.isError = event.isError;
  if (event.denial !== undefined) output.denial = event.denial;
  return output;
}

/**
 * A compact fold's turn end keeps what its readers ask of it (outcome, reason, error, the last message where
 * the turn has none of its own or another one). The rest repeats the turn (its id, `endedAt`) or is read from
 * no end (line, ordinal): on 200 MB of 0.169, 15,500 ends were 3.5 of the turns' 9 MB saved, and heap beside.
 * A turn's own last message, once set, is what every reader takes before the end's (summary.ts,
 * diagnosis-*.ts, statuses.ts), so an end's equal copy of it is not kept.
 */
function slimEnd(event: EventOf<"turn_ended">, turn: Turn): EventOf<"turn_ended"> {
  const end: EventOf<"turn_ended"> = { kind: "turn_ended", outcome: event.outcome, line: event.line };
  if (event.lastAgentMessage !== undefined && event.lastAgentMessage !== turn.lastAgentMessage)
    end.lastAgentMessage = event.lastAgentMessage;
  if (event.error) end.error = event.error;
  if (event.reason !== undefined) end.reason = event.reason;
  return end;
}

/** A call's output as a compact fold keeps it. */
export function compactOutputOf(event: EventOf<"call_output">, call: Call): EventOf<"call_output"> {
  return SLIM_FOLD.outputs ? slimOutput(event, call) : wholeOutput(event);
}

/** A turn's end as a compact fold keeps it. */
export function compactEndOf(event: EventOf<"turn_ended">, turn: Turn): EventOf<"turn_ended"> {
  return SLIM_FOLD.ends ? slimEnd(event, turn) : event;
}
