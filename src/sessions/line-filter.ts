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
  // every line Codex writes starts with `{"timestamp":"` or `{"type":"`; anything else is parsed
  if (end - start < 40 || buffer[start] !== 0x7b || buffer[start + 2] !== 0x74 || buffer[start + 3] !== 0x69)
    return false;
  return cannotMatterPrefix(buffer.toString("latin1", start, Math.min(end, start + PREFIX_BYTES)));
}

/** The test on a whole line of text. */
export function cannotMatter(line: string): boolean {
  return cannotMatterPrefix(line.length > PREFIX_BYTES ? line.slice(0, PREFIX_BYTES) : line);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
