// Turn numbers without folding the whole file: one pass over its bytes that decodes only the lines that can
// open a turn, run through the fold's own turn rules (SessionFolder), so the numbers are the fold's.
//
// A line is classed by its first bytes (its envelope type), as cannotMatter does:
// - outputs, results, token counters and the like never open a turn nor change whether the next turn start
//   reuses the current turn: passed over;
// - items (calls, agent messages, reasoning) open a turn only where there is none, and make a turn "used"
//   (session-model.ts isPristine): decoded only while the current turn could still be reused or there is
//   none, a state that ends at the turn's first item, start event or end;
// - token counters are folded when asked for (token_usage), so the ledger is the fold's, turn by turn;
// - every other line (turn starts and ends, prompts, turn contexts, compactions, errors, the session meta,
//   and any line whose type is not recognized by its bytes) is decoded and folded.
// The pass gives up (the caller folds the file whole) on what only the full fold can number: a fork's or
// sub-agent's file (the parent's replayed history is told apart by its counters), code mode's nested calls,
// and a file with more than READ_LIMITS.skippedBytes of skipped lines (overlong, or not rollout lines): the
// fold stops there, and the pass must not read on without bound (a sparse file of a terabyte reads as NULs).
import { EVENT_TYPES, LINE_TYPES, normalizeLine, RESPONSE_ITEM_TYPES, TURN_ITEM_TYPES } from "./normalize.js";
import { cannotMatter, FAST_HEADS, lineClassBytes, lineHead, type LineHead } from "./line-filter.js";
import { READ_LIMITS } from "./rollout-reader.js";
import { parseLine, ReadAhead } from "./rollout-lines.js";
import { SessionFolder, type SessionModel, type Turn } from "./session-model.js";
import { openRollout } from "./rollout-open.js";

export interface TurnScan {
  /** Bytes scanned: the end of the file when the scan began. */
  size: number;
  /** The session id from the file's own session_meta. */
  sessionId: string | undefined;
  /** The number a call written at byte `start` gets in the fold: the turn open there. */
  turnAt(callId: string, start: number): number;
  /**
   * The fold of what was read: its turns as the full fold's (their prompts and items only where read), and,
   * when scanned with `counters`, its token ledger too (every counter is read: it is the fold's ledger).
   */
  model: SessionModel;
}

export interface ScanOptions {
  /** Read every token counter as well (token_usage): the ledger is then the full fold's. */
  counters?: boolean;
}

const CHUNK = 1024 * 1024;
/** cannotMatter looks this far into a line for an item's type or a message's role. */
const HEAD_CHARS = 600;
const SHORT_HEAD_CHARS = 200;
const LONG_HEAD_TYPES = /"payload":\{"type":"(?:item_completed|message)"/;
const EXEC_CALL = Buffer.from('"name":"exec"');

// Each type's part in turns, by the normalizer's own type names (normalize.ts: a name not in its tables
// does not compile here); a type in none of these sets is folded, which is always right, only slower.
type LineType = keyof typeof LINE_TYPES;
type ItemType = keyof typeof RESPONSE_ITEM_TYPES;
type EventType = keyof typeof EVENT_TYPES;
type TurnItemType = keyof typeof TURN_ITEM_TYPES;

/** Lines that carry token counters, and nothing else a turn needs. */
const COUNTER_LINES: ReadonlySet<LineType> = new Set<LineType>(["token_usage_record"]);
const COUNTER_EVENTS: ReadonlySet<EventType> = new Set<EventType>(["token_count"]);
/** Outputs and ends of calls: they never touch turns. */
const NO_TURN_EFFECT_ITEMS: ReadonlySet<ItemType> = new Set<ItemType>([
  "function_call_output",
  "custom_tool_call_output",
  "local_shell_call_output",
]);
const NO_TURN_EFFECT_EVENTS: ReadonlySet<EventType> = new Set<EventType>(["exec_command_end", "patch_apply_end"]);
const NO_TURN_EFFECT_TURN_ITEMS: ReadonlySet<TurnItemType> = new Set<TurnItemType>([
  "CommandExecution",
  "McpToolCall",
  "FileChange",
]);
/** Items: they open a turn only where there is none, and make a turn "used". */
const CALL_ITEMS: ReadonlySet<ItemType> = new Set<ItemType>(["function_call", "custom_tool_call"]);
const OTHER_ITEMS: ReadonlySet<ItemType> = new Set<ItemType>(["local_shell_call"]);
const ITEM_EVENTS: ReadonlySet<EventType> = new Set<EventType>(["agent_message", "agent_reasoning"]);
const ITEM_TURN_ITEMS: ReadonlySet<TurnItemType> = new Set<TurnItemType>(["AgentMessage", "Reasoning"]);
/** What can open or close a turn while one that had its start event runs. */
const TURN_EDGES: ReadonlySet<EventType> = new Set<EventType>([
  "task_started",
  "turn_started",
  "task_complete",
  "turn_complete",
  "turn_aborted",
]);

function has<T extends string>(set: ReadonlySet<T>, type: string | undefined): boolean {
  return type !== undefined && set.has(type as T);
}

/**
 * "open": a line that changes turns only where the current turn is not yet running: while a turn that had its
 * start event runs, prompts (its own or steering), items, compactions and errors stay in it.
 */
type LineClass = "skip" | "item" | "call" | "open" | "counter" | "fold";
const TURN_ID = /"turn_id":"([^"]{1,200})"/;
const TURN_ID_KEY = Buffer.from('"turn_id"');

