// Token counter lines read without JSON.parse. A long log is mostly counters (a 200 MB 0.63 log: 203,000
// `token_count` lines, 60 % of its bytes) and each is written like the one before it with other numbers:
// parsing them whole was the first answers' main cost (docs/performance.md, "First answers").
//
// A counter line that was parsed in full becomes a template: its bytes, its parsed value, and its slots
// (each number, and each string but the types). A later line is read from a template when every byte
// outside the slots is the template's own byte, every number slot holds a valid JSON number and every
// string slot plain printable ASCII (no escape): the line is then the same JSON document with other values,
// so its value is the template's value with the slots set (made with the same conversions JSON.parse uses). Any other line (another shape,
// an escaped character, a byte that differs, a torn or overlong line) is not read here: the caller parses
// it in full, which never gives a wrong number, only the usual cost.
//
// The value returned is the template's own object, rewritten for each line: it is for the normalizer, which
// reads a counter's fields and keeps none of its objects (normalize-handlers.ts tokenCount, tokenUsageRecord).
import { isRecord } from "../shared/json.js";

/** Internal: tests turn the fast path off to compare it with the full parse. */
export const FAST_READS = { counters: true };

const MAX_TEMPLATES = 4;
/** Counter lines are under 1 KB; a longer line is not worth a template. */
const MAX_TEMPLATE_BYTES = 4096;
const MAX_SLOTS = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

type Container = Record<string, unknown> | unknown[];

interface Template {
  bytes: Buffer;
  value: Record<string, unknown>;
  /** Slot k covers template bytes [starts[k], ends[k]): a number token, or a string's content (between its quotes). */
  starts: number[];
  ends: number[];
  strings: boolean[];
  /** Where slot k's value goes in `value`. */
  targets: Container[];
  keys: Array<string | number>;
}

/** Counter lines read from the templates learnt from earlier ones (see the file's header). */
export class CounterLines {
  private templates: Template[] = [];

  /** The value JSON.parse would give the line `[start, end)`, or undefined: parse it in full (then `learn`). */
  read(buffer: Buffer, start: number, end: number): unknown {
    if (!FAST_READS.counters) return undefined;
    for (let index = 0; index < this.templates.length; index++) {
      const template = this.templates[index] as Template;
      if (matches(template, buffer, start, end)) {
        if (index > 0) {
          this.templates.splice(index, 1);
          this.templates.unshift(template);
        }
        return template.value;
      }
    }
    return undefined;
  }

  /** A line parsed in full into `value`: kept as a template when it is a counter line whose shape allows it. */
  learn(buffer: Buffer, start: number, end: number, value: unknown): void {
    if (!FAST_READS.counters || !isCounterLine(value) || end - start > MAX_TEMPLATE_BYTES) return;
    const bytes = Buffer.from(buffer.subarray(start, end));
    const template = templateOf(bytes);
    if (!template) return;
    this.templates.unshift(template);
    if (this.templates.length > MAX_TEMPLATES) this.templates.pop();
  }
}

/** One for every reader: templates are checked byte by byte, so any file's lines may use any template. */
export const counterLines = new CounterLines();

function isCounterLine(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value) || !isRecord(value.payload)) return false;
  return value.type === "token_usage_record" || (value.type === "event_msg" && value.payload.type === "token_count");
}

/**
 * The line against a template: equal bytes outside the slots, a JSON number in each number slot, plain
 * printable ASCII in each string slot. Slots are written into the template's value as they are read; a
 * line that fails leaves them for the next line to overwrite (every slot is set before a value is used).
 */
function matches(template: Template, buffer: Buffer, start: number, end: number): boolean {
  const { bytes, starts, ends, strings, targets, keys } = template;
  let at = start;
  let from = 0;
  for (let slot = 0; slot < starts.length; slot++) {
    const literal = (starts[slot] as number) - from;
    if (at + literal > end) return false;
    for (let k = 0; k < literal; k++) if (buffer[at + k] !== bytes[from + k]) return false;
    at += literal;
    from = ends[slot] as number;
    const target = targets[slot] as Container;
    const key = keys[slot] as string | number;
    if (strings[slot]) {
      const begin = at;
      while (at < end) {
        const byte = buffer[at] as number;
        if (byte === QUOTE) break;
        if (byte < 0x20 || byte > 0x7e || byte === BACKSLASH) return false;
        at += 1;
      }
      if (at >= end) return false;
      (target as Record<string, unknown>)[key] = buffer.toString("latin1", begin, at);
    } else {
      const after = numberEnd(buffer, at, end);
      if (after < 0) return false;
      (target as Record<string, unknown>)[key] = numberAt(buffer, at, after);
      at = after;
    }
  }
  const rest = bytes.length - from;
  if (end - at !== rest) return false;
  for (let k = 0; k < rest; k++) if (buffer[at + k] !== bytes[from + k]) return false;
  return true;
}

const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39;

