// Hand-made session events for diagnosis tests: what the fake model cannot make the CLI write.
import type { SessionEvent } from "../../src/sessions/events.js";

/** An event's line and time: line n at 10:00:0n. */
export const at = (line: number) => ({ line, timestamp: `2026-01-28T10:00:0${line}.000Z` });

/** One turn that failed with this error (and Codex's typed error info, if any). */
export const failedTurn = (message: string, info?: string): SessionEvent[] => [
  { ...at(1), kind: "turn_started", turnId: "t1" },
  { ...at(2), kind: "user_message", text: "do the thing" },
  {
    ...at(3),
    kind: "turn_ended",
    turnId: "t1",
    outcome: "failed",
    lastAgentMessage: null,
    error: { message, ...(info && { info }) },
  },
];

/** A turn whose MCP call the person did not approve (`user cancelled MCP tool call`), then ended completed. */
export const approvalBlockedTurn = (): SessionEvent[] => [
  ...failedTurn("").slice(0, 2),
  { ...at(3), kind: "call", callId: "c1", name: "mcp__docs__search", arguments: {} },
  {
    ...at(4),
    kind: "call_output",
    callId: "c1",
    text: "user cancelled MCP tool call",
    isError: true,
    denial: { kind: "approval", target: null, explicit: true },
  },
  { ...at(5), kind: "turn_ended", turnId: "t1", outcome: "completed", lastAgentMessage: "needs approval" },
];
