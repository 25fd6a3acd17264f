// One run over `codex app-server`: start (or resume) a thread, run one turn with the prompt, stream progress,
// steer or interrupt it on request, hand approval requests to a callback, and end with the turn's outcome and
// the session id. The caller (the run's supervisor) owns durability: this only drives the conversation.
import { ExplainedError } from "../../shared/errors.js";
import { AppServerClient, AppServerError } from "./client.js";
import { applyNotification, initialTurnState, liveNumbersLine, type TurnEnd, type TurnState } from "./progress.js";
import {
  APPROVAL_SCHEMAS,
  approvalResponse,
  threadStartResultSchema,
  turnInterruptResultSchema,
  turnStartResultSchema,
  turnSteerResultSchema,
  type ApprovalDecision,
  type ApprovalMethod,
  type Notification,
  type TurnError,
} from "./protocol.js";

export const APPROVAL_KINDS = ["command", "file_change", "mcp_elicitation"] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

/** One approval Codex asks for, as plain data (what a person is shown). */
export interface ApprovalRequest {
  /** Ours, stable for the run: `a1`, `a2`, … (Codex's own request ids are per connection). */
  approvalId: string;
  kind: ApprovalKind;
  /** The command, the file change summary, or the MCP server's message. */
  summary: string;
  cwd: string | null;
  reason: string | null;
  /** The decisions Codex offers for this request (`approve_for_session` only where it does). */
  decisions: ApprovalDecision[];
}

export interface AppServerRunOptions {
  codexBin: string;
  env: Record<string, string>;
  cwd: string;
  prompt: string;
  /** Resume this thread (session id) instead of starting one. */
  resumeThreadId?: string;
  model?: string;
  sandbox?: "read-only" | "workspace-write" | "danger-full-access";
  approvalPolicy?: "untrusted" | "on-request" | "never";
  /** `-c key=value` style overrides, passed as the thread's `config`. */
  config?: Record<string, unknown>;
  /** Images attached to the prompt (paths Codex reads). */
  images?: string[];
  /** JSON Schema the final message must follow. */
  outputSchema?: Record<string, unknown>;
  requestTimeoutMs?: number;
  /** `codex app-server` was spawned (its pid), before the handshake and the thread's start. */
  onSpawn?: (pid: number | undefined) => void;
  onProgress?: (line: string) => void;
  /** Token usage and rate limits changed. */
  onLive?: (state: Readonly<TurnState>, line: string) => void;
  /** Decides an approval; unset or throwing declines it. */
  onApproval?: (request: ApprovalRequest) => Promise<ApprovalDecision>;
}

export interface AppServerRunResult {
  end: TurnEnd;
  sessionId: string;
  turnId: string;
  rolloutPath: string | null;
  finalMessage: string | null;
  filesChanged: string[];
  error: TurnError | null;
  usage: TurnState["usage"];
  rateLimits: TurnState["rateLimits"];
  approvals: Array<ApprovalRequest & { decision: ApprovalDecision }>;
}

export interface AppServerRun {
  /** The app-server's pid, which leads its own process group (every command Codex starts is in it). */
  pid: number | null;
  sessionId: string;
  turnId: string;
  rolloutPath: string | null;
  /** Sends a message into the running turn; answers with the turn it reached. */
  steer(message: string): Promise<{ turnId: string }>;
  /**
   * Asks Codex to stop the turn (recorded as interrupted); `done` then settles. Rejects when Codex does not answer
   * within `timeoutMs` (the request timeout by default).
   */
  interrupt(timeoutMs?: number): Promise<void>;
  /** The end of the turn; rejects with an AppServerError when the conversation breaks (protocol, exit). */
  done: Promise<AppServerRunResult>;
  /** Stops the app-server (after `done`, or to abandon the run). */
  close(): Promise<void>;
}

/** A steer is a nudge, not a new prompt; a huge one would crowd the model's context. */
export const MAX_STEER_CHARS = 16_000;

const DECISION_WORDS: Record<string, ApprovalDecision> = {
  accept: "approve",
  acceptForSession: "approve_for_session",
  decline: "decline",
  cancel: "cancel",
};

/** The decisions a request offers (`availableDecisions`, 0.16x); without it, the four every request takes. */
export function offeredDecisions(params: unknown): ApprovalDecision[] {
  const offered =
    params && typeof params === "object" && "availableDecisions" in params ? params.availableDecisions : undefined;
  if (!Array.isArray(offered)) return ["approve", "approve_for_session", "decline", "cancel"];
  return offered.flatMap((d) => (typeof d === "string" && DECISION_WORDS[d] ? [DECISION_WORDS[d]] : []));
}

/** A server request as an ApprovalRequest, or undefined for one we do not handle. Throws when a known one does not match. */
export function approvalOf(method: string, params: unknown, approvalId: string): ApprovalRequest | undefined {
  const check = <T>(schema: {
    safeParse(value: unknown): { success: true; data: T } | { success: false; error: Error };
  }): T => {
    const parsed = schema.safeParse(params);
    if (!parsed.success)
      throw new AppServerError(
        "protocol",
        `a \`${method}\` request does not match what this client expects (the protocol changed?): ${parsed.error.message.slice(0, 600)}`,
      );
    return parsed.data;
  };
  const decisions = offeredDecisions(params);
  switch (method as ApprovalMethod) {
    case "item/commandExecution/requestApproval": {
      const p = check(APPROVAL_SCHEMAS["item/commandExecution/requestApproval"]);
      return {
        approvalId,
        kind: "command",
        summary: p.command ?? "(command not given)",
        cwd: p.cwd ?? null,
        reason: p.reason ?? null,
        decisions,
      };
    }
    case "item/fileChange/requestApproval": {
      const p = check(APPROVAL_SCHEMAS["item/fileChange/requestApproval"]);
      return {
        approvalId,
        kind: "file_change",
        summary: p.grantRoot ? `write under ${p.grantRoot}` : "apply a file change",
        cwd: null,
        reason: p.reason ?? null,
        decisions,
      };
    }
    case "mcpServer/elicitation/request": {
      const p = check(APPROVAL_SCHEMAS["mcpServer/elicitation/request"]);
      return {
        approvalId,
        kind: "mcp_elicitation",
        summary: `${p.serverName}: ${p.message}`,
        cwd: null,
        reason: null,
        decisions: ["approve", "decline", "cancel"],
      };
    }
    default:
      return undefined;
  }
}

