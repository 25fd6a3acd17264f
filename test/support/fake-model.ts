// A scripted stand-in for the OpenAI Responses API (`POST /v1/responses`, SSE), so the real Codex CLI can
// run offline. Only the model is fake: Codex itself executes the commands and writes its own logs.
//
// The script is read from the newest user prompt, so one server serves every CLI version:
//   RUN:<shell command>   reason, call the shell tool with the command, then answer "Done. …"
//   PATCH:<file>          call apply_patch to add <file>, then answer. Codex 0.171 offers apply_patch only to a model it
//                         has metadata for: run it with `-m gpt-5.5` (freeform, a `custom_tool_call`); the default
//                         mock-model gets none and Codex answers "unsupported custom tool call: apply_patch"
//   MCP:<tool> <json>     call the MCP tool whose name ends with <tool> with the JSON arguments, then answer
//   FAIL400               answer HTTP 400 with an OpenAI-style error body
//   HANG                  open the stream and never finish it (timeouts, cancellation)
//   STEPS: a ;; b ;; …    a scripted turn: each model request of the turn plays the next step (the number of tool
//                         outputs since the prompt picks it): RUN:<command>, ESCALATE:<command> (asks to run it
//                         outside the sandbox), SAY:<final message>, FAIL:<kind>
//                         (FAILURES: how the real OpenAI and ChatGPT backends fail); past the last step: "Done."
//                         Tools beyond the shell (fake-model-tools.ts), as the request offers them:
//                         PATCH:<file> adds <file>; PATCHBAD:<file> updates it with context it lacks ("Failed to
//                         find expected lines"); UNPATCH:<file> deletes it (a missing file fails). A path outside
//                         the writable roots under workspace-write (`exclude_slash_tmp`: /tmp is writable else) or
//                         any path under read-only is rejected ("patch rejected: …").
//                         SPAWN:<child prompt> calls multi_agent_v1 spawn_agent (on by default in 0.171); the
//                         child's own requests come here too, its prompt is its script (RUN:…, or STEPS: with one
//                         step: `;;` ends the SPAWN step); WAIT calls wait_agent on every agent spawned this turn,
//                         CLOSE close_agent on the newest. CODE:<JavaScript> calls code mode's `exec`
//                         (`[features] code_mode = true`; `await tools.exec_command({cmd})` runs a command in it;
//                         a first line `// @exec: {"yield_time_ms": 200}` hands control back while it runs);
//                         WAITCELL calls code mode's `wait` on the newest "Script running with cell ID".
//                         test/support/exec-codex.ts runs one `codex exec` of such a script in a home of its own.
//   WEBSEARCH:<status>:<query>|…  answer with one `web_search_call` output item per search (OpenAI's own
//                         tool: no call for Codex to run), then "Searched."
//   NOHEADERS             send no `x-codex-*` rate-limit headers; LIMITHEADERS: headers with the primary window 100% used
//   anything else         answer "plain answer"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { answerMessages, type MessagesRequest } from "./fake-messages.js";
import {
  codeCall,
  namedCall,
  patchCall,
  patchText,
  runningCell,
  spawnedAgentIds,
  type PatchKind,
} from "./fake-model-tools.js";

