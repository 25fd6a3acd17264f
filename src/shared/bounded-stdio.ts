// The server's stdin, one JSON-RPC message a line, passed on line by line within a bound. The SDK's stdio
// transport closes itself when its buffer passes 10 MiB (one oversized request, say a manipulated agent's
// 50 MB argument): the server then exited, silently, and the host lost it for the rest of its conversation.
// Here a line over the bound is dropped as it streams (never held whole), and the caller is told the id of the
// request it carried, when its first or last bytes say it, to answer that request with an error; every other
// line goes on to the transport as it came, if it is a JSON-RPC message. The SDK's transport answers nothing to
// a line that is not JSON or not a message (it only calls onerror): a host that sent one waited for ever. Such a
// line is answered here, as JSON-RPC 2.0 says: -32700 (not JSON) or -32600 (not a request), with the request's
// id where it has a valid one, else null; a blank line is passed over.
import { PassThrough, type Readable } from "node:stream";
import { isRecord } from "./json.js";

/** The SDK's own bound (STDIO_DEFAULT_MAX_BUFFER_SIZE), now on one line rather than on its whole buffer. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Bytes kept of each end of a dropped line: enough for `{"jsonrpc":"2.0","id":…` or `…,"id":…}`. */
const EDGE_BYTES = 512;
const NEWLINE = Buffer.from("\n");

/** A JSON-RPC request id (a number or a string). */
export type MessageId = string | number;

/** JSON-RPC 2.0's codes for what cannot be read: not JSON; JSON but not a request (or over the bound). */
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;

/** A line passed over, to be answered: the id it carried (null: none, or none valid; undefined: unknown). */
export interface Dropped {
  id: MessageId | null | undefined;
  code: typeof PARSE_ERROR | typeof INVALID_REQUEST;
  why: string;
}

/**
 * `input`'s lines of at most `maxLineBytes` with their newline (the transport's buffer refuses a longer chunk,
 * and closes), each JSON-RPC message passed on with its newline; a longer line is passed over, and
 * `onDropped` gets the id of the request it carried (undefined when its ends do not say) and why; so does a
 * line that is not JSON or not a message (id null when it has no valid one), or that `takes` (the transport's
 * own check, when given) refuses.
 */
export function boundedStdin(
  input: Readable,
  onDropped: (id: MessageId | null | undefined, why: string, code: Dropped["code"]) => void,
  maxLineBytes = MAX_MESSAGE_BYTES,
  takes?: (message: unknown) => boolean,
): Readable {
  const output = new PassThrough();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Inside a line over the bound: its first bytes, and its last ones so far. */
  let dropping: { head: Buffer; tail: Buffer } | undefined;
  const limit = `${Math.round((maxLineBytes / 1024 / 1024) * 10) / 10} MiB`;
  const dropped = (head: Buffer, tail: Buffer) =>
    onDropped(
      requestIdIn(head.toString("utf8"), tail.toString("utf8")),
      `The request is longer than ${limit} and was not read: send smaller arguments (put long text in a file and name the file in the prompt).`,
      INVALID_REQUEST,
    );
  /** A whole line within the bound, from its parts: passed on (with its newline) if it is a message, else answered. */
  const pass = (parts: Buffer[]) => {
    const line = Buffer.concat([...parts, NEWLINE]);
    const refused = unreadable(line.toString("utf8", 0, line.length - 1), takes);
    if (refused === "blank") return;
    if (refused) onDropped(refused.id, refused.why, refused.code);
    else output.write(line);
  };
  input.on("data", (chunk: Buffer) => {
    let from = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, newline);
      if (dropping) dropped(dropping.head, lastBytes([dropping.tail, piece]));
      else if (pendingBytes + piece.length >= maxLineBytes) {
        const line = Buffer.concat([...pending, piece]);
        dropped(line.subarray(0, EDGE_BYTES), line.subarray(-EDGE_BYTES));
      } else pass([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      dropping = undefined;
      from = newline + 1;
    }
    const rest = chunk.subarray(from);
    if (rest.length === 0) return;
    if (dropping) {
      dropping.tail = lastBytes([dropping.tail, rest]);
      return;
    }
    pending.push(rest);
    pendingBytes += rest.length;
    if (pendingBytes >= maxLineBytes) {
      const line = Buffer.concat(pending);
      dropping = { head: Buffer.from(line.subarray(0, EDGE_BYTES)), tail: Buffer.from(line.subarray(-EDGE_BYTES)) };
      pending = [];
      pendingBytes = 0;
    }
  });
  input.on("end", () => {
    // the end of input ends a last line without its newline (`printf '%s' "$request" | …`): the SDK's transport
    // reads only lines with one, and left such a request unanswered; one over the bound is answered as any
    if (dropping) dropped(dropping.head, dropping.tail);
    else if (pendingBytes > 0) pass(pending);
    output.end();
  });
  input.on("error", (error) => output.destroy(error));
  return output;
}

