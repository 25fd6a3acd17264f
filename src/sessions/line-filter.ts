// "Lines that cannot matter", decided from a line's first bytes without decoding or parsing it, and derived
// from the normalizer tables (normalize.ts): a type the tables mark IGNORED is passed over, any other line
// (a read type, an unknown type, a line that does not look like Codex's own compact JSON) is parsed. Codex
// writes `{"timestamp":…,"type":…,"payload":{"type":…` in that order and without spaces; a line written
// otherwise is still read, only not passed over early. Passing over is safe because the full parse of such
// a line yields no event (a test holds the two to that, over the fixtures and mutations of them).
import { EVENT_TYPES, HARNESS_PREFIXES, LINE_TYPES, RESPONSE_ITEM_TYPES, TURN_ITEM_TYPES } from "./normalize.js";

function ignoredIn(table: Record<string, unknown>): ReadonlySet<string> {
  return new Set(Object.keys(table).filter((type) => table[type] === null));
}

const PASSED_LINES = ignoredIn(LINE_TYPES);
const PASSED_EVENTS = ignoredIn(EVENT_TYPES);
const PASSED_TURN_ITEMS = ignoredIn(TURN_ITEM_TYPES);
const PASSED_ENVELOPED_ITEMS: ReadonlySet<string> = new Set(
  Object.entries(RESPONSE_ITEM_TYPES)
    .filter(([, entry]) => entry === null || entry.enveloped === "never")
    .map(([type]) => type),
);
const USER_MESSAGE_ONLY: ReadonlySet<string> = new Set(
  Object.entries(RESPONSE_ITEM_TYPES)
    .filter(([, entry]) => entry !== null && entry.enveloped === "user message only")
    .map(([type]) => type),
);

/** Internal: tests turn the byte reader off (lineClassBytes) to compare it with the regexes. */
export const FAST_HEADS = { bytes: true };

/** How many of a line's first bytes are looked at: the envelope, the payload's type and an item's type. */
export const PREFIX_BYTES = 256;

