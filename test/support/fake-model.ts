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
//
// This file is the HTTP server and the turn it plays; the rest is beside it: fake-model-requests.ts (what a request
// holds), fake-model-script.ts (the STEPS language), fake-model-events.ts (the stream items it sends),
// fake-model-tools.ts (tool calls beyond the shell), fake-model-failures.ts (usage, rate-limit headers, FAIL kinds),
// and the other wire formats: fake-gemini.ts, fake-chat.ts, fake-messages.ts. Every name is importable from here.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { answerChat, type ChatRequest } from "./fake-chat.js";
import { answerGemini, type GeminiRequest } from "./fake-gemini.js";
import { answerMessages, type MessagesRequest } from "./fake-messages.js";
import { mcpCallItem, messageItem, outputItemDone, reasoningItem, shellCallItem } from "./fake-model-events.js";
import {
  EXHAUSTED_HEADERS,
  FAILURES,
  FAKE_REQUEST_ID,
  FAKE_USAGE,
  RATE_LIMIT_HEADERS,
  type Failure,
} from "./fake-model-failures.js";
import {
  firstLine,
  isGuardianRequest,
  isReviewRequest,
  lastItemIsToolOutput,
  lastToolOutput,
  lastUserPrompt,
  toolOutputsSincePrompt,
  type ResponsesRequest,
} from "./fake-model-requests.js";
import { parseSteps } from "./fake-model-script.js";
import { codeCall, namedCall, patchCall, patchText, runningCell, spawnedAgentIds } from "./fake-model-tools.js";

// every name tests import from here, wherever it lives now
export {
  FAILURES,
  FAKE_RATE_LIMIT_RESET_AT,
  FAKE_REQUEST_ID,
  FAKE_USAGE,
  FAKE_USAGE_RESET_AT,
  type FailureKind,
} from "./fake-model-failures.js";
export { PIXEL_PNG, requestInputs, userTexts, type ResponsesRequest } from "./fake-model-requests.js";
export { parseSteps } from "./fake-model-script.js";

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
