// What a model-side error means, from the text Codex prints for it (the same on 0.63, 0.100 and 0.169) and its
// `codex_error_info` where the log has one. Upstream: codex-rs core/src/error.rs (the messages),
// core/src/api_bridge.rs and codex-api/src/sse/responses.rs (which backend answer becomes which error).
import type { DiagnosisCategory } from "./diagnosis-categories.js";
import type { ErrorSource } from "./views/closed-sets.js";
import type { ErrorDetails } from "./views/diagnosis.js";

/** One error as some source reported it, newest last within its source. */
export interface ErrorFact {
  message: string;
  info?: string | undefined;
  source: ErrorSource;
  /** When it was reported (ISO), if known: the base for "try again in …". */
  at?: string | undefined;
}

export type ErrorCategory = Extract<
  DiagnosisCategory,
  "quota_exhausted" | "usage_limit" | "context_window_exceeded" | "auth_error" | "rate_limited" | "network_error" | "server_error" | "model_error"
>;

/** Most specific first: a usage limit's 429 is not a rate limit, a refused connection is not a server error. */
const RULES: Array<[ErrorCategory, RegExp]> = [
  ["quota_exhausted", /Quota exceeded|insufficient_quota|usage_not_included|upgrade to Plus|billing details/i],
  ["usage_limit", /hit your usage limit|usage_limit_reached|usage_limit_exceeded/i],
  ["context_window_exceeded", /context window|context_length_exceeded|context_window_exceeded|maximum context length/i],
  ["auth_error", /(?:status:? |HTTP )40[13]\b|\b40[13] (?:Unauthorized|Forbidden)|invalid_api_key|Incorrect API key|refresh token|log ?in again|not logged in|^unauthorized\b/i],
  ["rate_limited", /rate.limit|(?:status:? |HTTP )429\b|Too Many Requests/i],
  ["network_error", /waiting for network|Connection failed|error sending request|Connection refused|dns error|failed to lookup address|tcp connect|Network is unreachable/i],
  [
    "server_error",
    /at capacity|overloaded|server_overloaded|high demand|internal_server_error|server_error|An error occurred while processing your request|(?:status:? |HTTP )5\d\d\b|\b5\d\d (?:Internal|Bad Gateway|Service Unavailable|Gateway Timeout)|stream disconnected|error decoding response body|stream closed before response\.completed|idle timeout waiting for SSE|response_stream/i,
  ],
];

export interface ClassifiedError {
  category: ErrorCategory;
  fact: ErrorFact;
}

/** The most specific category any of the errors points at; the fallback is model_error. */
export function classifyErrors(facts: ErrorFact[]): ClassifiedError | undefined {
  const usable = facts.filter((fact) => fact.message.trim() !== "" && !isProgressNotice(fact.message));
  if (usable.length === 0) return undefined;
  for (const [category, pattern] of RULES) {
    const matching = usable.filter((candidate) => pattern.test(`${candidate.info ?? ""} ${readableError(candidate.message)}`));
    // the log's copy carries Codex's error info; the stream's says the same in words
    const fact = matching.findLast((candidate) => candidate.source === "log") ?? matching.at(-1);
    if (fact) return { category, fact };
  }
  const fact = usable.at(-1);
  return fact && { category: "model_error", fact };
}

/** A retry notice alone ("Reconnecting... 2/5 (…)") classifies by what it quotes, not as a failure of its own. */
function isProgressNotice(message: string): boolean {
  return /^Reconnecting\.\.\.\s*$/.test(message);
}

export type { ErrorDetails } from "./views/diagnosis.js";

export function errorDetails(fact: ErrorFact, all: ErrorFact[]): ErrorDetails {
  const text = fact.message;
  const status = /\b(?:unexpected status|last status:?|status:?|HTTP)\s*(\d{3})\b/i.exec(text) ?? /\b(\d{3}) (?:Unauthorized|Forbidden|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b/.exec(text);
  const requestId = /request id:? ([\w-]+)/i.exec(text) ?? /request ID ([\w-]+) in your message/i.exec(text);
  const retryAfter = /try again in\s*(\d+(?:\.\d+)?\s*(?:ms|s|seconds?|minutes?))/i.exec(text);
  let retries: number | null = null;
  for (const other of all) {
    const numbered = /Reconnecting\.\.\.\s*(\d+)\/\d+/.exec(other.message);
    if (numbered) retries = Math.max(retries ?? 0, Number(numbered[1]));
    else if (/Reconnecting\.\.\. waiting for network/.test(other.message)) retries = (retries ?? 0) + 1;
  }
  return {
    http_status: status?.[1] !== undefined ? Number(status[1]) : null,
    error_info: fact.info ?? null,
    request_id: requestId?.[1] ?? null,
    retries,
    retry_after: retryAfter?.[1]?.replace(/\s+/g, "") ?? null,
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * The reset time in Codex's usage-limit message, as ISO. Codex prints it in its local time zone
 * ("try again at Jan 1st, 2027 12:00 AM", or "at 3:05 PM" on the same day), read here in this process's zone,
 * which is the one Codex ran in when this server started it. Older CLIs said "try again in 2 hours 5 minutes".
 */
export function resetTimeFromMessage(message: string, at: string | undefined): string | null {
  const full = /try again at (\w{3}) (\d{1,2})(?:st|nd|rd|th)?, (\d{4}) (\d{1,2}):(\d{2}) ([AP]M)/i.exec(message);
  if (full) {
    const month = MONTHS.indexOf(full[1] ?? "");
    if (month < 0) return null;
    return new Date(Number(full[3]), month, Number(full[2]), hours24(full[4], full[6]), Number(full[5])).toISOString();
  }
  const base = at !== undefined && !Number.isNaN(Date.parse(at)) ? new Date(at) : undefined;
  const sameDay = /try again at (\d{1,2}):(\d{2}) ([AP]M)/i.exec(message);
  if (sameDay && base) {
    return new Date(base.getFullYear(), base.getMonth(), base.getDate(), hours24(sameDay[1], sameDay[3]), Number(sameDay[2])).toISOString();
  }
  const relative = /try again in ((?:\d+\s*(?:days?|hours?|minutes?|seconds?)[\s,]*(?:and\s+)?)+)/i.exec(message);
  if (relative?.[1] && base) {
    const seconds = { day: 86400, hour: 3600, minute: 60, second: 1 };
    let total = 0;
    for (const part of relative[1].matchAll(/(\d+)\s*(day|hour|minute|second)/gi)) total += Number(part[1]) * seconds[(part[2] ?? "second").toLowerCase() as keyof typeof seconds];
    return new Date(base.getTime() + total * 1000).toISOString();
  }
  return null;
}

function hours24(hour: string | undefined, meridiem: string | undefined): number {
  const h = Number(hour) % 12;
  return meridiem?.toUpperCase() === "PM" ? h + 12 : h;
}

/** Model errors sometimes arrive as the provider's JSON body; its `error.message` is what a person wants to read. */
export function readableError(message: string): string {
  try {
    const body = JSON.parse(message) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return body.error.message;
  } catch {
    // not JSON
  }
  return message;
}