/**
 * Why a line is no JSON-RPC message the transport would take (its JSONRPCMessageSchema, checked as JSON-RPC 2.0
 * states it), or undefined when it is one; "blank" for a blank line. A response of the wrong shape is not
 * answered (a response is never answered): it gets id undefined; so does a notification JSON-RPC 2.0 allows
 * (params by position) or the transport refuses: JSON-RPC 2.0 says a notification is never replied to.
 * `takes`: the transport's own check (the SDK's schemas are strict and check params' `_meta`): a request or
 * notification that passes the checks here and not that one was dropped unanswered by the transport, and is
 * answered here.
 */
export function unreadable(line: string, takes?: (message: unknown) => boolean): Dropped | "blank" | undefined {
  if (line.trim() === "") return "blank";
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { id: null, code: PARSE_ERROR, why: "Parse error: the line is not JSON. Send one JSON-RPC message a line." };
  }
  const invalid = (id: MessageId | null | undefined, what: string): Dropped => ({
    id,
    code: INVALID_REQUEST,
    why: `Invalid Request: ${what}. Send one JSON-RPC 2.0 message a line (batches are not read).`,
  });
  if (!isRecord(value)) return invalid(null, Array.isArray(value) ? "a batch (an array)" : "not an object");
  const id = isId(value.id) ? value.id : null;
  if (value.jsonrpc !== "2.0") return invalid(id, 'no "jsonrpc": "2.0"');
  if ("method" in value) {
    if (typeof value.method !== "string") return invalid(id, '"method" is not a string');
    if ("id" in value && !isId(value.id)) return invalid(null, '"id" is not a string or an integer');
    // a notification is never answered (JSON-RPC 2.0 section 4.1), once it is one: params by name or by position
    const notification = !("id" in value);
    if (value.params !== undefined && !isRecord(value.params))
      return invalid(notification && Array.isArray(value.params) ? undefined : id, '"params" is not an object');
    if (takes && !takes(value))
      return invalid(
        notification ? undefined : id,
        'a member other than "jsonrpc", "id", "method" and "params", or a "_meta" of the wrong shape',
      );
    return undefined;
  }
  const error = value.error;
  const response =
    (isId(value.id) && isRecord(value.result)) ||
    ((value.id === undefined || isId(value.id)) &&
      isRecord(error) &&
      Number.isInteger(error.code) &&
      typeof error.message === "string");
  if (response && (!takes || takes(value))) return undefined;
  return "result" in value || "error" in value
    ? invalid(undefined, "a response of the wrong shape")
    : invalid(id, 'no "method"');
}

function isId(value: unknown): value is MessageId {
  return typeof value === "string" || Number.isSafeInteger(value);
}

/**
 * A request's id read from the ends of its line: the top-level `"id"` right after the opening `{` (and
 * `"jsonrpc"`), or right before the closing `}` (the SDK's clients write it last). A nested `"id"` is never
 * taken: it sits inside more than one brace.
 */
export function requestIdIn(head: string, tail: string): MessageId | undefined {
  const first = FIRST_ID.exec(head)?.[1];
  const found = first ?? LAST_ID.exec(tail)?.[1];
  if (found === undefined) return undefined;
  return found.startsWith('"') ? found.slice(1, -1) : Number(found);
}

const ID = String.raw`(-?\d{1,15}|"[^"\\\u0000-\u001f]{0,200}")`;
const FIRST_ID = new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${ID}\s*[,}]`);
const LAST_ID = new RegExp(String.raw`[{,]\s*"id"\s*:\s*${ID}\s*\}\s*$`);

function lastBytes(parts: Buffer[]): Buffer {
  const joined = Buffer.concat(parts);
  return joined.length > EDGE_BYTES ? Buffer.from(joined.subarray(-EDGE_BYTES)) : joined;
}
