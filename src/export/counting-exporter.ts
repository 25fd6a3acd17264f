// What the OTLP exporter reports, counted: a batch it failed, the spans a collector rejected in a partial
// success (which the SDK only logs), and a batch whose answer never ends (which the SDK waits on forever).
import type { DiagLogger } from "@opentelemetry/api";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { z } from "zod";
import { tryParseJson } from "../shared/json.js";
import { describeExportError } from "./export-errors.js";

/** An ExportTraceServiceResponse's partialSuccess; rejectedSpans is an int64, in OTLP/JSON a string or a number. */
const partialSuccessSchema = z.object({
  rejectedSpans: z.union([z.string(), z.number()]).optional().catch(undefined),
  errorMessage: z.string().optional().catch(undefined),
});

/**
 * A collector's partial success (HTTP 200 with `partialSuccess.rejectedSpans`, OTLP spec): the SDK's exporter
 * only logs it through `diag` (otlp-exporter-base's logging response handler) and reports the batch a
 * success. It logs it synchronously just before it calls back, so the warning is taken here and claimed by
 * the very next callback (CountingExporter).
 */
export class PartialSuccesses implements DiagLogger {
  pending: { rejected: number; message: string } | undefined;
  warn(message: string, ...args: unknown[]): void {
    if (message !== "Received Partial Success response:" || typeof args[0] !== "string") return;
    // the collector's answer is input: read through its schema
    const parsed = partialSuccessSchema.safeParse(tryParseJson(args[0]));
    if (!parsed.success) return;
    const rejected = Number(parsed.data.rejectedSpans ?? 0);
    const text = parsed.data.errorMessage ?? "";
    if (Number.isFinite(rejected) && rejected > 0) this.pending = { rejected, message: text };
  }
  error(): void {}
  info(): void {}
  debug(): void {}
  verbose(): void {}
  take(): { rejected: number; message: string } | undefined {
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }
}

/** Counts what the exporter reports: a failed batch, or the spans a collector rejected, is not silently lost. */
export class CountingExporter implements SpanExporter {
  sent = 0;
  failed = 0;
  lastError: string | undefined;
  /**
   * `deadlineMs`: how long a batch may go unanswered. The SDK's timeout is its socket's idle timeout, which a
   * collector sending its answer a byte at a time never trips: past the deadline the batch is failed and
   * `stalled` closes the connections (else the SDK's shutdown, which waits for it, never returned).
   */
  constructor(
    private readonly inner: SpanExporter,
    private readonly partial: PartialSuccesses,
    private readonly deadlineMs: number,
    private readonly stalled: () => void,
  ) {}
  export(spans: ReadableSpan[], done: Parameters<SpanExporter["export"]>[1]): void {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      this.failed += spans.length;
      this.lastError = `the collector did not finish its answer within ${this.deadlineMs / 1000} s: is it overloaded, or behind a proxy that holds the response? Try again later, or give a slow one longer (OTEL_EXPORTER_OTLP_TIMEOUT, in ms; 10000 by default, the answer's deadline 5 s more)`;
      this.stalled();
      // ExportResultCode.FAILED (@opentelemetry/core, not a dependency of ours: 0 is SUCCESS, as read below)
      done({ code: 1, error: new Error(this.lastError) });
    }, this.deadlineMs);
    this.inner.export(spans, (result) => {
      // the answer that came after the deadline: the batch was failed then
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const partial = this.partial.take();
      if (result.code === 0 && partial) {
        const rejected = Math.min(partial.rejected, spans.length);
        this.sent += spans.length - rejected;
        this.failed += rejected;
        this.lastError = `the collector rejected ${rejected} of ${spans.length} spans${partial.message ? `: ${partial.message}` : ""}`;
      } else if (result.code === 0) this.sent += spans.length;
      else {
        this.failed += spans.length;
        this.lastError = result.error ? describeExportError(result.error) : "export failed";
      }
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
