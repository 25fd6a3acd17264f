// The last N tool calls of a session, paired with their outputs by call_id.
import type { EventOf } from "./events.js";
import { normalizeLine } from "./normalize.js";
import { readBackward } from "./read-lines.js";
import { cannotMatter } from "./session-index.js";
import { callDurationMs, callExitCode, callStatus, type Call, type SessionModel } from "./session-model.js";
import { tryParseJson } from "./tool-output.js";
import type { CallView } from "./views/calls.js";

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
    const text = call.output?.text;
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

/**
 * The last `limit` calls with their outputs, reading the file backwards from the end and stopping at the
 * oldest of them: outputs and results follow their call, so by then every one of them has been seen.
 * `turnOf` numbers the calls' turns (it needs the whole file; the caller has it from the index).
 */
export async function lastCallsFromEnd(path: string, limit: number, turnOf: (callId: string) => number): Promise<Call[]> {
  const calls: Call[] = [];
  const outputs = new Map<string, EventOf<"call_output">>();
  const results = new Map<string, EventOf<"call_result">>();
  for await (const line of readBackward(path)) {
    if (cannotMatter(line)) continue;
    const events = normalizeLine(tryParseJson(line), 0) ?? [];
    for (let i = events.length - 1; i >= 0; i--) {
      const event = events[i];
      if (event?.kind === "call_output") outputs.set(event.callId, event); // the earliest output wins
      else if (event?.kind === "call_result") results.set(event.callId, { ...event, ...results.get(event.callId) });
      else if (event?.kind === "call") {
        const output = outputs.get(event.callId);
        const result = results.get(event.callId);
        calls.push({
          callId: event.callId,
          name: event.name,
          arguments: event.arguments,
          turn: turnOf(event.callId),
          ...(event.command !== undefined && { command: event.command }),
          ...(event.patchPaths !== undefined && { patchPaths: event.patchPaths }),
          ...(event.timestamp && { timestamp: event.timestamp }),
          ...(output && { output }),
          ...(result && { result }),
        });
      }
    }
    if (calls.length >= limit) break;
  }
  return calls.slice(0, limit).reverse();
}

/** Keeps the head and the tail: a command's last lines usually say why it failed. */
export function capText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  const marker = `\n… [${text.length - maxChars} characters cut] …\n`;
  const room = Math.max(0, maxChars - marker.length);
  const head = Math.ceil(room / 2);
  return { text: text.slice(0, head) + marker + text.slice(text.length - (room - head)), truncated: true };
}
