// What a model-side error means, from the text Codex prints for it (the same on 0.63, 0.100 and 0.169) and its
// `codex_error_info` where the log has one. Upstream: codex-rs core/src/error.rs (the messages),
// core/src/api_bridge.rs and codex-api/src/sse/responses.rs (which backend answer becomes which error).
import { z } from "zod";
import { tryParseJson } from "../shared/json.js";
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
  /** The category a typed error (the app-server's `codexErrorInfo`) names outright; undefined: read the words. */
  category?: ErrorCategory | undefined;
}

export type ErrorCategory = Extract<
  DiagnosisCategory,
  | "quota_exhausted"
  | "usage_limit"
  | "context_window_exceeded"
  | "auth_error"
  | "rate_limited"
  | "network_error"
  | "server_error"
  | "model_error"
>;

/** A usage limit, in Codex's words (every plan's "You've hit your usage limit. …") or the backend's. */
const USAGE_LIMIT_WORDS = /hit your usage limit|usage_limit_reached/i;
/** A quota or a plan without Codex: "Quota exceeded. Check your plan and billing details.", usage_not_included. */
const QUOTA_WORDS = /Quota exceeded|insufficient_quota|usage_not_included|upgrade to Plus|billing details/i;

/**
 * Most specific first: a usage limit's 429 is not a rate limit, a refused connection is not a server error.
 * A usage limit's words come before a quota's: a Free or Go plan's limit ("You've hit your usage limit.
 * Upgrade to Plus to continue using Codex …, or try again at …") resets, and names Plus as a plan that
 * lasts longer. Codex gives all three the same `codex_error_info` (usage_limit_exceeded), so that is read
 * after the words of a quota (`Quota exceeded. Check your plan and billing details.`, usage_not_included's
 * "To use Codex with your ChatGPT plan, upgrade to Plus").
 */
const RULES: Array<[ErrorCategory, RegExp]> = [
  ["usage_limit", USAGE_LIMIT_WORDS],
  ["quota_exhausted", QUOTA_WORDS],
  ["usage_limit", /usage_limit_exceeded/i],
  ["context_window_exceeded", /context window|context_length_exceeded|context_window_exceeded|maximum context length/i],
  [
    "auth_error",
    /(?:status:? |HTTP )40[13]\b|\b40[13] (?:Unauthorized|Forbidden)|invalid_api_key|Incorrect API key|refresh token|log ?in again|not logged in|^unauthorized\b/i,
  ],
  ["rate_limited", /rate.limit|(?:status:? |HTTP )429\b|Too Many Requests/i],
  [
    "network_error",
    /waiting for network|Connection failed|error sending request|Connection refused|dns error|failed to lookup address|tcp connect|Network is unreachable/i,
  ],
  [
    "server_error",
    /at capacity|overloaded|server_overloaded|high demand|internal_server_error|server_error|An error occurred while processing your request|(?:status:? |HTTP )5\d\d\b|\b5\d\d (?:Internal|Bad Gateway|Service Unavailable|Gateway Timeout)|stream disconnected|error decoding response body|stream closed before response\.completed|idle timeout waiting for SSE|response_stream/i,
  ],
];

export interface ClassifiedError {
  category: ErrorCategory;
  fact: ErrorFact;
}

/**
 * What the app-server's typed turn errors (`codexErrorInfo`, v2 protocol) say, where that is more precise
 * than the words: a usage limit's 429 is not a rate limit, a 401 is not a server error. Kinds not listed
 * (policy refusals, `other`, a newer CLI's) fall back to the words.
 */
const TYPED_ERRORS: Record<string, ErrorCategory> = {
  usageLimitExceeded: "usage_limit",
  contextWindowExceeded: "context_window_exceeded",
  unauthorized: "auth_error",
  rateLimitExceeded: "rate_limited",
  serverOverloaded: "server_error",
  internalServerError: "server_error",
  responseStreamDisconnected: "server_error",
  responseTooManyFailedAttempts: "server_error",
};

/** The category a typed error names; an HTTP failure by its status (401/403 auth, 429 rate limit, 5xx server, none: network). */
export function typedErrorCategory(kind: string, httpStatus: number | null): ErrorCategory | undefined {
  const named = TYPED_ERRORS[kind];
  if (named) return named;
  if (kind !== "httpConnectionFailed" && kind !== "responseStreamConnectionFailed") return undefined;
  if (httpStatus === 401 || httpStatus === 403) return "auth_error";
  if (httpStatus === 429) return "rate_limited";
  if (httpStatus !== null && httpStatus >= 500) return "server_error";
  return httpStatus === null ? "network_error" : undefined;
}

