// The last N tool calls of a session, paired with their outputs by call_id.
import { addCall, addOutput, addResult, callOf, keepForLater, newPairing, UNNAMED_SEARCH } from "./call-pairing.js";
import type { EventOf, SessionEvent } from "./events.js";
import { eventsBackward } from "./rollout-reader.js";
import { callDurationMs, callExitCode, callStatus, type Call, type SessionModel } from "./session-model.js";
import type { CallView } from "./views/calls.js";
import { cutWhole, tailOf } from "../shared/text.js";

export interface CallsOptions {
  limit: number;
  includeOutput: boolean;
  maxOutputChars: number;
}

export type { CallView } from "./views/calls.js";

export function lastCalls(model: SessionModel, options: CallsOptions): { calls: CallView[]; total_calls: number } {
  return { calls: callViews(model.calls.slice(-options.limit), options), total_calls: model.calls.length };
}

export function callViews(calls: Call[], options: CallsOptions): CallView[] {
  return calls.map((call): CallView => {
    const text = withoutBacktrace(call.output?.text);
    const shown = options.includeOutput && text !== undefined ? capText(text, options.maxOutputChars) : undefined;
    return {
      call_id: call.callId,
      name: call.name,
      arguments: call.arguments,
      command: call.command ?? call.result?.command ?? null,
      output: shown?.text ?? null,
      output_truncated: shown?.truncated ?? false,
      exit_code: callExitCode(call) ?? null,
      duration_ms: callDurationMs(call) ?? null,
      status: callStatus(call),
      timestamp: call.timestamp ?? null,
      turn: call.turn,
      parent_call_id: call.parentCallId ?? null,
    };
  });
}

// Codex (anyhow) appends "Stack backtrace:" and one "N: <unknown>" line per frame to an MCP tool's error
// (a timed-out tools/call): dozens of lines that say nothing and push the error's cause out of view
const BACKTRACE = /\n+Stack backtrace:\n(?:\s*\d+: <unknown>\n?)+\s*$/;

function withoutBacktrace(text: string | undefined): string | undefined {
  return text?.replace(BACKTRACE, "\n");
}

/**
 * The last `limit` calls with their outputs, reading the file backwards from the end and stopping at the
 * oldest of them: outputs and results follow their call, so by then every one of them has been read. The
 * lines read are then paired in file order, as the fold pairs them (call-pairing.ts). `turnOf` numbers a
 * call's turn from its id or the byte offset of its line (the caller has the index or a turn scan).
 * `end`: read only up to this byte (what the turn scan covered).
 */
export async function lastCallsFromEnd(
  path: string,
  limit: number,
  turnOf: (callId: string, start: number) => number,
  end?: number,
): Promise<Call[]> {
  const read: Array<{ events: CallEvent[]; start: number }> = [];
  let calls = 0;
  // enough calls read, but the oldest an id-less search: the earlier calls of its millisecond are read too, so
  // that it is numbered as the fold numbers it (call-pairing.ts addCall)
  let sameTime: string | undefined | null = null;
  for await (const line of eventsBackward(path, undefined, end)) {
    const start = line.start;
    const events = line.events.filter(isCallEvent);
    if (events.length === 0) continue;
    if (sameTime !== null && events[0]?.timestamp !== sameTime) break;
    read.push({ events, start });
    calls += events.filter((event) => event.kind === "call").length;
    if (calls >= limit && sameTime === null) {
      // the made-up id of an id-less search of the oldest line's millisecond (normalize-handlers.ts)
      const time = events[0]?.timestamp;
      const made = `${UNNAMED_SEARCH}${time ?? "?"}`;
      const named = read.some((one) => one.events.some((event) => event.kind === "call" && event.callId === made));
      if (!named) break;
      sameTime = time;
    }
  }
  const pairing = newPairing();
  const found: Call[] = [];
  for (const { events, start } of read.reverse()) {
    for (const event of events) {
      if (event.kind === "call") {
        const call = callOf(event, turnOf(event.callId, start), true);
        addCall(pairing, call);
        found.push(call);
      } else if (event.kind === "call_output") addOutput(pairing, event);
      else if (!addResult(pairing, event)) keepForLater(pairing, event);
    }
  }
  return found.slice(-limit);
}

type CallEvent = EventOf<"call"> | EventOf<"call_output"> | EventOf<"call_result">;

function isCallEvent(event: SessionEvent): event is CallEvent {
  return event.kind === "call" || event.kind === "call_output" || event.kind === "call_result";
}

/** Keeps the head and the tail: a command's last lines usually say why it failed. */
export function capText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  // room left by the longest marker it can take: one counting the whole text
  const room = Math.max(0, maxChars - cutMarker(text.length).length);
  const half = Math.ceil(room / 2);
  const head = cutWhole(text, half);
  const tail = tailOf(text, room - half);
  return { text: head + cutMarker(text.length - head.length - tail.length) + tail, truncated: true };
}

const cutMarker = (cut: number) => `\n… [${cut} characters cut] …\n`;
