// The slice of `codex app-server`'s JSON-RPC protocol this client relies on, as zod schemas checked at run time.
// Source: codex-rs `app-server-protocol` (v2), as printed by `codex app-server generate-ts` of CLI 0.169.0
// (InitializeResponse, v2/ThreadStartResponse, v2/TurnStartResponse, v2/ThreadItem, v2/ThreadTokenUsage,
// v2/RateLimitSnapshot, v2/TurnError, v2/CodexErrorInfo, v2/CommandExecutionRequestApprovalParams, …).
// The protocol is marked experimental: every schema names only the fields we read and lets the rest pass
// (`looseObject`), so an added field is fine and a removed or retyped one is a clear error.
import { z } from "zod";

/** The client methods we call; the probe refuses a CLI that lacks any of them. */
export const CLIENT_METHODS = [
  "initialize",
  "thread/start",
  "thread/resume",
  "turn/start",
  "turn/steer",
  "turn/interrupt",
  "account/read",
  "account/rateLimits/read",
] as const;
export type ClientMethod = (typeof CLIENT_METHODS)[number];

/** The server requests we answer (everything else is answered with a JSON-RPC error). */
export const APPROVAL_METHODS = [
  "item/commandExecution/requestApproval",
  "item/fileChange/requestApproval",
  "mcpServer/elicitation/request",
] as const;
export type ApprovalMethod = (typeof APPROVAL_METHODS)[number];

export const requestIdSchema = z.union([z.string(), z.number()]);
export type RequestId = z.infer<typeof requestIdSchema>;

// ---- the envelope (Codex omits `"jsonrpc": "2.0"` on the wire; we accept it either way) ----

export const responseEnvelopeSchema = z.looseObject({ id: requestIdSchema, result: z.unknown() });
export const errorEnvelopeSchema = z.looseObject({
  id: requestIdSchema.nullable(),
  error: z.looseObject({ code: z.number(), message: z.string(), data: z.unknown().optional() }),
});
export const serverRequestEnvelopeSchema = z.looseObject({
  id: requestIdSchema,
  method: z.string(),
  params: z.unknown().optional(),
});
export const notificationEnvelopeSchema = z.looseObject({ method: z.string(), params: z.unknown().optional() });

// ---- results ----

export const initializeResultSchema = z.looseObject({ userAgent: z.string(), codexHome: z.string() });

const turnStatusSchema = z.enum(["completed", "interrupted", "failed", "inProgress"]);

/**
 * Typed turn errors. Simple kinds are strings; the HTTP ones carry `{ kind: { httpStatusCode } }`. Unknown kinds
 * (a newer CLI) stay strings or objects: the caller falls back to the log for those.
 */
export const codexErrorInfoSchema = z.union([z.string(), z.record(z.string(), z.unknown())]);
export type CodexErrorInfo = z.infer<typeof codexErrorInfoSchema>;

export const turnErrorSchema = z.looseObject({
  message: z.string(),
  codexErrorInfo: codexErrorInfoSchema.nullable(),
  additionalDetails: z.string().nullable().optional(),
});
export type TurnError = z.infer<typeof turnErrorSchema>;

export const turnSchema = z.looseObject({
  id: z.string(),
  status: turnStatusSchema,
  error: turnErrorSchema.nullable(),
});
export type Turn = z.infer<typeof turnSchema>;

export const threadSchema = z.looseObject({ id: z.string(), path: z.string().nullable(), cliVersion: z.string() });
export const threadStartResultSchema = z.looseObject({ thread: threadSchema, model: z.string() });
export const turnStartResultSchema = z.looseObject({ turn: turnSchema });
export const turnSteerResultSchema = z.looseObject({ turnId: z.string() });
export const turnInterruptResultSchema = z.looseObject({});

const rateLimitWindowSchema = z.looseObject({
  usedPercent: z.number(),
  windowDurationMins: z.number().nullable(),
  resetsAt: z.number().nullable(),
});
export type RateLimitWindow = z.infer<typeof rateLimitWindowSchema>;

export const rateLimitSnapshotSchema = z.looseObject({
  limitId: z.string().nullable().optional(),
  primary: rateLimitWindowSchema.nullable(),
  secondary: rateLimitWindowSchema.nullable(),
  planType: z.string().nullable().optional(),
});
export type RateLimitSnapshot = z.infer<typeof rateLimitSnapshotSchema>;

export const rateLimitsReadResultSchema = z.looseObject({ rateLimits: rateLimitSnapshotSchema });

export const accountReadResultSchema = z.looseObject({
  account: z
    .looseObject({
      type: z.string(),
      planType: z.string().nullable().optional(),
      email: z.string().nullable().optional(),
    })
    .nullable(),
  requiresOpenaiAuth: z.boolean(),
});

// ---- notifications ----

const tokenBreakdownSchema = z.looseObject({
  totalTokens: z.number(),
  inputTokens: z.number(),
  cachedInputTokens: z.number(),
  outputTokens: z.number(),
  reasoningOutputTokens: z.number(),
});