/** The line's class from its bytes, or, where they are not written as Codex writes them, from its head by the regexes. */
function classOf(buffer: Buffer, from: number, end: number): LineClass {
  // headOf's rule: 600 bytes where the payload's type (item_completed, message) ends within the first 200
  const known = FAST_HEADS.bytes ? lineClassBytes(buffer, from, end, HEAD_CHARS, SHORT_HEAD_CHARS) : undefined;
  if (known !== undefined) return classify(known, known.passed);
  const head = headOf(buffer, from, end);
  return classify(lineHead(head), cannotMatter(head));
}

/** `passed`: cannotMatter of the line's head. */
function classify(line: LineHead | undefined, passed: boolean): LineClass {
  if (!line) return passed ? "skip" : "fold";
  const { lineType, payloadType, itemType } = line;
  // the commonest lines first; cannotMatter passes all of these (its regexes are the scan's main cost)
  if (has(COUNTER_LINES, lineType) || (lineType === "event_msg" && has(COUNTER_EVENTS, payloadType))) return "counter";
  if (lineType === "response_item" && has(NO_TURN_EFFECT_ITEMS, payloadType)) return "skip";
  if (lineType === "event_msg" && has(NO_TURN_EFFECT_EVENTS, payloadType)) return "skip";
  if (passed) return "skip";
  if (payloadType === undefined) return "fold";
  if (lineType === "response_item" && has(CALL_ITEMS, payloadType)) return "call";
  if (
    (lineType === "response_item" && has(OTHER_ITEMS, payloadType)) ||
    (lineType === "event_msg" && has(ITEM_EVENTS, payloadType))
  )
    return "item";
  if (lineType === "event_msg" && payloadType === "item_completed") {
    if (has(NO_TURN_EFFECT_TURN_ITEMS, itemType)) return "skip";
    if (has(ITEM_TURN_ITEMS, itemType)) return "item";
  }
  if (lineType === "event_msg" && !has(TURN_EDGES, payloadType)) return "open";
  if (lineType === "response_item") return "open";
  return "fold";
}

/** A turn that had its start event and has not ended. */
function running(turn: Turn | undefined): turn is Turn {
  return turn !== undefined && turn.hasStartEvent && !turn.ended;
}

/**
 * A turn context in a turn not ended opens none when it names no turn id (0.39–0.63 write none) or the
 * current turn's own id (seen in its first bytes).
 */
function sameTurnContext(head: string, line: Buffer, turn: Turn | undefined): boolean {
  if (turn === undefined || turn.ended || !head.includes('"type":"turn_context"')) return false;
  if (!line.includes(TURN_ID_KEY)) return true;
  const id = TURN_ID.exec(head)?.[1];
  return id !== undefined && id === turn.turnId;
}

/**
 * A turn a call, message or reasoning can still change the numbering of: none yet, or one the next start
 * event would reuse (session-model.ts isPristine: no start event, no prompt of its own, no item, not ended).
 */
function itemsMatter(turn: Turn | undefined): boolean {
  if (turn === undefined) return true;
  const noPrompt = turn.prompt === undefined || turn.promptFrom !== undefined;
  return !turn.hasStartEvent && noPrompt && turn.lastItem === undefined && !turn.ended;
}

/**
 * False for a line that is surely not a JSON object: it holds a NUL byte (a sparse hole; JSON escapes every
 * control character) or does not end in `}`. A line passed over by its head (a call, an item, a counter) is one
 * the reader parses and counts as skipped when it is not JSON: so does the scan's budget, without parsing it.
 * `nextNul`: the buffer's first NUL byte at or after `from` (-1: none), looked for once per chunk, not per line.
 */
function mayBeJson(buffer: Buffer, from: number, end: number, nextNul: number): boolean {
  let last = end - 1;
  while (last > from && (buffer[last] === 0x0d || buffer[last] === 0x20 || buffer[last] === 0x09)) last -= 1;
  return buffer[last] === 0x7d && !(nextNul !== -1 && nextNul < end);
}

/** The first bytes of a line, as many as its type needs to be classed (most need few: less garbage). */
function headOf(buffer: Buffer, from: number, end: number): string {
  const short = buffer.toString("latin1", from, Math.min(end, from + SHORT_HEAD_CHARS));
  return LONG_HEAD_TYPES.test(short) ? buffer.toString("latin1", from, Math.min(end, from + HEAD_CHARS)) : short;
}