/** The end of a JSON number token starting at `at` (RFC 8259 grammar), or -1 when there is none. */
function numberEnd(buffer: Buffer, at: number, end: number): number {
  let i = at;
  if (buffer[i] === 0x2d) i += 1; // -
  if (i >= end || !isDigit(buffer[i])) return -1;
  if (buffer[i] === 0x30) i += 1;
  else while (i < end && isDigit(buffer[i])) i += 1;
  if (i < end && buffer[i] === 0x2e) {
    i += 1;
    if (i >= end || !isDigit(buffer[i])) return -1;
    while (i < end && isDigit(buffer[i])) i += 1;
  }
  if (i < end && (buffer[i] === 0x65 || buffer[i] === 0x45)) {
    i += 1;
    if (i < end && (buffer[i] === 0x2b || buffer[i] === 0x2d)) i += 1;
    if (i >= end || !isDigit(buffer[i])) return -1;
    while (i < end && isDigit(buffer[i])) i += 1;
  }
  // a digit right after a leading 0 ("01") is not JSON; the byte after the token is checked against the template
  return i < end && isDigit(buffer[i]) ? -1 : i;
}

/** A number token's value as JSON.parse makes it: short integers summed exactly, the rest by the same conversion. */
function numberAt(buffer: Buffer, from: number, to: number): number {
  if (to - from <= 15) {
    let value = 0;
    let i = from;
    for (; i < to; i++) {
      const byte = buffer[i] as number;
      if (byte < 0x30 || byte > 0x39) break;
      value = value * 10 + (byte - 0x30);
    }
    if (i === to) return value;
  }
  return Number(buffer.toString("latin1", from, to));
}

/**
 * A template from a counter line's bytes: its numbers and its strings (but `type`s) become slots. Only a
 * line of plain ASCII without escapes, duplicate keys or `__proto__` keys is taken (each slot then maps to
 * one place in the parsed value, exactly as JSON.parse would set it).
 */
function templateOf(bytes: Buffer): Template | undefined {
  for (const byte of bytes) if (byte > 0x7e || byte === BACKSLASH) return undefined;
  const text = bytes.toString("latin1");
  const template: Template = {
    bytes,
    value: {},
    starts: [],
    ends: [],
    strings: [],
    targets: [],
    keys: [],
  };
  const reader = new TemplateReader(text, template);
  try {
    const value = reader.value(undefined, undefined, 0);
    reader.space();
    if (reader.at !== text.length || !isCounterLine(value) || template.starts.length > MAX_SLOTS) return undefined;
    template.value = value;
    return template;
  } catch {
    return undefined;
  }
}

/** A small JSON reader for templates only (a few per log): values with the place of each slot. */
class TemplateReader {
  at = 0;

  constructor(
    private readonly text: string,
    private readonly template: Template,
  ) {}

  space(): void {
    while (/[ \t\r\n]/.test(this.text[this.at] ?? "")) this.at += 1;
  }

  value(parent: Container | undefined, key: string | number | undefined, depth: number): unknown {
    if (depth > 32) throw new Error("too deep for a template");
    this.space();
    const char = this.text[this.at];
    if (char === "{") return this.object(depth);
    if (char === "[") return this.array(depth);
    if (char === '"') {
      const begin = this.at + 1;
      const value = this.string();
      // timestamps and ids change from line to line; a type says what the line is: it stays as it is
      if (key !== "type" && parent !== undefined && key !== undefined) this.slot(begin, this.at - 1, true, parent, key);
      return value;
    }
    const literal = /^(?:true|false|null)/.exec(this.text.slice(this.at, this.at + 5))?.[0];
    if (literal !== undefined) {
      this.at += literal.length;
      return literal === "null" ? null : literal === "true";
    }
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.at, this.at + 64))?.[0];
    if (number === undefined || parent === undefined || key === undefined) throw new Error("not a template value");
    this.slot(this.at, this.at + number.length, false, parent, key);
    this.at += number.length;
    return Number(number);
  }

  private slot(start: number, end: number, isString: boolean, target: Container, key: string | number): void {
    const { template } = this;
    template.starts.push(start);
    template.ends.push(end);
    template.strings.push(isString);
    template.targets.push(target);
    template.keys.push(key);
  }

  private string(): string {
    const close = this.text.indexOf('"', this.at + 1);
    if (close === -1) throw new Error("unterminated string");
    const value = this.text.slice(this.at + 1, close);
    for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) < 0x20) throw new Error("control character");
    this.at = close + 1;
    return value;
  }

  private object(depth: number): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    this.at += 1;
    this.space();
    if (this.text[this.at] === "}") {
      this.at += 1;
      return object;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') throw new Error("key expected");
      const key = this.string();
      if (key === "__proto__" || Object.hasOwn(object, key)) throw new Error("key not taken");
      this.space();
      if (this.text[this.at] !== ":") throw new Error("colon expected");
      this.at += 1;
      object[key] = this.value(object, key, depth + 1);
      this.space();
      const next = this.text[this.at];
      this.at += 1;
      if (next === "}") return object;
      if (next !== ",") throw new Error("comma expected");
    }
  }

  private array(depth: number): unknown[] {
    const array: unknown[] = [];
    this.at += 1;
    this.space();
    if (this.text[this.at] === "]") {
      this.at += 1;
      return array;
    }
    for (;;) {
      array.push(this.value(array, array.length, depth + 1));
      this.space();
      const next = this.text[this.at];
      this.at += 1;
      if (next === "]") return array;
      if (next !== ",") throw new Error("comma expected");
    }
  }
}
