// Sessions as OpenTelemetry traces, sent with the OpenTelemetry JS SDK and its OTLP/HTTP (JSON) exporter:
// one trace per session (an `invoke_agent codex` span), a span per turn, a child span per tool call
// (`execute_tool <name>`). Attribute names follow the GenAI semantic conventions (gen_ai.*: development
// status, moved out of semantic-conventions 1.45 into open-telemetry/semantic-conventions-genai, names
// unchanged), the exit code is `process.exit.code`, the rest is under `codex.*`. Ids are
// derived from the session id and the turn index / call id (never random), so exporting the same sessions
// twice sends the same spans: a backend stores them once (or shows them as one trace).
import {
  DiagLogLevel,
  SpanStatusCode,
  context,
  diag,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider, type IdGenerator } from "@opentelemetry/sdk-trace";
import { createHash } from "node:crypto";
import type { Agent } from "node:http";
import {
  callStatus,
  openSession,
  sessionTokenUsage,
  turnStatus,
  type SessionDigest,
  type SessionStore,
} from "../sessions/index.js";
import { wellFormed } from "../shared/text.js";
import { describeExportError } from "./export-errors.js";
import { CountingExporter, PartialSuccesses } from "./counting-exporter.js";
import { remainderOf, usageAttributes, type TurnUsage } from "./span-usage.js";

type LoadedModel = Awaited<ReturnType<typeof openSession>>["model"];
type Turn = LoadedModel["turns"][number];
type Call = LoadedModel["calls"][number];

/** The ids the next span gets: set just before each span is started (the SDK asks the generator). */
class DerivedIds implements IdGenerator {
  traceId = "";
  spanId = "";
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

export function traceIdOf(sessionId: string): string {
  return hex(`trace\u0000${sessionId}`, 32);
}

export function spanIdOf(sessionId: string, part: string): string {
  return hex(`span\u0000${sessionId}\u0000${part}`, 16);
}

function hex(text: string, length: number): string {
  const digest = createHash("sha256").update(text).digest("hex").slice(0, length);
  // all zeros is the invalid id
  return /^0+$/.test(digest) ? `${"0".repeat(length - 1)}1` : digest;
}

const TEXT_CHARS = 1000;
/** How much longer than its timeout a batch may go unanswered (the SDK's retries end at the timeout). */
const ANSWER_GRACE_MS = 5_000;

/** A keep-alive agent as the SDK's default, loaded as the SDK asks (after any instrumentation of http). */
async function agentFor(protocol: string): Promise<Agent> {
  const module = protocol === "http:" ? await import("node:http") : await import("node:https");
  return new module.Agent({ keepAlive: true });
}
const NO_END = "the run was killed, crashed or interrupted";

export class OtlpSessionExporter {
  private readonly ids = new DerivedIds();
  private readonly counting: CountingExporter;
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;
  private agent: Agent | undefined;
  sessions = 0;