/** The thread items we turn into progress; any other item type passes as `other`. */
const knownItemSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("agentMessage"), id: z.string(), text: z.string() }),
  z.looseObject({ type: z.literal("reasoning"), id: z.string(), summary: z.array(z.string()) }),
  z.looseObject({
    type: z.literal("commandExecution"),
    id: z.string(),
    command: z.string(),
    cwd: z.string(),
    status: z.string(),
    exitCode: z.number().nullable(),
  }),
  z.looseObject({
    type: z.literal("fileChange"),
    id: z.string(),
    changes: z.array(z.looseObject({ path: z.string() })),
    status: z.string(),
  }),
  z.looseObject({
    type: z.literal("mcpToolCall"),
    id: z.string(),
    server: z.string(),
    tool: z.string(),
    status: z.string(),
  }),
]);
export const KNOWN_ITEM_TYPES = ["agentMessage", "reasoning", "commandExecution", "fileChange", "mcpToolCall"] as const;
export type ThreadItem = z.infer<typeof knownItemSchema> | { type: "other"; id: string; rawType: string };

/** One item: a known type must match its schema; an unknown type is kept as `other` (never an error). */
export const threadItemSchema = z
  .looseObject({ type: z.string(), id: z.string() })
  .transform((item, ctx): ThreadItem => {
    if (!(KNOWN_ITEM_TYPES as readonly string[]).includes(item.type))
      return { type: "other", id: item.id, rawType: item.type };
    const parsed = knownItemSchema.safeParse(item);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: "custom", message: `${item.type} item: ${z.prettifyError(parsed.error)}` });
    return z.NEVER;
  });

export const NOTIFICATION_SCHEMAS = {
  "turn/started": z.looseObject({ threadId: z.string(), turn: turnSchema }),
  "turn/completed": z.looseObject({ threadId: z.string(), turn: turnSchema }),
  "item/started": z.looseObject({ threadId: z.string(), turnId: z.string(), item: threadItemSchema }),
  "item/completed": z.looseObject({ threadId: z.string(), turnId: z.string(), item: threadItemSchema }),
  "thread/tokenUsage/updated": z.looseObject({
    threadId: z.string(),
    turnId: z.string(),
    tokenUsage: z.looseObject({
      total: tokenBreakdownSchema,
      last: tokenBreakdownSchema,
      modelContextWindow: z.number().nullable(),
    }),
  }),
  "account/rateLimits/updated": z.looseObject({ rateLimits: rateLimitSnapshotSchema }),
  error: z.looseObject({ error: turnErrorSchema, willRetry: z.boolean(), threadId: z.string(), turnId: z.string() }),
  "serverRequest/resolved": z.looseObject({ threadId: z.string(), requestId: requestIdSchema }),
} as const;
export type NotificationMethod = keyof typeof NOTIFICATION_SCHEMAS;
export type Notification = {
  [M in NotificationMethod]: { method: M; params: z.infer<(typeof NOTIFICATION_SCHEMAS)[M]> };
}[NotificationMethod];

/** A notification we read, checked; `undefined` for one we do not read; throws a message when a known one does not match. */
export function parseNotification(method: string, params: unknown): Notification | undefined {
  if (!Object.hasOwn(NOTIFICATION_SCHEMAS, method)) return undefined;
  const parsed = NOTIFICATION_SCHEMAS[method as NotificationMethod].safeParse(params);
  if (!parsed.success) throw new Error(z.prettifyError(parsed.error));
  return { method, params: parsed.data } as Notification;
}

// ---- server requests: approvals ----

export const APPROVAL_SCHEMAS = {
  "item/commandExecution/requestApproval": z.looseObject({
    threadId: z.string(),
    turnId: z.string(),
    itemId: z.string(),
    reason: z.string().nullable().optional(),
    command: z.string().nullable().optional(),
    cwd: z.string().nullable().optional(),
  }),
  "item/fileChange/requestApproval": z.looseObject({
    threadId: z.string(),
    turnId: z.string(),
    itemId: z.string(),
    reason: z.string().nullable().optional(),
    grantRoot: z.string().nullable().optional(),
  }),
  "mcpServer/elicitation/request": z.looseObject({
    threadId: z.string(),
    turnId: z.string().nullable(),
    serverName: z.string(),
    mode: z.string(),
    message: z.string(),
  }),
} as const satisfies Record<ApprovalMethod, z.ZodType>;

/** What a person (or the caller) may answer; mapped to each request's own decision words by `approvalResponse`. */
export const APPROVAL_DECISIONS = ["approve", "approve_for_session", "decline", "cancel"] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

/** The response body Codex expects for a decision (v2/CommandExecutionApprovalDecision, FileChangeApprovalDecision, McpServerElicitationAction). */
export function approvalResponse(method: ApprovalMethod, decision: ApprovalDecision): Record<string, unknown> {
  if (method === "mcpServer/elicitation/request") {
    const action =
      decision === "approve" || decision === "approve_for_session"
        ? "accept"
        : decision === "decline"
          ? "decline"
          : "cancel";
    return { action, content: action === "accept" ? {} : null, _meta: null };
  }
  const words = {
    approve: "accept",
    approve_for_session: "acceptForSession",
    decline: "decline",
    cancel: "cancel",
  } as const;
  return { decision: words[decision] };
}