/** `buffer` from `from` to `end`: the line. */
function needsFolding(
  kind: LineClass,
  turn: Turn | undefined,
  buffer: Buffer,
  from: number,
  end: number,
  options: ScanOptions,
): boolean {
  switch (kind) {
    case "skip":
      return false;
    case "counter":
      return options.counters === true;
    case "item":
    case "call":
      return itemsMatter(turn);
    case "open":
      return !running(turn);
    case "fold":
      return !sameTurnContext(
        buffer.toString("latin1", from, Math.min(end, from + HEAD_CHARS)),
        buffer.subarray(from, end),
        turn,
      );
  }
}

/** Scans a `.jsonl` rollout; undefined when only the full fold can number its turns. */
export async function scanTurns(path: string, options: ScanOptions = {}): Promise<TurnScan | undefined> {
  const folder = new SessionFolder({ compact: { reasoningLimit: 0, textChars: 0 } });
  const turns = folder.model.turns;
  /** Byte offsets where the number of turns changed, and the number from there on. */
  const starts: number[] = [];
  const counts: number[] = [];
  const issues = { badFieldLines: 0 };
  let lineNumber = 0;
  let nestedCalls = false;
  /** Bytes of lines over READ_LIMITS.lineBytes and of lines read that are not rollout lines, as the reader counts them. */
  let skippedBytes = 0;
  const foldLine = (buffer: Buffer, from: number, end: number, start: number, counter: boolean): void => {
    const events = normalizeLine(parseLine(buffer, from, end, counter), lineNumber, issues);
    if (events === undefined) skippedBytes += end - from;
    const before = turns.length;
    for (const event of events ?? []) folder.add(event);
    if (turns.length !== before) {
      starts.push(start);
      counts.push(turns.length);
    }
  };

  const { handle, size } = await openRollout(path);
  let reader: ReadAhead | undefined;
  try {
    reader = new ReadAhead(handle, size);
    let buffer = Buffer.allocUnsafe(CHUNK);
    // `buffer` holds the file's bytes from `position`; the first `carried` are an unfinished line read before
    let position = 0;
    let carried = 0;
    // inside a line longer than READ_LIMITS.lineBytes: passed over unread, as the fold skips it
    let overlong = false;
    while (position + carried < size && !nestedCalls) {
      if (skippedBytes > READ_LIMITS.skippedBytes) return undefined; // the fold stops here: it numbers the rest
      const length = Math.min(buffer.length - carried, size - position - carried);
      const bytesRead = await reader.read(buffer, carried, length, position + carried);
      if (bytesRead < length) return undefined; // shrank while read: let the fold sort it out
      const filled = carried + bytesRead;
      const last = position + filled >= size;
      let from = 0;
      if (overlong) {
        const newline = buffer.indexOf(10);
        if (newline === -1 || newline >= filled) {
          position += filled;
          skippedBytes += filled;
          continue;
        }
        overlong = false;
        lineNumber += 1;
        skippedBytes += newline;
        from = newline + 1;
      }
      let nul = -2; // the first NUL at or after the lines looked at (-1: none in the buffer), not looked for yet
      while (from < filled) {
        let newline = buffer.indexOf(10, from);
        if (newline === -1 || newline >= filled) {
          if (!last) break;
          newline = filled; // the last line, without its newline
        }
        lineNumber += 1;
        const kind = newline > from ? classOf(buffer, from, newline) : "skip";
        if (kind === "call" && buffer.subarray(from, newline).includes(EXEC_CALL)) nestedCalls = true;
        if (needsFolding(kind, turns.at(-1), buffer, from, newline, options))
          foldLine(buffer, from, newline, position + from, kind === "counter");
        else if (kind !== "skip") {
          if (nul !== -1 && nul < from) nul = buffer.indexOf(0, from);
          if (!mayBeJson(buffer, from, newline, nul)) skippedBytes += newline - from;
        }
        from = newline + 1;
      }
      if (from === 0 && !last) {
        // one line longer than the buffer
        if (buffer.length >= READ_LIMITS.lineBytes) {
          overlong = true;
          skippedBytes += filled;
          position += filled;
          carried = 0;
          continue;
        }
        const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, READ_LIMITS.lineBytes));
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
        carried = filled;
        continue;
      }
      // the unfinished last line moves to the front, to be completed by the next read
      const done = Math.min(from, filled);
      if (done < filled) buffer.copy(buffer, 0, done, filled);
      position += done;
      carried = filled - done;
    }
  } finally {
    await reader?.settle();
    await handle.close();
  }
  if (nestedCalls) return undefined;
  const meta = folder.model.meta;
  const lineage = folder.model.lineage;
  if (lineage && (lineage.kind !== "session" || lineage.inherited.lines > 0)) return undefined;
  if (meta && (meta.forkedFromId !== undefined || meta.historyStartOrdinal !== undefined)) return undefined;
  return {
    size,
    sessionId: meta?.id,
    model: folder.model,
    turnAt(callId, start) {
      const known = folder.turnOfCall(callId);
      if (known !== undefined) return known;
      let low = 0;
      let high = starts.length - 1;
      let found = 0;
      while (low <= high) {
        const mid = (low + high) >> 1;
        if ((starts[mid] ?? 0) < start) {
          found = counts[mid] ?? 0;
          low = mid + 1;
        } else high = mid - 1;
      }
      return found;
    },
  };
}
