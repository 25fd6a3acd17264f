// The last N tool calls of a session, paired with their outputs by call_id.
import { callDurationMs, callExitCode, callStatus, type CallStatus, type SessionModel } from "./session-model.js";

export interface CallsOptions {
  limit: number;
  includeOutput: boolean;
  maxOutputChars: number;
}

export interface CallView {
  call_id: string;
  name: string;
  arguments: unknown;
  command: string | null;
  output: string | null;
  output_truncated: boolean;
  exit_code: number | null;
  duration_ms: number | null;
  status: CallStatus;
  timestamp: string | null;
  turn: number;
}

export function lastCalls(model: SessionModel, options: CallsOptions): { calls: CallView[]; total_calls: number } {
  const calls = model.calls.slice(-options.limit).map((call): CallView => {
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
    };
  });
  return { calls, total_calls: model.calls.length };
}

/** Keeps the head and the tail: a command's last lines usually say why it failed. */
export function capText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  const marker = `\n… [${text.length - maxChars} characters cut] …\n`;
  const room = Math.max(0, maxChars - marker.length);
  const head = Math.ceil(room / 2);
  return { text: text.slice(0, head) + marker + text.slice(text.length - (room - head)), truncated: true };
}
