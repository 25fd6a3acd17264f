// A JSON-RPC client for `codex app-server` over stdio (one JSON object per line, both ways). Every request has a
// timeout, every message we rely on is checked against its schema (protocol.ts), and the child's exit fails
// whatever is still waiting: a changed protocol or a dead server is an error, never a hang.
import { spawn, type ChildProcess } from "node:child_process";
import type { z } from "zod";
import { boundedLines } from "../../shared/bounded-lines.js";
import { ExplainedError } from "../../shared/errors.js";
import { tryParseJson } from "../../shared/json.js";
import { wellFormed } from "../../shared/text.js";
import {
  errorEnvelopeSchema,
  initializeResultSchema,
  notificationEnvelopeSchema,
  parseNotification,
  responseEnvelopeSchema,
  serverRequestEnvelopeSchema,
  type ClientMethod,
  type Notification,
  type RequestId,
} from "./protocol.js";

export const APP_SERVER_ERROR_KINDS = ["protocol", "timeout", "rpc", "exited", "spawn"] as const;
export type AppServerErrorKind = (typeof APP_SERVER_ERROR_KINDS)[number];

/** A failure of the app-server conversation; `kind` classifies it without matching text. */
export class AppServerError extends ExplainedError {
  override readonly name = "AppServerError";
  constructor(
    readonly kind: AppServerErrorKind,
    message: string,
    /** The JSON-RPC error code, for `rpc`. */
    readonly code?: number,
  ) {
    super(message);
  }
}

export interface AppServerClientOptions {
  codexBin: string;
  /** The child's whole environment (CODEX_HOME included): nothing is inherited. */
  env: Record<string, string>;
  cwd?: string;
  /** Per request, unless a call says otherwise. */
  requestTimeoutMs?: number;
  /** Extra argv after `app-server` (e.g. `-c key=value` overrides). */
  extraArgs?: string[];
  onNotification?: (notification: Notification) => void;
  /** Answers a server request; throwing answers with a JSON-RPC error. Unset: every server request is refused. */
  onServerRequest?: (method: string, params: unknown, id: RequestId) => Promise<unknown>;
  /** A message we rely on did not match its schema, or the child died: the conversation cannot go on. */
  onFatal?: (error: AppServerError) => void;
  /** Every line the server sent, before any check (for recording fixtures and debugging). */
  onRawLine?: (line: string) => void;
  /** The process exists (its pid, the group to stop), before the handshake, which may take long or never end. */
  onSpawn?: (pid: number | undefined) => void;
}

const MAX_LINE_BYTES = 32 * 1024 * 1024;
const STDERR_KEPT = 4000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const CLIENT_INFO = { name: "codex_control_mcp", title: "codex-control-mcp", version: "0.1.0" };

interface Pending {
  method: string;
  schema: z.ZodType;
  resolve: (value: unknown) => void;
  reject: (error: AppServerError) => void;
  timer: NodeJS.Timeout;
}

