// The server's stdin, one JSON-RPC message a line, passed on line by line within a bound. The SDK's stdio
// transport closes itself when its buffer passes 10 MiB (one oversized request, say a manipulated agent's
// 50 MB argument): the server then exited, silently, and the host lost it for the rest of its conversation.
// Here a line over the bound is dropped as it streams (never held whole), and the caller is told the id of the
// request it carried, when its first or last bytes say it, to answer that request with an error; every other
// line goes on to the transport as it came.
import { PassThrough, type Readable } from "node:stream";

/** The SDK's own bound (STDIO_DEFAULT_MAX_BUFFER_SIZE), now on one line rather than on its whole buffer. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Bytes kept of each end of a dropped line: enough for `{"jsonrpc":"2.0","id":…` or `…,"id":…}`. */
const EDGE_BYTES = 512;
const NEWLINE = Buffer.from("\n");

/** A JSON-RPC request id (a number or a string). */
export type MessageId = string | number;

/**
 * `input`'s lines of at most `maxLineBytes` with their newline (the transport's buffer refuses a longer chunk,
 * and closes), each passed on with its newline; a longer one is passed over, and
 * `onDropped` gets the id of the request it carried (undefined when its ends do not say) and why.
 */
export function boundedStdin(
  input: Readable,
  onDropped: (id: MessageId | undefined, why: string) => void,
  maxLineBytes = MAX_MESSAGE_BYTES,
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
    );
  input.on("data", (chunk: Buffer) => {
    let from = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, newline);
      if (dropping) dropped(dropping.head, lastBytes([dropping.tail, piece]));
      else if (pendingBytes + piece.length >= maxLineBytes) {
        const line = Buffer.concat([...pending, piece]);
        dropped(line.subarray(0, EDGE_BYTES), line.subarray(-EDGE_BYTES));
      } else output.write(Buffer.concat([...pending, piece, NEWLINE]));
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
    else if (pendingBytes > 0) {
      const line = Buffer.concat(pending);
      if (line.toString("utf8").trim() !== "") output.write(Buffer.concat([line, NEWLINE]));
    }
    output.end();
  });
  input.on("error", (error) => output.destroy(error));
  return output;
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