/** The most specific category any of the errors points at; the fallback is model_error. */
export function classifyErrors(facts: ErrorFact[]): ClassifiedError | undefined {
  const usable = facts.filter((fact) => fact.message.trim() !== "" && !isProgressNotice(fact.message));
  if (usable.length === 0) return undefined;
  const typed = usable.findLast((fact) => fact.category !== undefined);
  // a typed usage limit is also what Codex makes of a quota or a plan without Codex: the words tell
  if (typed?.category === "usage_limit" && !USAGE_LIMIT_WORDS.test(typed.message) && QUOTA_WORDS.test(typed.message))
    return { category: "quota_exhausted", fact: typed };
  if (typed?.category) return { category: typed.category, fact: typed };
  for (const [category, pattern] of RULES) {
    const matching = usable.filter((candidate) =>
      pattern.test(`${candidate.info ?? ""} ${readableError(candidate.message)}`),
    );
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
  const status =
    /\b(?:unexpected status|last status:?|status:?|HTTP)\s*(\d{3})\b/i.exec(text) ??
    /\b(\d{3}) (?:Unauthorized|Forbidden|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b/.exec(
      text,
    );
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

/**
 * Month names and abbreviations as Codex's English message (chrono's `%b`) and the localized apps' date
 * formatting (Intl, e.g. pt-BR "10 de jul. de 2026, 11:52", fr "10 juil. 2026 à 11:52", de "10. Juli 2026 um
 * 11:52") write them, accents dropped, keyed by their first three letters (French "juin"/"juil" by four).
 */
const MONTH_PREFIXES: Record<string, number> = {
  jan: 0,
  ene: 0,
  gen: 0,
  feb: 1,
  fev: 1,
  mar: 2,
  mrz: 2,
  apr: 3,
  abr: 3,
  avr: 3,
  may: 4,
  mai: 4,
  mag: 4,
  jun: 5,
  juin: 5,
  giu: 5,
  jul: 6,
  juil: 6,
  lug: 6,
  aug: 7,
  ago: 7,
  aou: 7,
  sep: 8,
  set: 8,
  oct: 9,
  out: 9,
  okt: 9,
  ott: 9,
  nov: 10,
  dec: 11,
  dez: 11,
  dic: 11,
};

function monthOf(name: string | undefined): number | undefined {
  const plain = (name ?? "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
  if (plain.startsWith("jui")) return MONTH_PREFIXES[plain.slice(0, 4)];
  return MONTH_PREFIXES[plain.slice(0, 3)];
}

const LETTERS = "A-Za-z\u00C0-\u024F";
const CLOCK = "(\\d{1,2})[:h.](\\d{2})(?:\\s*([AaPp])\\.?\\s?[Mm]\\.?)?";
/** "Jan 1st, 2027 12:00 AM" (Codex), "Jul 10, 2026, 11:52 AM" (en-US). */
const MONTH_FIRST = new RegExp(
  `^([${LETTERS}]{3,})\\.? (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4}),?\\s+(?:at\\s+)?${CLOCK}`,
);
/** "10 de jul. de 2026, 11:52", "10 juil. 2026 à 11:52", "10. Juli 2026 um 11:52", "10 lug 2026, 11:52". */
const DAY_FIRST = new RegExp(
  `^(\\d{1,2})\\.?\\s+(?:de\\s+)?([${LETTERS}]{3,})\\.?\\s+(?:de\\s+)?(\\d{4}),?\\s+(?:à\\s+|às\\s+|a las\\s+|um\\s+|alle\\s+|at\\s+)?${CLOCK}`,
);
/** "10.07.2026, 11:52" (de, ru, …: dots are always day first). */
const DOTTED = new RegExp(`^(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4}),?\\s+${CLOCK}`);
/** "2026/07/10 11:52" (ja), "2026年7月10日 11:52" (ja, zh), "2026. 7. 10. 오후 11:52" (ko), "2026-07-10 11:52". */
const YEAR_FIRST =
  /^(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日.]?,?\s*(午前|午後|上午|下午|오전|오후)?\s*(\d{1,2}):(\d{2})/;
/** "3:05 PM" or "15:05": the same day as the message. */
const TIME_ONLY = new RegExp(`^${CLOCK}(?![\\d:/]|\\.\\d)`);

/**
 * The reset time in a usage-limit message, as ISO. Codex prints it in its local time zone ("try again at Jan
 * 1st, 2027 12:00 AM", or "at 3:05 PM" on the same day); localized apps print the date their locale's way. It
 * is read here in this process's zone, the one Codex ran in when this server started it. Older CLIs said "try
 * again in 2 hours 5 minutes". Null when the message names no time or one this reader cannot read (see
 * unreadResetTime).
 */
export function resetTimeFromMessage(message: string, at: string | undefined): string | null {
  const base = at !== undefined && !Number.isNaN(Date.parse(at)) ? new Date(at) : undefined;
  const named = /try again at\s+([^\n]{1,80})/i.exec(message)?.[1]?.trim();
  if (named !== undefined) {
    const date = absoluteTime(named) ?? (base ? sameDayTime(named, base) : undefined);
    return date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
  }
  const relative = /try again in ((?:\d+\s*(?:days?|hours?|minutes?|seconds?)[\s,]*(?:and\s+)?)+)/i.exec(message);
  if (relative?.[1] && base) {
    const seconds = { day: 86400, hour: 3600, minute: 60, second: 1 };
    let total = 0;
    for (const part of relative[1].matchAll(/(\d+)\s*(day|hour|minute|second)/gi))
      total += Number(part[1]) * seconds[(part[2] ?? "second").toLowerCase() as keyof typeof seconds];
    return new Date(base.getTime() + total * 1000).toISOString();
  }
  return null;
}

/** The text after "try again at" when resetTimeFromMessage could not read it: the diagnosis says so. */
export function unreadResetTime(message: string, at: string | undefined): string | undefined {
  const named = /try again at\s+([^\n]{1,80})/i.exec(message)?.[1]?.trim().replace(/\.$/, "");
  return named !== undefined && resetTimeFromMessage(message, at) === null ? named : undefined;
}

function absoluteTime(text: string): Date | undefined {
  const monthFirst = MONTH_FIRST.exec(text);
  if (monthFirst)
    return localDate(monthFirst[3], monthOf(monthFirst[1]), monthFirst[2], monthFirst[4], monthFirst[5], monthFirst[6]);
  const dayFirst = DAY_FIRST.exec(text);
  if (dayFirst) return localDate(dayFirst[3], monthOf(dayFirst[2]), dayFirst[1], dayFirst[4], dayFirst[5], dayFirst[6]);
  const dotted = DOTTED.exec(text);
  if (dotted) return localDate(dotted[3], Number(dotted[2]) - 1, dotted[1], dotted[4], dotted[5], dotted[6]);
  const yearFirst = YEAR_FIRST.exec(text);
  if (yearFirst) {
    const pm = yearFirst[4] !== undefined && /午後|下午|오후/.test(yearFirst[4]);
    const am = yearFirst[4] !== undefined && !pm;
    return localDate(
      yearFirst[1],
      Number(yearFirst[2]) - 1,
      yearFirst[3],
      yearFirst[5],
      yearFirst[6],
      pm ? "P" : am ? "A" : undefined,
    );
  }
  return undefined;
}

function sameDayTime(text: string, base: Date): Date | undefined {
  const time = TIME_ONLY.exec(text);
  if (!time) return undefined;
  return localDate(String(base.getFullYear()), base.getMonth(), String(base.getDate()), time[1], time[2], time[3]);
}

function localDate(
  year: string | undefined,
  month: number | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  meridiem: string | undefined,
): Date | undefined {
  if (month === undefined || month < 0 || month > 11) return undefined;
  const d = Number(day);
  const h = meridiem !== undefined ? hours24(hour, meridiem) : Number(hour);
  const m = Number(minute);
  if (!(d >= 1 && d <= 31 && h >= 0 && h <= 23 && m >= 0 && m <= 59)) return undefined;
  return new Date(Number(year), month, d, h, m);
}

function hours24(hour: string | undefined, meridiem: string | undefined): number {
  const h = Number(hour) % 12;
  return meridiem?.toUpperCase() === "P" || meridiem?.toUpperCase() === "PM" ? h + 12 : h;
}

/** Model errors sometimes arrive as the provider's JSON body; its `error.message` is what a person wants to read. */
export function readableError(message: string): string {
  // only a JSON object can be such a body: any other text skips the parse and the exception it throws (the
  // diagnosis asks once per rule and error, the report once per failed session)
  if (!JSON_OBJECT_START.test(message)) return message;
  const body = providerErrorSchema.safeParse(tryParseJson(message));
  return body.success ? body.data.error.message : message;
}

/** The OpenAI-style error body (`{"error": {"message": …}}`); any other text is shown as it is. */
const providerErrorSchema = z.object({ error: z.object({ message: z.string() }) });

/** What JSON.parse takes before an object: JSON's own whitespace (not \s: no BOM, no NBSP), then `{`. */
const JSON_OBJECT_START = /^[ \t\n\r]*\{/;
