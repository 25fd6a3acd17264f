// Why an export failed, in words an operator can act on: the OTLP exporter's errors (an HTTP status, a socket
// code, a timeout) with the collector's own message, bounded and on one line.
import { z } from "zod";
import { tryParseJson } from "../shared/json.js";

/** What the SDK says when a collector answered 429, 502, 503 or 504 to every retry (it drops which). */
const RETRYABLE = "Export failed with retryable status";

/**
 * The exporter's errors carry the HTTP status in `code`, its reason phrase as the message and the collector's
 * answer in `data`: an OTLP collector refusing a request says why in a Status (`{"code":…,"message":…}`),
 * which is what tells the operator the fix ("missing API key", "request body too large").
 */
export function describeExportError(error: unknown): string {
  const { message, code, data } = error as { message?: string; code?: number | string; data?: unknown };
  if (message === RETRYABLE && code === undefined)
    return "the collector answered HTTP 429, 502, 503 or 504 (busy or unavailable) to every retry: try again later";
  const hint = typeof code === "string" ? networkHint(code) : message === TIMED_OUT ? TIMED_OUT_SAID : undefined;
  if (hint) return `${hint.what} (${typeof code === "string" ? code : message}): ${hint.fix}`;
  const status = typeof code === "number" ? `HTTP ${code}` : code;
  const parts = [status, message && message !== status ? message : undefined, collectorSays(data)];
  return parts.filter(Boolean).join(": ") || String(error);
}

/** The SDK's timeout error (its request timeout: OTEL_EXPORTER_OTLP_TIMEOUT, 10 s by default), with no code. */
const TIMED_OUT = "Request timed out";
const TIMED_OUT_SAID = {
  what: "the collector did not answer within the timeout",
  fix: "is it overloaded, or behind a proxy that holds the request? Try again later, or give a slow one longer (OTEL_EXPORTER_OTLP_TIMEOUT, in ms; 10000 by default)",
};

/** What a connection that failed before any HTTP answer means, and its fix: the codes Node's socket gives. */
function networkHint(code: string): { what: string; fix: string } | undefined {
  if (code === "ECONNREFUSED")
    return {
      what: "nothing listens there",
      fix: "start the collector, or point --otlp at its OTLP/HTTP receiver (port 4318 by default)",
    };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return { what: "that host name does not resolve", fix: "check the host in --otlp" };
  // llhttp's parse errors: the other end does not speak HTTP/1.1, as an OTLP/gRPC receiver (HTTP/2) does not
  if (code.startsWith("HPE_"))
    return {
      what: "the other end does not answer HTTP/1.1",
      fix: "is that an OTLP/gRPC port (4317)? Point --otlp at the OTLP/HTTP receiver (4318)",
    };
  return undefined;
}

const SAID_CHARS = 300;

/** An OTLP Status (google.rpc.Status in JSON) as far as the operator reads it: its message. */
const otlpStatusSchema = z.object({ message: z.string() });

/** The message of a collector's refusal: a Status's `message`, or a short plain-text body; never an HTML page. */
function collectorSays(data: unknown): string | undefined {
  if (typeof data !== "string") return undefined;
  let said = data;
  const json = tryParseJson(data);
  if (json !== undefined) {
    // the collector's answer is input: a Status is read through its schema, anything else says nothing
    const status = otlpStatusSchema.safeParse(json);
    said = status.success ? status.data.message : "";
  } else if (/<[a-z!]/i.test(data)) return undefined;
  // printed on a terminal: no control characters, one line, bounded
  const line = said.replace(/[\p{Cc}\p{Cf}\s]+/gu, " ").trim();
  if (line === "") return undefined;
  return line.length > SAID_CHARS ? `${line.slice(0, SAID_CHARS)}…` : line;
}