export interface FakeModel {
  url: string;
  port: number;
  /** Every request body received, in order. */
  requests: ResponsesRequest[];
  /**
   * What a review turn answers (a request whose instructions are Codex's review prompt): Codex's
   * ReviewOutputEvent as JSON text (codex-rs `protocol/src/protocol.rs`); Codex parses it into the
   * session log's `exited_review_mode` event. Tests set it before a review. A custom review prompt that is a
   * STEPS script runs its commands first (a reviewer looking at the code), then answers this.
   */
  review: ReviewAnswer;
  /** Delay each answer by this many ms (a slow model; heartbeats). */
  delayMs: number;
  /**
   * What Codex's approvals reviewer (mode auto-review, `--approve-for-me`) decides: its request asks for a
   * JSON answer in `text.format` with `outcome` allow|deny (0.169's guardian assessment).
   */
  guardian: "allow" | "deny";
  /** Requests to the other wire formats other hosts speak (Gemini API, Chat Completions, Anthropic Messages), in order. */
  otherRequests: Array<{ api: "gemini" | "chat" | "messages"; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export interface ReviewFinding {
  title: string;
  body: string;
  confidence_score: number;
  priority: number;
  code_location: { absolute_file_path: string; line_range: { start: number; end: number } };
}
export interface ReviewAnswer {
  findings: ReviewFinding[];
  overall_correctness: string;
  overall_explanation: string;
  overall_confidence_score: number;
}

export const DEFAULT_REVIEW: ReviewAnswer = {
  findings: [],
  overall_correctness: "patch is correct",
  overall_explanation: "No issues found.",
  overall_confidence_score: 0.5,
};

export interface ResponsesRequest {
  input?: InputItem[];
  tools?: ToolSpec[];
  [key: string]: unknown;
}

interface InputItem {
  type?: string;
  role?: string;
  content?: Array<{ type?: string; text?: string }> | string;
  output?: unknown;
  call_id?: string;
}

interface ToolSpec {
  type?: string;
  name?: string;
  tools?: ToolSpec[];
}

/** Fixed so that fixtures and tests can assert exact numbers. */
/** The user messages' texts of a request the model received (a steer shows up among them). */
export function userTexts(request: ResponsesRequest): string[] {
  return (request.input ?? [])
    .filter((item) => item.role === "user")
    .map((item) =>
      Array.isArray(item.content) ? item.content.map((part) => part.text ?? "").join("") : String(item.content ?? ""),
    );
}

/** A 1×1 PNG: the image tests attach to a prompt. */
export const PIXEL_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

/** What a model request carried of a run's inputs: the model, the final message's format and its schema, images. */
export function requestInputs(request: ResponsesRequest): {
  model: string | undefined;
  format: string | undefined;
  schema: unknown;
  images: number;
} {
  const raw = request as {
    model?: string;
    text?: { format?: { type?: string; schema?: unknown } };
    input?: Array<{ content?: Array<{ type?: string }> | string }>;
  };
  return {
    model: raw.model,
    format: raw.text?.format?.type,
    schema: raw.text?.format?.schema,
    images: (raw.input ?? []).flatMap((item) =>
      Array.isArray(item.content) ? item.content.filter((part) => part.type === "input_image") : [],
    ).length,
  };
}

export const FAKE_USAGE = {
  toolCall: { input_tokens: 1200, cached_tokens: 300, output_tokens: 60, reasoning_tokens: 30 },
  answer: { input_tokens: 1500, cached_tokens: 375, output_tokens: 40, reasoning_tokens: 20 },
} as const;

/** Rate-limit headers in both spellings Codex has read (`reset-after-seconds` ≤0.47, `reset-at` 0.48+). */
export const FAKE_RATE_LIMIT_RESET_AT = 1795500000;
const RATE_LIMIT_HEADERS: Record<string, string> = {
  "x-codex-primary-used-percent": "12.5",
  "x-codex-primary-window-minutes": "300",
  "x-codex-primary-reset-after-seconds": "3600",
  "x-codex-primary-reset-at": String(FAKE_RATE_LIMIT_RESET_AT),
  "x-codex-secondary-used-percent": "40",
  "x-codex-secondary-window-minutes": "10080",
  "x-codex-secondary-reset-after-seconds": "86400",
  "x-codex-secondary-reset-at": String(FAKE_RATE_LIMIT_RESET_AT + 86400),
};

/** `resets_at` of a scripted usage limit: 2027-01-01T00:00:00Z (Codex prints "Try again at Jan 1st, 2027 12:00 AM."). */
export const FAKE_USAGE_RESET_AT = 1798761600;
export const FAKE_REQUEST_ID = "req_fake_0001";

interface Failure {
  /** An HTTP error answer; otherwise a 200 event stream that fails. */
  status?: number;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
  /** `response.failed` with this error (what the Responses API sends when it fails mid-stream). */
  failed?: Record<string, unknown>;
  /** Open the stream, then drop the connection before `response.completed`. */
  drop?: boolean;
}

/**
 * The failure shapes, as Codex's own client parses them (codex-rs `codex-api/src/sse/responses.rs`: response.failed
 * codes `context_length_exceeded`, `insufficient_quota`, `usage_not_included`, `rate_limit_exceeded` "try again in
 * Ns", anything else retryable; `core/src/api_bridge.rs`: HTTP 429 `usage_limit_reached` with `plan_type` and
 * `resets_at`, 401/5xx as unexpected status with the request id from `x-request-id`).
 */
export const FAILURES = {
  usage_limit: {
    status: 429,
    body: {
      error: {
        type: "usage_limit_reached",
        message: "The usage limit has been reached",
        plan_type: "plus",
        resets_at: FAKE_USAGE_RESET_AT,
      },
    },
  },
  insufficient_quota: {
    failed: {
      type: "insufficient_quota",
      code: "insufficient_quota",
      message: "You exceeded your current quota, please check your plan and billing details.",
    },
  },
  rate_limit: {
    failed: {
      type: "tokens",
      code: "rate_limit_exceeded",
      message:
        "Rate limit reached for mock-model in organization org-fake on tokens per min (TPM): Limit 30000, Used 29500, Requested 1500. Please try again in 1.5s.",
    },
  },
  rate_limit_429: {
    status: 429,
    headers: { "retry-after": "2" },
    body: {
      error: {
        type: "requests",
        code: "rate_limit_exceeded",
        message: "Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 2s.",
      },
    },
  },
  overloaded: {
    failed: {
      type: "service_unavailable_error",
      code: "server_is_overloaded",
      message: "Our servers are currently overloaded. Please try again later.",
    },
  },
  server_error: {
    failed: {
      type: "server_error",
      code: "server_error",
      message: `An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists. Please include the request ID ${FAKE_REQUEST_ID} in your message.`,
    },
  },
  context: {
    failed: {
      type: "invalid_request_error",
      code: "context_length_exceeded",
      message: "Your input exceeds the context window of this model. Please adjust your input and try again.",
    },
  },
  unauthorized: {
    status: 401,
    body: {
      error: {
        message:
          "Incorrect API key provided: sk-fake. You can find your API key at https://platform.openai.com/account/api-keys.",
        type: "invalid_request_error",
        code: "invalid_api_key",
      },
    },
  },
  http500: {
    status: 500,
    body: {
      error: {
        message: "The server had an error while processing your request. Sorry about that!",
        type: "server_error",
      },
    },
  },
  http502: { status: 502, body: { error: { message: "Bad gateway.", type: "server_error" } } },
  drop: { drop: true },
} satisfies Record<string, Failure>;

export type FailureKind = keyof typeof FAILURES;

/** `SILENT`: a response that completes with no output at all (Codex then ends the turn without a final message). */
type Step =
  | { run: string; escalate?: boolean }
  | { say: string }
  | { silent: true }
  | { fail: FailureKind }
  | { patch: string; kind: PatchKind }
  | { spawn: string }
  | { code: string }
  | { agent: "wait" | "close" }
  | { waitCell: true };

const PATCH_STEPS: Record<string, PatchKind> = { PATCH: "add", PATCHBAD: "mismatch", UNPATCH: "delete" };

/** `STEPS: RUN:false ;; SAY:I give up` → the steps; unknown failure kinds are an error in the test itself. */
export function parseSteps(prompt: string): Step[] | undefined {
  // the script opens the prompt ("please STEPS: …"): a later prompt that quotes it is not a script
  const match = /^(?:\w+ )*STEPS:(.*)$/s.exec(prompt);
  if (!match?.[1]) return undefined;
  return match[1].split(";;").map((raw): Step => {
    const step = raw.trim();
    if (step.startsWith("RUN:")) return { run: step.slice(4).trim() };
    if (step.startsWith("ESCALATE:")) return { run: step.slice(9).trim(), escalate: true };
    if (step.startsWith("SAY:")) return { say: step.slice(4).trim() };
    if (step === "SILENT") return { silent: true };
    const patch = /^(PATCH|PATCHBAD|UNPATCH):(.+)$/s.exec(step);
    if (patch?.[1] && patch[2]) return { patch: patch[2].trim(), kind: PATCH_STEPS[patch[1]] ?? "add" };
    if (step.startsWith("SPAWN:")) return { spawn: step.slice(6).trim() };
    if (step.startsWith("CODE:")) return { code: step.slice(5).trim() };
    if (step === "WAIT") return { agent: "wait" };
    if (step === "WAITCELL") return { waitCell: true };
    if (step === "CLOSE") return { agent: "close" };
    const kind = step.startsWith("FAIL:") ? step.slice(5).trim() : "";
    if (kind in FAILURES) return { fail: kind as FailureKind };
    throw new Error(`fake model: unknown step ${JSON.stringify(step)}`);
  });
}

/** The primary window used up, resetting when the scripted usage limit does. */
const EXHAUSTED_HEADERS: Record<string, string> = {
  ...RATE_LIMIT_HEADERS,
  "x-codex-primary-used-percent": "100",
  "x-codex-primary-reset-at": String(FAKE_USAGE_RESET_AT),
};

export async function startFakeModel(): Promise<FakeModel> {
  const requests: ResponsesRequest[] = [];
  const otherRequests: FakeModel["otherRequests"] = [];
  let responseCount = 0;
  const hanging = new Set<ServerResponse>();
  const fake: FakeModel = {
    url: "",
    port: 0,
    requests,
    otherRequests,
    review: DEFAULT_REVIEW,
    delayMs: 0,
    guardian: "allow",
    close: () => Promise.resolve(),
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.method === "POST" && /:(stream)?generateContent|:countTokens/i.test(req.url ?? "")) {
      answerGemini(req.url ?? "", JSON.parse(body) as GeminiRequest, res, otherRequests);
      return;
    }
    if (req.method === "POST" && /\/v1\/messages(\/count_tokens)?(\?|$)/.test(req.url ?? "")) {
      const request = JSON.parse(body) as MessagesRequest;
      if (!req.url?.includes("/count_tokens"))
        otherRequests.push({ api: "messages", body: request as Record<string, unknown> });
      answerMessages(req.url ?? "", request, res, otherRequests.length);
      return;
    }
    if (req.method === "POST" && req.url?.endsWith("/chat/completions")) {
      answerChat(JSON.parse(body) as ChatRequest, res, otherRequests);
      return;
    }
    if (req.method !== "POST" || !req.url?.endsWith("/responses")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `fake model: no route ${req.method} ${req.url}` } }));
      return;
    }
    const request = JSON.parse(body) as ResponsesRequest;
    requests.push(request);
    responseCount += 1;
    const n = responseCount;
    if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
    const prompt = lastUserPrompt(request.input ?? []);
    const answeringToolOutput = lastItemIsToolOutput(request.input ?? []);

    if (prompt.includes("FAIL400")) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "fake: invalid request", type: "invalid_request_error" } }));
      return;
    }

    const rateLimitHeaders = prompt.includes("NOHEADERS")
      ? {}
      : prompt.includes("LIMITHEADERS")
        ? EXHAUSTED_HEADERS
        : RATE_LIMIT_HEADERS;
    const steps = parseSteps(prompt);
    const step = steps?.[toolOutputsSincePrompt(request.input ?? [])];
    const failure: Failure | undefined = step && "fail" in step ? FAILURES[step.fail] : undefined;
    if (failure?.status !== undefined) {
      res.writeHead(failure.status, {
        "content-type": "application/json",
        "x-request-id": FAKE_REQUEST_ID,
        ...rateLimitHeaders,
        ...failure.headers,
      });
      res.end(JSON.stringify(failure.body ?? {}));
      return;
    }

    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "x-request-id": FAKE_REQUEST_ID,
      ...rateLimitHeaders,
    });
    const send = (event: Record<string, unknown>): void => {
      res.write(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
    };
    send({ type: "response.created", response: { id: `resp_${n}` } });
    if (failure?.drop) {
      // after the response has started: a connection lost mid-stream, not a refused request
      setTimeout(() => res.destroy(), 100);
      return;
    }
    if (failure?.failed) {
      send({ type: "response.failed", response: { id: `resp_${n}`, status: "failed", error: failure.failed } });
      res.end();
      return;
    }

    if (prompt.includes("HANG")) {
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }

    if (isGuardianRequest(request)) {
      const assessment = {
        risk_level: "low",
        user_authorization: "high",
        outcome: fake.guardian,
        rationale: `fake reviewer: ${fake.guardian}`,
      };
      send(outputItemDone(messageItem(n, JSON.stringify(assessment))));
      send({
        type: "response.completed",
        response: { id: `resp_${n}`, usage: { input_tokens: 100, output_tokens: 10, total_tokens: 110 } },
      });
      res.end();
      return;
    }
    // Codex's reviewer: its instructions open with Codex's review guidelines; it answers a ReviewOutputEvent
    // (a custom review prompt with STEPS: its commands first, then the answer)
    if (isReviewRequest(request) && (steps ? !(step && "run" in step) : !answeringToolOutput)) {
      send(outputItemDone(messageItem(n, JSON.stringify(fake.review))));
      send({
        type: "response.completed",
        response: { id: `resp_${n}`, usage: { input_tokens: 1500, output_tokens: 40, total_tokens: 1540 } },
      });
      res.end();
      return;
    }

    const run = /RUN:(.+)$/m.exec(prompt)?.[1]?.trim();
    const patchFile = /PATCH:(\S+)/.exec(prompt)?.[1];
    const mcp = /MCP:(\S+)\s*(.*)$/m.exec(prompt);
    const searches = /WEBSEARCH:(.+)$/m.exec(prompt)?.[1];
    let usage: (typeof FAKE_USAGE)[keyof typeof FAKE_USAGE] = FAKE_USAGE.answer;
    if (steps) {
      if (step && "run" in step) {
        send(outputItemDone(shellCallItem(n, step.run, request.tools ?? [], step.escalate)));
        usage = FAKE_USAGE.toolCall;
      } else if (step && "patch" in step) {
        send(outputItemDone(patchCall(n, patchText(step.patch, step.kind), request.tools ?? [])));
        usage = FAKE_USAGE.toolCall;
      } else if (step && "spawn" in step) {
        send(outputItemDone(namedCall(n, "spawn_agent", { message: step.spawn }, request.tools ?? [])));
        usage = FAKE_USAGE.toolCall;
      } else if (step && "code" in step) {
        send(outputItemDone(codeCall(n, step.code)));
        usage = FAKE_USAGE.toolCall;
      } else if (step && "waitCell" in step) {
        const cell = runningCell(request.input ?? []) ?? "no-cell-running";
        send(outputItemDone(namedCall(n, "wait", { cell_id: cell, yield_time_ms: 30000 }, request.tools ?? [])));
        usage = FAKE_USAGE.toolCall;
      } else if (step && "agent" in step) {
        const ids = spawnedAgentIds(request.input ?? []);
        const args =
          step.agent === "wait" ? { targets: ids, timeout_ms: 30000 } : { target: ids.at(-1) ?? "no-agent-spawned" };
        send(
          outputItemDone(namedCall(n, step.agent === "wait" ? "wait_agent" : "close_agent", args, request.tools ?? [])),
        );
        usage = FAKE_USAGE.toolCall;
      } else if (step && "silent" in step) {
        // nothing but the completion
      } else {
        send(outputItemDone(messageItem(n, step && "say" in step ? step.say : "Done.")));
      }
    } else if (run !== undefined && !answeringToolOutput) {
      send(outputItemDone(reasoningItem(n, `**Planning** I will run \`${run}\` to check the workspace.`)));
      send(outputItemDone(shellCallItem(n, run, request.tools ?? [])));
      usage = FAKE_USAGE.toolCall;
    } else if (patchFile !== undefined && !answeringToolOutput) {
      send(outputItemDone(reasoningItem(n, `**Editing** I will add \`${patchFile}\`.`)));
      send(outputItemDone(patchCall(n, patchText(patchFile, "add"), request.tools ?? [])));
      usage = FAKE_USAGE.toolCall;
    } else if (mcp?.[1] !== undefined && !answeringToolOutput) {
      send(outputItemDone(mcpCallItem(n, mcp[1], mcp[2]?.trim() || "{}", request.tools ?? [])));
      usage = FAKE_USAGE.toolCall;
    } else if (searches !== undefined && !answeringToolOutput) {
      for (const [i, search] of searches.split("|").entries()) {
        const [status, ...query] = search.split(":");
        const action = { type: "search", query: query.join(":"), queries: [query.join(":")] };
        send(outputItemDone({ type: "web_search_call", id: `ws_${n}_${i}`, status, action }));
      }
      send(outputItemDone(messageItem(n, "Searched.")));
    } else if (answeringToolOutput) {
      const output = firstLine(lastToolOutput(request.input ?? []));
      send(outputItemDone(messageItem(n, `Done. The tool said: ${output}`)));
    } else {
      send(outputItemDone(messageItem(n, "plain answer")));
    }
    send({
      type: "response.completed",
      response: {
        id: `resp_${n}`,
        usage: {
          input_tokens: usage.input_tokens,
          input_tokens_details: { cached_tokens: usage.cached_tokens },
          output_tokens: usage.output_tokens,
          output_tokens_details: { reasoning_tokens: usage.reasoning_tokens },
          total_tokens: usage.input_tokens + usage.output_tokens,
        },
      },
    });
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(fake, {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return fake;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function outputItemDone(item: Record<string, unknown>): Record<string, unknown> {
  return { type: "response.output_item.done", item };
}

function reasoningItem(n: number, text: string): Record<string, unknown> {
  return { type: "reasoning", id: `rs_${n}`, summary: [{ type: "summary_text", text }] };
}

function messageItem(n: number, text: string): Record<string, unknown> {
  return { type: "message", role: "assistant", id: `msg_${n}`, content: [{ type: "output_text", text }] };
}

/** Calls whichever shell tool this CLI version offers, in the argument shape that tool takes. */
function shellCallItem(n: number, command: string, tools: ToolSpec[], escalate = false): Record<string, unknown> {
  const names = new Set(tools.map((tool) => tool.name ?? tool.type));
  const call = { id: `fc_${n}`, call_id: `call_${n}` };
  // how each shell tool asks to run outside the sandbox
  const escalation = escalate
    ? {
        sandbox_permissions: "require_escalated",
        with_escalated_permissions: true,
        justification: "needs to write outside the workspace",
      }
    : {};
  if (names.has("exec_command")) {
    return {
      type: "function_call",
      ...call,
      name: "exec_command",
      arguments: JSON.stringify({ cmd: command, ...escalation }),
    };
  }
  if (names.has("shell_command")) {
    return {
      type: "function_call",
      ...call,
      name: "shell_command",
      arguments: JSON.stringify({ command, ...escalation }),
    };
  }
  if (!names.has("shell") && names.has("local_shell")) {
    return {
      type: "local_shell_call",
      ...call,
      status: "completed",
      action: { type: "exec", command: ["bash", "-lc", command], timeout_ms: 10000 },
    };
  }
  return {
    type: "function_call",
    ...call,
    name: "shell",
    arguments: JSON.stringify({ command: ["bash", "-lc", command], ...escalation }),
  };
}

/** MCP tools are offered flat (`mcp__server__tool`, ≤0.1xx) or grouped in a namespace (0.169). */
function mcpCallItem(n: number, tool: string, args: string, tools: ToolSpec[]): Record<string, unknown> {
  const call = { type: "function_call", id: `fc_${n}`, call_id: `call_${n}`, arguments: args };
  for (const spec of tools) {
    if (spec.type === "namespace" && Array.isArray(spec.tools)) {
      const inner = spec.tools.find((t) => t.name === tool);
      if (inner) return { ...call, name: tool, namespace: spec.name };
    } else if (spec.name?.endsWith(`__${tool}`)) {
      return { ...call, name: spec.name };
    }
  }
  return { ...call, name: tool };
}

function isGuardianRequest(request: ResponsesRequest): boolean {
  const format = (request.text as { format?: { schema?: { properties?: Record<string, unknown> } } } | undefined)
    ?.format;
  const outcome = format?.schema?.properties?.outcome as { enum?: unknown[] } | undefined;
  return Array.isArray(outcome?.enum) && outcome.enum.includes("allow") && outcome.enum.includes("deny");
}

function isReviewRequest(request: ResponsesRequest): boolean {
  const instructions = typeof request.instructions === "string" ? request.instructions : "";
  const first = (request.input ?? []).find((item) => item.role === "developer");
  return instructions.startsWith("# Review guidelines") || textOf(first?.content).startsWith("# Review guidelines");
}

function textOf(content: InputItem["content"]): string {
  if (typeof content === "string") return content;
  return (content ?? []).map((part) => part.text ?? "").join("\n");
}

function lastUserPrompt(input: InputItem[]): string {
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (item?.role !== "user") continue;
    const text = textOf(item.content);
    if (text.startsWith("<") || text.startsWith("# AGENTS.md")) continue;
    return text;
  }
  return "";
}

const TOOL_OUTPUT_TYPES = new Set(["function_call_output", "custom_tool_call_output", "local_shell_call_output"]);

/** Tool outputs after the newest prompt: how far into a scripted turn this request is. */
function toolOutputsSincePrompt(input: InputItem[]): number {
  let count = 0;
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (item?.role === "user" && !textOf(item.content).startsWith("<")) break;
    if (TOOL_OUTPUT_TYPES.has(item?.type ?? "")) count += 1;
  }
  return count;
}

function lastItemIsToolOutput(input: InputItem[]): boolean {
  const last = input.at(-1);
  return last !== undefined && TOOL_OUTPUT_TYPES.has(last.type ?? "");
}

function lastToolOutput(input: InputItem[]): string {
  const output = input.at(-1)?.output;
  if (typeof output === "string") {
    try {
      const parsed = JSON.parse(output) as { output?: unknown };
      if (typeof parsed.output === "string") return parsed.output;
    } catch {
      // plain text output
    }
    return output;
  }
  if (Array.isArray(output)) return output.map((part: { text?: string }) => part.text ?? "").join("\n");
  if (output && typeof output === "object" && "content" in output)
    return String((output as { content: unknown }).content);
  return "";
}

function firstLine(text: string): string {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  // unified exec output starts with a header block ("Chunk ID: …", "Output:"); the payload is after it
  const afterHeader = lines.indexOf("Output:");
  return (afterHeader >= 0 ? lines[afterHeader + 1] : lines.at(-1)) ?? "";
}

// ---- Gemini API (`models/<model>:streamGenerateContent?alt=sse`), for Gemini CLI via GOOGLE_GEMINI_BASE_URL ----

interface GeminiPart {
  text?: string;
  functionCall?: { name: string; args?: unknown };
  functionResponse?: { name: string; response?: unknown };
}
interface GeminiRequest {
  contents?: Array<{ role?: string; parts?: GeminiPart[] }>;
  tools?: Array<{ functionDeclarations?: Array<{ name?: string }> }>;
}

function answerGemini(url: string, request: GeminiRequest, res: ServerResponse, log: FakeModel["otherRequests"]): void {
  if (url.includes(":countTokens")) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ totalTokens: 10 }));
    return;
  }
  log.push({ api: "gemini", body: request as Record<string, unknown> });
  const contents = request.contents ?? [];
  const lastParts = contents.at(-1)?.parts ?? [];
  const toolOutput = lastParts.find((part) => part.functionResponse)?.functionResponse;
  const prompt = [...contents]
    .reverse()
    .find((c) => c.role === "user" && (c.parts ?? []).some((part) => typeof part.text === "string"));
  const promptText = (prompt?.parts ?? []).map((part) => part.text ?? "").join("\n");
  const mcp = /MCP:(\S+)\s*(.*)$/m.exec(promptText);
  const names = (request.tools ?? []).flatMap((tool) => tool.functionDeclarations ?? []).map((decl) => decl.name ?? "");
  let parts: GeminiPart[];
  if (toolOutput) parts = [{ text: `Done. The tool said: ${firstLine(JSON.stringify(toolOutput.response ?? null))}` }];
  else if (mcp?.[1] !== undefined)
    parts = [
      {
        functionCall: {
          name:
            names.find((name) => name === mcp[1] || name.endsWith(`_${mcp[1]}`) || name.endsWith(`__${mcp[1]}`)) ??
            mcp[1],
          args: JSON.parse(mcp[2]?.trim() || "{}") as unknown,
        },
      },
    ];
  else parts = [{ text: "plain answer" }];
  const chunk = {
    candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
    usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 10, totalTokenCount: 110 },
    modelVersion: "fake-gemini",
  };
  if (url.includes("alt=sse")) {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
  } else {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(chunk));
  }
}