const ENVELOPE = /^\{"timestamp":"[^"]{0,40}",(?:"ordinal":\d+,)?"type":"([a-z_]+)","payload":\{/;
const PAYLOAD_TYPE = /"type":"([A-Za-z_]+)"/y;
const ROLE = /,(?:"id":"[^"]{0,100}",)?"role":"([a-z_]+)"/y;
/** A user message whose text starts with what Codex itself writes there (environment, AGENTS.md): not a prompt. */
const HARNESS_CONTENT = new RegExp(
  `,"content":\\[\\{"type":"input_text","text":"(?:${HARNESS_PREFIXES.map(escapeRegExp).join("|")})`,
  "y",
);
const TURN_ITEM = /,(?:"thread_id":"[^"]{0,100}",)?(?:"turn_id":"[^"]{0,100}",)?"item":\{"type":"([A-Za-z_]+)"/y;

/**
 * True when the line (its first bytes, as latin1 or as text: only ASCII structure is matched) is of a type
 * the normalizer ignores. False means "parse it", never "it matters".
 */
export function cannotMatterPrefix(prefix: string): boolean {
  const envelope = ENVELOPE.exec(prefix);
  if (!envelope) return false;
  const lineType = envelope[1] ?? "";
  if (PASSED_LINES.has(lineType)) return true;
  if (lineType !== "response_item" && lineType !== "event_msg") return false;
  // sticky expressions: each continues where the previous one stopped
  PAYLOAD_TYPE.lastIndex = envelope[0].length;
  const payloadType = PAYLOAD_TYPE.exec(prefix)?.[1];
  if (payloadType === undefined) return false;
  const at = PAYLOAD_TYPE.lastIndex;
  if (lineType === "response_item") {
    if (PASSED_ENVELOPED_ITEMS.has(payloadType)) return true;
    if (!USER_MESSAGE_ONLY.has(payloadType)) return false;
    // the copy of a user message is the prompt where no event carries it (normalize.ts): only other roles pass
    ROLE.lastIndex = at;
    const role = ROLE.exec(prefix)?.[1];
    if (role !== "user") return role !== undefined;
    HARNESS_CONTENT.lastIndex = ROLE.lastIndex;
    return HARNESS_CONTENT.test(prefix);
  }
  if (PASSED_EVENTS.has(payloadType)) return true;
  if (payloadType !== "item_completed") return false;
  TURN_ITEM.lastIndex = at;
  const itemType = TURN_ITEM.exec(prefix)?.[1];
  return itemType !== undefined && PASSED_TURN_ITEMS.has(itemType);
}

/** A line's types as its first bytes name them: the envelope's, its payload's, and an item_completed's item's. */
export interface LineHead {
  lineType: string;
  payloadType: string | undefined;
  itemType: string | undefined;
}

/** The types named in a line's first bytes, read as cannotMatterPrefix reads them; undefined: not Codex's own compact JSON. */
export function lineHead(prefix: string): LineHead | undefined {
  const envelope = ENVELOPE.exec(prefix);
  if (!envelope) return undefined;
  PAYLOAD_TYPE.lastIndex = envelope[0].length;
  const payloadType = PAYLOAD_TYPE.exec(prefix)?.[1];
  let itemType: string | undefined;
  if (payloadType === "item_completed") {
    TURN_ITEM.lastIndex = PAYLOAD_TYPE.lastIndex;
    itemType = TURN_ITEM.exec(prefix)?.[1];
  }
  return { lineType: envelope[1] ?? "", payloadType, itemType };
}

/** The same test on raw bytes `[start, end)` of a buffer: only the first PREFIX_BYTES are decoded. */
export function cannotMatterBytes(buffer: Buffer, start: number, end: number): boolean {
  if (!mayBeCodexLine(buffer, start, end)) return false;
  const known = FAST_HEADS.bytes ? lineClassBytes(buffer, start, end, PREFIX_BYTES) : undefined;
  if (known !== undefined) return known.passed;
  return cannotMatterPrefix(buffer.toString("latin1", start, Math.min(end, start + PREFIX_BYTES)));
}

/** lineClassBytes of the first PREFIX_BYTES, for a line cannotMatterBytes would look at (undefined: not read so). */
export function lineClassAt(buffer: Buffer, start: number, end: number): LineClass | undefined {
  return FAST_HEADS.bytes && mayBeCodexLine(buffer, start, end)
    ? lineClassBytes(buffer, start, end, PREFIX_BYTES)
    : undefined;
}

/** Every line Codex writes starts with `{"timestamp":"` or `{"type":"`; anything else is parsed. */
function mayBeCodexLine(buffer: Buffer, start: number, end: number): boolean {
  return end - start >= 40 && buffer[start] === 0x7b && buffer[start + 2] === 0x74 && buffer[start + 3] === 0x69;
}

/** The test on a whole line of text. */
export function cannotMatter(line: string): boolean {
  return cannotMatterPrefix(line.length > PREFIX_BYTES ? line.slice(0, PREFIX_BYTES) : line);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** lineHead's types and cannotMatter's answer together, for one line. */
export interface LineClass extends LineHead {
  /** cannotMatter of the same first bytes. */
  passed: boolean;
}

/**
 * lineHead of a line's first `headChars` bytes and cannotMatter of its first min(headChars, PREFIX_BYTES),
 * read from the bytes without making a string or running a regex (a long log has a million lines: the
 * regexes were most of a first answer's classing). Undefined where the line is not written exactly as
 * Codex writes it (another key order, spaces, a long ordinal, an odd character) or its payload's type
 * does not end within `typeWithin` bytes: the caller then reads the line with the regexes, so the answer
 * is theirs either way (a test holds the two to that). The object returned is reused by the next call.
 */
export function lineClassBytes(
  buffer: Buffer,
  start: number,
  end: number,
  headChars: number,
  typeWithin = headChars,
): LineClass | undefined {
  const headEnd = Math.min(end, start + headChars);
  const passEnd = Math.min(end, start + Math.min(headChars, PREFIX_BYTES));
  // ENVELOPE: {"timestamp":"<up to 40 non-quotes>",("ordinal":<digits>,)?"type":"<a-z_>","payload":{
  let at = literalAt(buffer, start, end, TIMESTAMP_OPEN);
  if (at < 0) return undefined;
  const timestampEnd = at + 40;
  while (at < end && buffer[at] !== QUOTE) {
    if (at >= timestampEnd) return undefined;
    at += 1;
  }
  at = literalAt(buffer, at, end, QUOTE_COMMA);
  if (at < 0) return undefined;
  const ordinal = literalAt(buffer, at, end, ORDINAL_KEY);
  if (ordinal >= 0) {
    at = ordinal;
    const digits = at;
    while (at < end && isDigit(buffer[at])) at += 1;
    if (at === digits || buffer[at] !== COMMA) return undefined;
    at += 1;
  }
  at = literalAt(buffer, at, end, TYPE_OPEN);
  if (at < 0) return undefined;
  const lineTypeStart = at;
  while (at < end && isLowerName(buffer[at])) at += 1;
  if (at === lineTypeStart) return undefined;
  const lineTypeEnd = at;
  at = literalAt(buffer, at, end, PAYLOAD_OPEN);
  if (at < 0) return undefined;
  // PAYLOAD_TYPE: "type":"<A-Za-z_>"; a payload that does not start with its type has none (turn_context, session_meta)
  const typeAt = literalAt(buffer, at, end, TYPE_OPEN);
  if (typeAt < 0) {
    if (at > passEnd || at > start + typeWithin) return undefined;
    const lineType = nameOf(buffer, lineTypeStart, lineTypeEnd);
    return classed(lineType, undefined, undefined, PASSED_LINES.has(lineType));
  }
  const payloadTypeStart = typeAt;
  const payloadTypeEnd = quotedNameEnd(buffer, payloadTypeStart, end, isName);
  if (payloadTypeEnd < 0) return undefined;
  at = payloadTypeEnd + 1;
  // lines cut before the payload's type by a short head are left to the regexes
  if (at > passEnd || at > start + typeWithin) return undefined;
  const lineType = nameOf(buffer, lineTypeStart, lineTypeEnd);
  const payloadType = nameOf(buffer, payloadTypeStart, payloadTypeEnd);
  let itemType: string | undefined;
  let passed: boolean;
  if (PASSED_LINES.has(lineType)) passed = true;
  else if (lineType === "response_item") {
    if (PASSED_ENVELOPED_ITEMS.has(payloadType)) passed = true;
    else if (!USER_MESSAGE_ONLY.has(payloadType)) passed = false;
    else {
      // ROLE: ,("id":"<up to 100 non-quotes>",)?"role":"<a-z_>"
      at = literalAt(buffer, at, end, COMMA_BYTES);
      if (at < 0) return undefined;
      at = pastOptionalField(buffer, at, end, ID_OPEN);
      if (at < 0) return undefined;
      at = literalAt(buffer, at, end, ROLE_OPEN);
      if (at < 0) return undefined;
      const roleStart = at;
      const roleEnd = quotedNameEnd(buffer, roleStart, end, isLowerName);
      if (roleEnd < 0) return undefined;
      at = roleEnd + 1;
      if (at > passEnd) passed = false;
      else if (!equalsText(buffer, roleStart, roleEnd, "user")) passed = true;
      else {
        // HARNESS_CONTENT: ,"content":[{"type":"input_text","text":"<a harness prefix>
        const text = literalAt(buffer, at, end, HARNESS_OPEN);
        passed = text >= 0 && HARNESS_BYTES.some((prefix) => literalAt(buffer, text, passEnd, prefix) >= 0);
      }
    }
  } else passed = lineType === "event_msg" && PASSED_EVENTS.has(payloadType);
  if (payloadType === "item_completed") {
    // TURN_ITEM: ,("thread_id":"<≤100>",)?("turn_id":"<≤100>",)?"item":{"type":"<A-Za-z_>"
    at = literalAt(buffer, at, end, COMMA_BYTES);
    if (at < 0) return undefined;
    for (const key of [THREAD_ID_OPEN, TURN_ID_OPEN]) {
      at = pastOptionalField(buffer, at, end, key);
      if (at < 0) return undefined;
    }
    at = literalAt(buffer, at, end, ITEM_OPEN);
    if (at < 0) return undefined;
    const itemStart = at;
    const itemEnd = quotedNameEnd(buffer, itemStart, end, isName);
    if (itemEnd < 0) return undefined;
    at = itemEnd + 1;
    const found = nameOf(buffer, itemStart, itemEnd);
    if (at <= headEnd) itemType = found;
    if (lineType === "event_msg" && !passed) passed = at <= passEnd && PASSED_TURN_ITEMS.has(found);
  }
  return classed(lineType, payloadType, itemType, passed);
}

/** One object for every answer (a million lines, no garbage): read it before the next call. */
const CLASSED: LineClass = { lineType: "", payloadType: undefined, itemType: undefined, passed: false };

function classed(
  lineType: string,
  payloadType: string | undefined,
  itemType: string | undefined,
  passed: boolean,
): LineClass {
  CLASSED.lineType = lineType;
  CLASSED.payloadType = payloadType;
  CLASSED.itemType = itemType;
  CLASSED.passed = passed;
  return CLASSED;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const latin1 = (text: string): Buffer => Buffer.from(text, "latin1");
const TIMESTAMP_OPEN = latin1('{"timestamp":"');
const QUOTE_COMMA = latin1('",');
const COMMA_BYTES = latin1(",");
const ORDINAL_KEY = latin1('"ordinal":');
const TYPE_OPEN = latin1('"type":"');
const PAYLOAD_OPEN = latin1('","payload":{');
const ID_OPEN = latin1('"id":"');
const ROLE_OPEN = latin1('"role":"');
const HARNESS_OPEN = latin1(',"content":[{"type":"input_text","text":"');
const HARNESS_BYTES = HARNESS_PREFIXES.map(latin1);
const THREAD_ID_OPEN = latin1('"thread_id":"');
const TURN_ID_OPEN = latin1('"turn_id":"');
const ITEM_OPEN = latin1('"item":{"type":"');

const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39;
/** [a-z_] */
const isLowerName = (byte: number | undefined): boolean =>
  byte !== undefined && ((byte >= 0x61 && byte <= 0x7a) || byte === 0x5f);
/** [A-Za-z_] */
const isName = (byte: number | undefined): boolean =>
  byte !== undefined && ((byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || byte === 0x5f);

/** The offset after `literal` when the bytes at `at` (before `end`) are it; else -1. */
function literalAt(buffer: Buffer, at: number, end: number, literal: Buffer): number {
  if (at + literal.length > end) return -1;
  for (let k = 0; k < literal.length; k++) if (buffer[at + k] !== literal[k]) return -1;
  return at + literal.length;
}

/** Past an optional `<key><at most 100 non-quotes>",` at `at`: `at` itself when the key is not there, -1 when it is but is not closed so. */
function pastOptionalField(buffer: Buffer, at: number, end: number, key: Buffer): number {
  const value = literalAt(buffer, at, end, key);
  if (value < 0) return at;
  const closed = skipString(buffer, value, end, 100);
  return closed < 0 ? -1 : literalAt(buffer, closed, end, QUOTE_COMMA);
}

/** The offset of the quote closing a non-empty run of name bytes that starts at `start`; else -1. */
function quotedNameEnd(
  buffer: Buffer,
  start: number,
  end: number,
  isNameByte: (byte: number | undefined) => boolean,
): number {
  let at = start;
  while (at < end && isNameByte(buffer[at])) at += 1;
  return at === start || buffer[at] !== QUOTE ? -1 : at;
}

/** The offset of the quote that closes a string of at most `max` non-quote bytes starting at `at`; else -1. */
function skipString(buffer: Buffer, at: number, end: number, max: number): number {
  const limit = Math.min(end, at + max + 1);
  for (let i = at; i < limit; i++) if (buffer[i] === QUOTE) return i;
  return -1;
}

function equalsText(buffer: Buffer, from: number, to: number, text: string): boolean {
  if (to - from !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (buffer[from + k] !== text.charCodeAt(k)) return false;
  return true;
}

/**
 * Type names repeat a million times in a long log: each is made into a string once. A direct-mapped table
 * keyed by the name's length and a few of its bytes; every byte is compared before a name is reused.
 */
const NAMES: Array<string | undefined> = new Array<string | undefined>(256).fill(undefined);

function nameOf(buffer: Buffer, from: number, to: number): string {
  const length = to - from;
  const slot =
    (length * 7 +
      (buffer[from] as number) * 3 +
      (buffer[to - 1] as number) +
      (buffer[from + (length >> 1)] as number)) &
    255;
  const known = NAMES[slot];
  if (known !== undefined && equalsText(buffer, from, to, known)) return known;
  const name = buffer.toString("latin1", from, to);
  NAMES[slot] = name;
  return name;
}
