// What an app-server turn has said so far: a pure reducer over its notifications (validated by protocol.ts),
// giving the same progress lines the exec path gives (supervisor/run-events.ts: "running: …", "agent: …",
// "editing: …") plus the live numbers only the app-server has (token usage with the context window, rate limits).
import type { CodexErrorInfo, Notification, RateLimitSnapshot, TurnError } from "./protocol.js";

export interface LiveTokenUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
  totalTokens: number;
  /** Tokens of the newest model request: how full the context is. */
  lastTotalTokens: number;
  modelContextWindow: number | null;
}

export interface LiveRateWindow {
  usedPercent: number;
  windowMinutes: number | null;
  /** Unix seconds. */
  resetsAt: number | null;
}

export interface LiveRateLimits {
  primary: LiveRateWindow | null;
  secondary: LiveRateWindow | null;
  planType: string | null;
}

export const TURN_ENDS = ["completed", "failed", "interrupted"] as const;
export type TurnEnd = (typeof TURN_ENDS)[number];

export interface TurnState {
  threadId: string;
  turnId: string | null;
  finalMessage: string | null;
  filesChanged: string[];
  usage: LiveTokenUsage | null;
  rateLimits: LiveRateLimits | null;
  /** The newest error notification (Codex may retry after it) or the turn's own error. */
  error: TurnError | null;
  end: TurnEnd | null;
}

export function initialTurnState(threadId: string): TurnState {
  return {
    threadId,
    turnId: null,
    finalMessage: null,
    filesChanged: [],
    usage: null,
    rateLimits: null,
    error: null,
    end: null,
  };
}

export function rateLimitsOf(snapshot: RateLimitSnapshot): LiveRateLimits {
  const window = (w: RateLimitSnapshot["primary"]): LiveRateWindow | null =>
    w ? { usedPercent: w.usedPercent, windowMinutes: w.windowDurationMins, resetsAt: w.resetsAt } : null;
  return {
    primary: window(snapshot.primary),
    secondary: window(snapshot.secondary),
    planType: snapshot.planType ?? null,
  };
}

/** Folds one notification into the state; returns the progress line it gives, if any. Other threads' messages are ignored. */
export function applyNotification(state: TurnState, notification: Notification): string | undefined {
  const params = notification.params;
  if ("threadId" in params && params.threadId !== state.threadId) return undefined;
  switch (notification.method) {
    case "turn/started":
      state.turnId ??= notification.params.turn.id;
      return undefined;
    case "turn/completed": {
      const turn = notification.params.turn;
      if (state.turnId !== null && turn.id !== state.turnId) return undefined;
      if (turn.status === "inProgress") return undefined;
      state.end = turn.status;
      if (turn.error) state.error = turn.error;
      if (turn.status === "completed") return "turn completed";
      if (turn.status === "interrupted") return "turn interrupted";
      return `turn failed: ${turn.error?.message ?? "no message"}${errorKind(turn.error?.codexErrorInfo ?? null)}`;
    }
    case "item/started": {
      const item = notification.params.item;
      if (item.type === "commandExecution") return `running: ${item.command}`;
      if (item.type === "mcpToolCall") return `tool: ${item.server}.${item.tool}`;
      return undefined;
    }
    case "item/completed": {
      const item = notification.params.item;
      switch (item.type) {
        case "agentMessage":
          state.finalMessage = item.text;
          return `agent: ${item.text}`;
        case "reasoning":
          return item.summary.length > 0 ? `thinking: ${item.summary.join(" ")}` : undefined;
        case "commandExecution":
          if (item.status === "declined") return `declined: ${item.command}`;
          if (item.exitCode !== null && item.exitCode !== 0)
            return `command failed (exit ${item.exitCode}): ${item.command}`;
          return undefined;
        case "fileChange": {
          if (item.status !== "completed") return undefined;
          const paths = item.changes.map((change) => change.path);
          for (const path of paths) if (!state.filesChanged.includes(path)) state.filesChanged.push(path);
          return paths.length > 0 ? `editing: ${paths.join(", ")}` : undefined;
        }
        case "mcpToolCall":
        case "other":
          return undefined;
      }
      return undefined;
    }
    case "thread/tokenUsage/updated": {
      const { total, last, modelContextWindow } = notification.params.tokenUsage;
      state.usage = {
        inputTokens: total.inputTokens,
        cachedInputTokens: total.cachedInputTokens,
        outputTokens: total.outputTokens,
        reasoningOutputTokens: total.reasoningOutputTokens,
        totalTokens: total.totalTokens,
        lastTotalTokens: last.totalTokens,
        modelContextWindow,
      };
      return undefined;
    }
    case "account/rateLimits/updated": {
      // a sparse update: a window it leaves out keeps its last value
      const next = rateLimitsOf(notification.params.rateLimits);
      state.rateLimits = {
        primary: next.primary ?? state.rateLimits?.primary ?? null,
        secondary: next.secondary ?? state.rateLimits?.secondary ?? null,
        planType: next.planType ?? state.rateLimits?.planType ?? null,
      };
      return undefined;
    }
    case "error":
      state.error = notification.params.error;
      return `error: ${notification.params.error.message}${errorKind(notification.params.error.codexErrorInfo)}${notification.params.willRetry ? " (retrying)" : ""}`;
    case "serverRequest/resolved":
      return undefined;
  }
}

/** `usageLimitExceeded`, or `httpConnectionFailed` for `{ httpConnectionFailed: { httpStatusCode } }`; null when Codex gave none. */
export function errorInfoKind(info: CodexErrorInfo | null): string | null {
  if (info === null) return null;
  if (typeof info === "string") return info;
  return Object.keys(info)[0] ?? null;
}

/** The HTTP status a typed error carries, if any. */
export function errorInfoHttpStatus(info: CodexErrorInfo | null): number | null {
  if (info === null || typeof info === "string") return null;
  const inner = Object.values(info)[0];
  if (inner && typeof inner === "object" && "httpStatusCode" in inner && typeof inner.httpStatusCode === "number")
    return inner.httpStatusCode;
  return null;
}

function errorKind(info: CodexErrorInfo | null): string {
  const kind = errorInfoKind(info);
  return kind ? ` [${kind}]` : "";
}

/** One line for live numbers, e.g. "tokens 2800 (context 1540/258400) · 5h 13% · weekly 40%". */
export function liveNumbersLine(state: Pick<TurnState, "usage" | "rateLimits">): string | undefined {
  const parts: string[] = [];
  if (state.usage) {
    const window = state.usage.modelContextWindow;
    parts.push(
      `tokens ${state.usage.totalTokens}${window ? ` (context ${state.usage.lastTotalTokens}/${window})` : ""}`,
    );
  }
  const name = (w: LiveRateWindow): string =>
    w.windowMinutes === 300 ? "5h" : w.windowMinutes === 10080 ? "weekly" : `${w.windowMinutes ?? "?"}min`;
  for (const w of [state.rateLimits?.primary, state.rateLimits?.secondary])
    if (w) parts.push(`${name(w)} ${w.usedPercent}%`);
  return parts.length > 0 ? parts.join(" · ") : undefined;
}