// ---- Chat Completions (`POST /chat/completions`, streamed or not), for hosts that speak only that ----

interface ChatMessage {
  role?: string;
  content?: string | Array<{ type?: string; text?: string }> | null;
  tool_call_id?: string;
}
interface ChatRequest {
  messages?: ChatMessage[];
  tools?: Array<{ type?: string; function?: { name?: string } }>;
  stream?: boolean;
}

function chatText(content: ChatMessage["content"]): string {
  const text = typeof content === "string" ? content : (content ?? []).map((part) => part.text ?? "").join("\n");
  // opencode sends a `run` prompt as a JSON string literal
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "string" ? parsed : text;
  } catch {
    return text;
  }
}

function answerChat(request: ChatRequest, res: ServerResponse, log: FakeModel["otherRequests"]): void {
  log.push({ api: "chat", body: request as Record<string, unknown> });
  const messages = request.messages ?? [];
  // a host may add its own user messages after the prompt (OpenClaw's internal context): the newest script wins
  const prompt = [...messages]
    .reverse()
    .find((message) => message.role === "user" && /MCP:\S/.test(chatText(message.content)));
  const mcp = /MCP:(\S+)\s*(.*)$/m.exec(chatText(prompt?.content));
  const names = (request.tools ?? []).map((tool) => tool.function?.name ?? "");
  const n = log.length;
  let message: {
    role: "assistant";
    content: string | null;
    tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
  };
  // the tool's answer, even when the host appended its own user message after it (OpenClaw)
  const answered = messages.slice(prompt ? messages.indexOf(prompt) : 0).findLast((message) => message.role === "tool");
  if (answered)
    message = { role: "assistant", content: `Done. The tool said: ${firstLine(chatText(answered.content))}` };
  // a request without tools (a host's title or summary side request) gets a plain answer
  else if (mcp?.[1] !== undefined && names.length > 0) {
    const name =
      names.find(
        (candidate) => candidate === mcp[1] || candidate.endsWith(`_${mcp[1]}`) || candidate.endsWith(`-${mcp[1]}`),
      ) ?? mcp[1];
    message = {
      role: "assistant",
      content: null,
      tool_calls: [{ id: `call_${n}`, type: "function", function: { name, arguments: mcp[2]?.trim() || "{}" } }],
    };
  } else message = { role: "assistant", content: "plain answer" };
  const finish = message.tool_calls ? "tool_calls" : "stop";
  const usage = { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 };
  const base = { id: `chatcmpl_${n}`, created: 1795500000, model: "fake-chat" };
  if (!request.stream) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        ...base,
        object: "chat.completion",
        choices: [{ index: 0, message, finish_reason: finish }],
        usage,
      }),
    );
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  const delta = message.tool_calls
    ? { role: "assistant", content: null, tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) }
    : { role: "assistant", content: message.content };
  send({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: null }] });
  send({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: finish }], usage });
  res.end("data: [DONE]\n\n");
}
