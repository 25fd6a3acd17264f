// Field readers of the normalizer: each reads one field of a log line as its type and range, or drops it
// (counted per line in lineIssues, so a line with a field of the wrong type is reported, not believed).
import type { RateLimitWindow, RateLimits, TokenTotals } from "./events.js";
import { isRecord } from "../shared/json.js";

/**
 * What the line being normalized held that could not be read: fields of the wrong type or range, and an
 * event or item type in no table. Normalizing is synchronous, so normalizeLine resets it for each line.
 */
export const lineIssues = { droppedFields: 0, unknownType: false };

export type Json = Record<string, unknown>;

export type At = { line: number; timestamp?: string; ordinal?: number };

export function tokenTotals(value: unknown): TokenTotals | undefined {
  if (!isRecord(value)) {
    if (value != null) lineIssues.droppedFields += 1;
    return undefined;
  }
  const input = count(value.input_tokens) ?? 0;
  const output = count(value.output_tokens) ?? 0;
  // Only where the log counts some: before 0.14x it is absent, and since then it is 0 in every counter of a
  // model that reports no cache writes (as OpenAI's models mostly answer), where it says nothing new. Left
  // out rather than 0, the answers of every such session stay as they were (and agree with the app server's
  // usage, which has no such field).
  const written = count(value.cache_write_input_tokens) || undefined;
  return {
    input,
    cached_input: count(value.cached_input_tokens) ?? 0,
    output,
    reasoning_output: count(value.reasoning_output_tokens) ?? 0,
    total: count(value.total_tokens) ?? input + output,
    ...(written !== undefined && { cache_write_input: written }),
  };
}

/** Every rate-limit shape since 0.40: flat percent fields, windows with `resets_in_seconds`, or `resets_at`. */
export function rateLimits(value: unknown, timestamp: string | undefined): RateLimits | undefined {
  if (!isRecord(value)) return undefined;
  return {
    primary: rateLimitWindow(value, "primary", timestamp),
    secondary: rateLimitWindow(value, "secondary", timestamp),
    plan_type: str(value.plan_type) ?? null,
  };
}

// a function of its own, not a closure made per token_count line (twice per line, read cold)
function rateLimitWindow(
  value: Json,
  name: "primary" | "secondary",
  timestamp: string | undefined,
): RateLimitWindow | null {
  const nested = value[name];
  if (isRecord(nested)) {
    const resetsAt = num(nested.resets_at);
    const resetsIn = num(nested.resets_in_seconds);
    return {
      used_percent: num(nested.used_percent) ?? null,
      window_minutes: num(nested.window_minutes) ?? null,
      resets_at:
        resetsAt !== undefined
          ? isoFromMs(resetsAt * 1000)
          : resetsIn !== undefined && timestamp
            ? isoFromMs(Date.parse(timestamp) + resetsIn * 1000)
            : null,
    };
  }
  const flatPercent = num(value[`${name}_used_percent`]);
  if (flatPercent === undefined) return null;
  return { used_percent: flatPercent, window_minutes: num(value[`${name}_window_minutes`]) ?? null, resets_at: null };
}

/** Rust `Duration` `{secs,nanos}`, or milliseconds. */
export function durationMs(value: unknown): number | undefined {
  if (isRecord(value)) {
    const secs = count(value.secs) ?? 0;
    const nanos = count(value.nanos) ?? 0;
    return checked(Math.round(secs * 1000 + nanos / 1e6));
  }
  return count(value);
}

export function errorInfo(info: unknown): string | undefined {
  return typeof info === "string" ? info : keyOf(info);
}

/** Texts Codex itself puts in user messages (environment, instructions, interrupt notes): not prompts. */
export const HARNESS_PREFIXES = [
  "<environment_context>",
  "<user_instructions>",
  "# AGENTS.md instructions",
  "<permissions instructions>",
  "<skills_instructions>",
  "<turn_aborted>",
  "<user_shell_command>",
];

export function isHarnessText(text: string): boolean {
  const start = text.trimStart();
  return HARNESS_PREFIXES.some((prefix) => start.startsWith(prefix));
}

const SHELL_TOOLS = new Set(["shell", "container.exec", "shell_command", "exec_command", "local_shell"]);

export function isShellTool(name: string): boolean {
  return SHELL_TOOLS.has(name);
}

/** MCP tools: `name` + `namespace` (`mcp__server` or `mcp__server__`) → `mcp__server__tool`. */
export function qualifiedName(name: string, namespace: string | undefined): string {
  if (!namespace) return name;
  return namespace.endsWith("__") ? `${namespace}${name}` : `${namespace}__${name}`;
}

export function keyOf(value: unknown): string | undefined {
  return isRecord(value) ? Object.keys(value)[0] : undefined;
}

// Field readers: a value of another type (null aside: "not said") is dropped and counted.

export function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value != null) lineIssues.droppedFields += 1;
  return undefined;
}

/** A finite number whose magnitude no sum of a session's values can overflow. */
function num(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= MAX_MAGNITUDE) return value;
  if (value != null) lineIssues.droppedFields += 1;
  return undefined;
}

/** A non-negative integer (token counts, ordinals, milliseconds). */
export function count(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= MAX_MAGNITUDE) return value;
  if (value != null) lineIssues.droppedFields += 1;
  return undefined;
}

export function int(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && Math.abs(value) <= MAX_MAGNITUDE) return value;
  if (value != null) lineIssues.droppedFields += 1;
  return undefined;
}

function checked(value: number): number | undefined {
  if (Number.isFinite(value) && Math.abs(value) <= MAX_MAGNITUDE) return value;
  lineIssues.droppedFields += 1;
  return undefined;
}

/** 2^40 (about 10^12): more tokens than any session, and sums of millions of them stay exact. */
const MAX_MAGNITUDE = 2 ** 40;
/** Dates JavaScript can print: ±100,000,000 days around 1970. */
const MAX_DATE_MS = 8.64e15;

/** Consecutive lines often share their time: the last good one is not parsed again. */
let lastTime: string | undefined;

/** A time string Date can read (it is kept as written: ISO UTC in every generation); anything else is dropped. */
export function isoTime(value: unknown): string | undefined {
  if (value === lastTime) return lastTime;
  if (typeof value === "string" && value.length <= 64 && Number.isFinite(Date.parse(value))) {
    lastTime = value;
    return value;
  }
  if (value != null) lineIssues.droppedFields += 1;
  return undefined;
}

/**
 * Rate-limit windows repeat their reset time line after line: the last two are remembered (as plain fields:
 * a cold process runs this in the interpreter, where an iterator and a destructured pair allocate per call).
 */
const isoMemo = { ms: NaN, iso: "", olderMs: NaN, olderIso: "" };

function isoFromMs(ms: number): string | null {
  if (Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS) {
    if (ms === isoMemo.ms) return isoMemo.iso;
    if (ms === isoMemo.olderMs) return isoMemo.olderIso;
    const iso = new Date(ms).toISOString();
    isoMemo.olderMs = isoMemo.ms;
    isoMemo.olderIso = isoMemo.iso;
    isoMemo.ms = ms;
    isoMemo.iso = iso;
    return iso;
  }
  lineIssues.droppedFields += 1;
  return null;
}
