// A loopback OTLP/HTTP receiver for the export tests: it decodes each request's JSON body, hands over the
// spans it carries, and answers 200 with an empty ExportTraceServiceResponse.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** An attribute's value as OTLP/JSON sends it (the kinds the export uses). */
export interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
}

/** A span as OTLP/JSON sends it, with what the tests read of it. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes: Array<{ key: string; value: OtlpValue }>;
  status?: { code?: number; message?: string };
}

export interface SpanReceiver {
  /** http://127.0.0.1:<port>, for --otlp. */
  url: string;
  close(): Promise<void>;
}

/** `T`: the fields of a span the test reads (OTLP/JSON names: spanId, attributes, status…). */
export async function startSpanReceiver<T>(onSpans: (spans: T[]) => void): Promise<SpanReceiver> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: T[] }> }>;
      };
      onSpans(body.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)));
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