  /** `timeoutMs`: the SDK's timeout per batch (OTEL_EXPORTER_OTLP_TIMEOUT), the socket's idle time too. */
  constructor(url: string, timeoutMs: number) {
    const partial = new PartialSuccesses();
    // the SDK says a partial success only through diag: a one-shot command's only diag logger
    diag.setLogger(partial, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    // our own agent: a collector that never finishes its answer holds a socket the SDK's shutdown waits on;
    // a batch past its deadline closes them (CountingExporter), and close() closes the rest
    const exporter = new OTLPTraceExporter({
      url,
      timeoutMillis: timeoutMs,
      httpAgentOptions: async (protocol) => (this.agent = await agentFor(protocol)),
    });
    this.counting = new CountingExporter(exporter, partial, timeoutMs + ANSWER_GRACE_MS, () => this.agent?.destroy());
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ "service.name": "codex" }),
      idGenerator: this.ids,
      // no span of a session is dropped: the queue is flushed after every session
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: this.counting,
          maxQueueSize: 100_000,
          maxExportBatchSize: 1000,
          scheduledDelayMillis: 60_000,
        }),
      ],
    });
    this.tracer = this.provider.getTracer("codex-control-mcp");
  }

  /**
   * Sends one session's trace. `endsOf`: the diagnosis category the session had when each turn after the
   * first began, by the index of the turn before it (report turnEnds), asked only when a turn before the
   * last did not complete.
   */
  async add(
    store: SessionStore,
    digest: SessionDigest,
    path: string,
    endsOf?: () => Promise<ReadonlyMap<number, string>>,
  ): Promise<void> {
    // the compact, cached fold (no output texts): memory bounded however long the log
    const { model } = await openSession(store, path);
    const usage = await sessionTokenUsage(store, path).catch(() => undefined);
    // token_usage names the newest 100 turns: a longer session's every turn from the fold's ledger, the same
    // numbers (a fork that needs its parent's counters is folded again by token_usage only: its 100 then)
    const all = usage && usage.per_turn_omitted > 0 && !digest.needsParent ? model.tokens.perTurn() : undefined;
    const perTurn = new Map((all ?? usage?.per_turn ?? []).map((turn) => [turn.turn, turn]));
    const id = digest.sessionId;
    const sessionEnd = time(model.lastTimestamp) ?? time(digest.lastEventAt) ?? time(digest.startedAt) ?? new Date(0);
    const sessionStart = time(digest.startedAt) ?? sessionEnd;
    const failed = isFailure(digest.category);
    const root = this.start(id, "session", undefined, `invoke_agent codex`, sessionStart, {
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.provider.name": providerName(model.meta?.modelProvider),
      "gen_ai.agent.name": "codex",
      "gen_ai.conversation.id": id,
      ...(digest.model !== null && { "gen_ai.request.model": digest.model }),
      ...usageAttributes(digest.tokens),
      "codex.session.kind": digest.kind,
      ...(digest.parentId !== null && { "codex.parent_session_id": digest.parentId }),
      ...(digest.cwd !== null && { "codex.cwd": digest.cwd }),
      ...(model.meta?.cliVersion !== undefined && { "codex.cli_version": model.meta.cliVersion }),
      "codex.turns": model.turns.length,
      "codex.diagnosis.category": digest.category,
      ...(failed && { "error.type": digest.category }),
    });
    if (failed) root.setStatus({ code: SpanStatusCode.ERROR, message: clip(digest.error ?? digest.category) });
    const callsByTurn = new Map<number, Call[]>();
    for (const call of model.calls) {
      const list = callsByTurn.get(call.turn) ?? [];
      list.push(call);
      callsByTurn.set(call.turn, list);
    }
    // a turn that did not complete is marked with the diagnosis category it ended the session in: the
    // session's for its last turn, the one the session had as the next turn began for an earlier one (what a
    // report whose range ends there counts); its status where the diagnosis named no failure
    const last = model.turns.at(-1);
    const earlier = model.turns.some((turn) => turn !== last && turnStatus(turn) !== "completed");
    const ends = earlier && endsOf ? await endsOf().catch(() => undefined) : undefined;
    // each turn ran the model its turn_context names (a session may switch), else the one before it
    let turnModel: string | undefined;
    for (const [index, turn] of model.turns.entries()) {
      const next = model.turns[index + 1];
      turnModel = turn.model ?? turnModel;
      this.addTurn(
        id,
        root,
        turn,
        callsByTurn.get(turn.index) ?? [],
        perTurn.get(turn.index),
        time(turn.startedAt) ?? sessionStart,
        time(turn.endedAt) ?? time(next?.startedAt) ?? sessionEnd,
        turnModel ?? model.lastContext?.model,
        turn === last ? digest.category : ends?.get(turn.index),
      );
    }
    // the session's usage that no turn span carries (counters outside any turn, a session of counters and no
    // turn, turns older than the per-turn usage names): a span of its own, so the spans add up to the root's
    const outside = digest.tokens ? remainderOf(digest.tokens, model.turns, perTurn) : undefined;
    if (outside) {
      const first = time(model.turns[0]?.startedAt);
      const span = this.start(id, "usage", root, "usage outside turns", sessionStart, {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.conversation.id": id,
        ...(digest.model !== null && { "gen_ai.request.model": digest.model }),
        ...usageAttributes(outside),
      });
      span.end(first && first >= sessionStart && first <= sessionEnd ? first : sessionEnd);
    }
    root.end(sessionEnd);
    // flushed per session: a refusal now is this session's, which then counts as not sent
    const failedBefore = this.counting.failed;
    if ((await this.flush()) && this.counting.failed === failedBefore) this.sessions += 1;
  }

  /**
   * Sends the queued spans; a refused batch is counted (CountingExporter), not thrown. Says whether the flush
   * itself went through.
   */
  private async flush(): Promise<boolean> {
    return this.provider.forceFlush().then(
      () => true,
      (error: unknown) => {
        this.counting.lastError ??= error instanceof Error ? error.message : describeExportError(error);
        return false;
      },
    );
  }

  private addTurn(
    sessionId: string,
    root: Span,
    turn: Turn,
    calls: Call[],
    usage: TurnUsage | undefined,
    start: Date,
    end: Date,
    model: string | undefined,
    category: string | undefined,
  ): void {
    const status = turnStatus(turn);
    const errorType = category !== undefined && isFailure(category) ? category : status;
    const error = turn.errors.at(-1)?.message;
    const span = this.start(sessionId, `turn:${turn.index}`, root, `turn ${turn.index}`, start, {
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.conversation.id": sessionId,
      ...(model !== undefined && { "gen_ai.request.model": model }),
      ...usageAttributes(usage ?? null),
      "codex.turn.index": turn.index,
      "codex.turn.status": status,
      ...(turn.turnId !== undefined && { "codex.turn.id": turn.turnId }),
      ...(status !== "completed" && { "error.type": errorType }),
    });
    // every turn not completed ended in an error (error.type says which): a turn with no end in a session no
    // run is writing (a running one is not exported) was killed, crashed or cut off, as the session's diagnosis says
    if (status !== "completed")
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: clip(error ?? (status === "incomplete" ? `turn ${turn.index} has no end: ${NO_END}` : status)),
      });
    const seen = new Map<string, number>();
    for (const call of calls) {
      // a call id written twice (a retried call) still gets its own span
      const nth = (seen.get(call.callId) ?? 0) + 1;
      seen.set(call.callId, nth);
      const callStart = time(call.timestamp) ?? start;
      const duration = call.result?.durationMs ?? call.output?.durationMs;
      const exit = call.result?.exitCode ?? call.output?.exitCode;
      const callState = callStatus(call);
      const child = this.start(
        sessionId,
        `call:${turn.index}:${call.callId}:${nth}`,
        span,
        `execute_tool ${call.name}`,
        callStart,
        {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": call.name,
          "gen_ai.tool.call.id": call.callId,
          "codex.call.status": callState,
          ...(exit !== undefined && { "process.exit.code": exit }),
          ...(call.command !== undefined && { "codex.call.command": clip(call.command) }),
          ...(callState === "failed" && { "error.type": exit !== undefined ? `exit ${exit}` : "failed" }),
        },
      );
      if (callState === "failed")
        child.setStatus({
          code: SpanStatusCode.ERROR,
          message: exit !== undefined ? `exit code ${exit}` : "the call failed",
        });
      child.end(duration !== undefined ? new Date(callStart.getTime() + duration) : callStart);
    }
    span.end(end < start ? start : end);
  }

  private start(
    sessionId: string,
    part: string,
    parent: Span | undefined,
    name: string,
    at: Date,
    attributes: Attributes,
  ): Span {
    this.ids.traceId = traceIdOf(sessionId);
    this.ids.spanId = spanIdOf(sessionId, part);
    const parentContext = parent ? trace.setSpan(context.active(), parent) : context.active();
    // every text read from the log (a tool's name, a call or turn id, a model) is bounded: a 200 KB tool name
    // made 200 KB span names and attributes, a batch a collector's request limit refuses whole
    const bounded: Attributes = {};
    for (const [key, value] of Object.entries(attributes))
      bounded[key] = typeof value === "string" ? clip(value) : value;
    return this.tracer.startSpan(clip(name), { startTime: at, attributes: bounded }, parentContext);
  }

  /** Spans the collector refused or could not be sent so far. */
  get failed(): number {
    return this.counting.failed;
  }

  /** Sends what is left and closes the exporter; says how many sessions and spans went, and how many spans failed. */
  async close(): Promise<{ sessions: number; spans: number; failed: number; error: string | undefined }> {
    await this.flush();
    await this.provider.shutdown().catch(() => undefined);
    this.agent?.destroy();
    return {
      sessions: this.sessions,
      spans: this.counting.sent,
      failed: this.counting.failed,
      error: this.counting.lastError,
    };
  }
}

/**
 * `gen_ai.provider.name` from the session's `model_provider` (session_meta, Codex 0.51+): a session run against
 * Azure, Ollama or a local model is not OpenAI's. Codex's `azure` is the convention's `azure.ai.openai`; other
 * ids (ollama, lmstudio, a configured `[model_providers.X]`) are sent as Codex names them, the convention's
 * custom value. No provider written (older logs): Codex's default, `openai`.
 */
function providerName(modelProvider: string | undefined): string {
  if (modelProvider === undefined || modelProvider === "") return "openai";
  return modelProvider === "azure" ? "azure.ai.openai" : clip(modelProvider);
}

/** A diagnosis category that is a failure (report view.ts NOT_FAILURES: not completed, not running). */
function isFailure(category: string): boolean {
  return category !== "completed" && category !== "running";
}

function time(text: string | null | undefined): Date | undefined {
  if (text === null || text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

/** At most TEXT_CHARS and well-formed (a cut through a surrogate pair, or a lone one from the log, is U+FFFD). */
function clip(text: string): string {
  return wellFormed(text.length > TEXT_CHARS ? `${text.slice(0, TEXT_CHARS)}…` : text);
}