export class AppServerClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = "";
  private failure: AppServerError | undefined;
  readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: AppServerClientOptions,
  ) {
    const lines = boundedLines(MAX_LINE_BYTES, (line) => this.onLine(line));
    child.stdout?.on("data", (chunk: Buffer) => lines.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-STDERR_KEPT);
    });
    // a write after the child died: the exit handler reports it
    child.stdin?.on("error", () => undefined);
    this.exited = new Promise((resolve) => {
      child.on("error", (error) => {
        this.fail(new AppServerError("spawn", `cannot start \`${options.codexBin} app-server\`: ${error.message}`));
        resolve();
      });
      // `exit`, not `close`: a detached grandchild holding stdout open (outside the group) would hold `close`
      // back forever (test/supervisor/app-server-output-held.test.ts)
      child.on("exit", (code, signal) => {
        lines.end();
        const how = signal ? `signal ${signal}` : `code ${code}`;
        const tail = this.stderr.trim() ? `; stderr: ${this.stderr.trim().slice(-600)}` : "";
        this.fail(new AppServerError("exited", `codex app-server exited (${how})${tail}`));
        resolve();
      });
    });
  }

  /** Spawns `codex app-server` and completes the initialize handshake. */
  static async start(options: AppServerClientOptions): Promise<{ client: AppServerClient; userAgent: string }> {
    const child = spawn(options.codexBin, ["app-server", ...(options.extraArgs ?? [])], {
      env: options.env,
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      // its own process group, so close() can stop the commands Codex started too
      detached: true,
    });
    const client = new AppServerClient(child, options);
    options.onSpawn?.(child.pid);
    try {
      const init = await client.request(
        "initialize",
        { clientInfo: CLIENT_INFO, capabilities: { experimentalApi: false, requestAttestation: false } },
        initializeResultSchema,
      );
      client.notify("initialized");
      return { client, userAgent: init.userAgent };
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request<S extends z.ZodType>(
    method: ClientMethod,
    params: unknown,
    schema: S,
    timeoutMs = this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  ): Promise<z.infer<S>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AppServerError("timeout", `codex app-server did not answer \`${method}\` within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { method, schema, resolve: resolve as (value: unknown) => void, reject, timer });
      this.send({ id, method, params });
    });
  }

  notify(method: string, params?: unknown): void {
    this.send(params === undefined ? { method } : { method, params });
  }

  /** Ends the server: stdin closed, then SIGTERM and SIGKILL to its process group if it lingers. */
  async close(graceMs = 2000): Promise<void> {
    this.fail(new AppServerError("exited", "the app-server client was closed"));
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.child.pid === undefined) return;
    this.child.stdin?.end();
    const pid = this.child.pid;
    const kill = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-pid, signal);
      } catch {
        // already gone
      }
    };
    const term = setTimeout(() => kill("SIGTERM"), graceMs);
    const hard = setTimeout(() => kill("SIGKILL"), graceMs * 2);
    await this.exited;
    clearTimeout(term);
    clearTimeout(hard);
  }

  private send(message: Record<string, unknown>): void {
    this.child.stdin?.write(`${JSON.stringify(message, wellFormedStrings)}\n`);
  }

  private fail(error: AppServerError): void {
    if (this.failure) return;
    this.failure = error;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
    this.options.onFatal?.(error);
  }

  private protocolError(what: string, issues: string): void {
    this.fail(
      new AppServerError(
        "protocol",
        `codex app-server sent ${what} this client does not understand (the protocol changed?): ${issues.slice(0, 800)}`,
      ),
    );
    void this.close();
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    this.options.onRawLine?.(line);
    const message = tryParseJson(line);
    if (message === undefined) return this.protocolError("a line that is not JSON", JSON.stringify(line.slice(0, 200)));
    const response = responseEnvelopeSchema.safeParse(message);
    const error = errorEnvelopeSchema.safeParse(message);
    const request = serverRequestEnvelopeSchema.safeParse(message);
    if (request.success) return this.onServerRequest(request.data.method, request.data.params, request.data.id);
    if (response.success || error.success) {
      const id = response.success ? response.data.id : error.data?.id;
      const pending = typeof id === "number" ? this.pending.get(id) : undefined;
      if (!pending || typeof id !== "number") return;
      this.pending.delete(id);
      clearTimeout(pending.timer);
      if (error.success) {
        pending.reject(
          new AppServerError(
            "rpc",
            `codex app-server refused \`${pending.method}\`: ${error.data.error.message}`,
            error.data.error.code,
          ),
        );
        return;
      }
      const result = pending.schema.safeParse(response.data?.result);
      if (result.success) pending.resolve(result.data);
      else {
        const failure = new AppServerError(
          "protocol",
          `the answer to \`${pending.method}\` does not match what this client expects (the protocol changed?): ${result.error.message.slice(0, 800)}`,
        );
        pending.reject(failure);
      }
      return;
    }
    const notification = notificationEnvelopeSchema.safeParse(message);
    if (!notification.success) return this.protocolError("a message", JSON.stringify(message).slice(0, 200));
    const method = notification.data.method;
    let parsed: Notification | undefined;
    try {
      parsed = parseNotification(method, notification.data.params);
    } catch (error) {
      return this.protocolError(`a \`${method}\` notification`, error instanceof Error ? error.message : String(error));
    }
    if (parsed) this.options.onNotification?.(parsed);
  }

  private onServerRequest(method: string, params: unknown, id: RequestId): void {
    const handler = this.options.onServerRequest;
    if (!handler) {
      this.send({ id, error: { code: -32601, message: `codex-control-mcp does not handle ${method}` } });
      return;
    }
    handler(method, params, id).then(
      (result) => this.send({ id, result }),
      (error: unknown) =>
        this.send({ id, error: { code: -32603, message: error instanceof Error ? error.message : String(error) } }),
    );
  }
}

/**
 * Every string sent as well-formed Unicode, a lone surrogate as U+FFFD (as exec's stdin encodes it): JSON.stringify
 * writes one as a `\ud800` escape, which the app-server's JSON parser rejects, and it then never answers the
 * request (a prompt's turn/start waited until the supervisor's start deadline; a steer closed nothing but failed).
 */
function wellFormedStrings(_key: string, value: unknown): unknown {
  return typeof value === "string" ? wellFormed(value) : value;
}