export async function startAppServerRun(options: AppServerRunOptions): Promise<AppServerRun> {
  let state: TurnState | undefined;
  const early: Notification[] = [];
  const approvals: AppServerRunResult["approvals"] = [];
  let approvalCount = 0;
  let settle: { resolve: (r: AppServerRunResult) => void; reject: (e: AppServerError) => void } | undefined;
  const done = new Promise<AppServerRunResult>((resolve, reject) => (settle = { resolve, reject }));
  // a rejection nobody awaited yet must not crash the process; callers still see it through `done`
  done.catch(() => undefined);
  let ids: { sessionId: string; turnId: string; rolloutPath: string | null } | undefined;

  const finish = (): void => {
    if (!state?.end || !ids) return;
    settle?.resolve({
      end: state.end,
      ...ids,
      finalMessage: state.finalMessage,
      filesChanged: state.filesChanged,
      error: state.error,
      usage: state.usage,
      rateLimits: state.rateLimits,
      approvals,
    });
  };

  const onNotification = (notification: Notification): void => {
    if (!state) {
      early.push(notification);
      return;
    }
    const liveBefore = liveNumbersLine(state);
    const line = applyNotification(state, notification);
    if (line) options.onProgress?.(line);
    const liveAfter = liveNumbersLine(state);
    if (liveAfter && liveAfter !== liveBefore) options.onLive?.(state, liveAfter);
    if (state.end) finish();
  };

  const onServerRequest = async (method: string, params: unknown): Promise<unknown> => {
    const request = approvalOf(method, params, `a${approvalCount + 1}`);
    if (!request) throw new Error(`codex-control-mcp does not answer ${method}`);
    approvalCount += 1;
    options.onProgress?.(
      `approval needed (${request.approvalId}): ${request.kind === "command" ? "run " : ""}${request.summary}`,
    );
    let decision: ApprovalDecision = "decline";
    try {
      if (options.onApproval) decision = await options.onApproval(request);
    } catch {
      decision = "decline";
    }
    if (!request.decisions.includes(decision))
      decision = decision === "approve_for_session" && request.decisions.includes("approve") ? "approve" : "decline";
    approvals.push({ ...request, decision });
    options.onProgress?.(`approval ${request.approvalId}: ${decision}`);
    return approvalResponse(method as ApprovalMethod, decision);
  };

  const { client } = await AppServerClient.start({
    codexBin: options.codexBin,
    env: options.env,
    cwd: options.cwd,
    requestTimeoutMs: options.requestTimeoutMs,
    onNotification,
    onServerRequest,
    onFatal: (error) => settle?.reject(error),
    ...(options.onSpawn && { onSpawn: options.onSpawn }),
  });

  try {
    const threadParams = {
      cwd: options.cwd,
      model: options.model ?? null,
      sandbox: options.sandbox ?? null,
      approvalPolicy: options.approvalPolicy ?? null,
      config: options.config ?? null,
    };
    const thread = options.resumeThreadId
      ? await client.request(
          "thread/resume",
          { threadId: options.resumeThreadId, ...threadParams, excludeTurns: true },
          threadStartResultSchema,
        )
      : await client.request("thread/start", threadParams, threadStartResultSchema);
    state = initialTurnState(thread.thread.id);
    const started = await client.request(
      "turn/start",
      {
        threadId: thread.thread.id,
        input: [textInput(options.prompt), ...(options.images ?? []).map((path) => ({ type: "localImage", path }))],
        outputSchema: options.outputSchema ?? null,
      },
      turnStartResultSchema,
    );
    state.turnId = started.turn.id;
    ids = { sessionId: thread.thread.id, turnId: started.turn.id, rolloutPath: thread.thread.path };
    for (const notification of early.splice(0)) onNotification(notification);
    if (state.end) finish();
  } catch (error) {
    await client.close();
    throw error;
  }

  const { sessionId, turnId, rolloutPath } = ids;
  return {
    pid: client.pid ?? null,
    sessionId,
    turnId,
    rolloutPath,
    steer: async (message) => {
      if (message.length === 0 || message.length > MAX_STEER_CHARS) {
        throw new ExplainedError(
          `a steer message must be 1 to ${MAX_STEER_CHARS} characters (got ${message.length}); shorten it, or put the detail in a file the run can read.`,
        );
      }
      const result = await client.request(
        "turn/steer",
        { threadId: sessionId, expectedTurnId: turnId, input: [textInput(message)] },
        turnSteerResultSchema,
      );
      options.onProgress?.(`steered: ${message}`);
      return { turnId: result.turnId };
    },
    interrupt: async (timeoutMs?: number) => {
      await client.request("turn/interrupt", { threadId: sessionId, turnId }, turnInterruptResultSchema, timeoutMs);
    },
    done,
    close: () => client.close(),
  };
}

function textInput(text: string): { type: "text"; text: string; text_elements: [] } {
  return { type: "text", text, text_elements: [] };
}
