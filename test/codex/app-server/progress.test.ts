// The pure side of the app-server engine, fed messages recorded from the real CLI 0.169 app-server against the
// fake model (fixtures/*.jsonl: temp paths and the host name replaced).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  applyNotification,
  errorInfoHttpStatus,
  errorInfoKind,
  initialTurnState,
  liveNumbersLine,
} from "../../../src/codex/app-server/progress.js";
import { approvalResponse, parseNotification, type Notification } from "../../../src/codex/app-server/protocol.js";
import { approvalOf, offeredDecisions } from "../../../src/codex/app-server/run-turn.js";
import { methodsOfSchema, missingMethods } from "../../../src/codex/app-server/probe.js";

interface Recorded {
  id?: number;
  method?: string;
  params?: unknown;
}

function recorded(name: string): Recorded[] {
  return readFileSync(join(import.meta.dirname, "fixtures", name), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Recorded);
}

function replay(name: string): { lines: string[]; state: ReturnType<typeof initialTurnState> } {
  const messages = recorded(name);
  const threadId = (messages.find((m) => m.method === "thread/started")?.params as { thread: { id: string } }).thread
    .id;
  const state = initialTurnState(threadId);
  const lines: string[] = [];
  for (const message of messages) {
    if (message.method === undefined || message.id !== undefined) continue;
    const notification = parseNotification(message.method, message.params);
    if (!notification) continue;
    const line = applyNotification(state, notification);
    if (line) lines.push(line);
  }
  return { lines, state };
}

describe("progress from recorded app-server notifications", () => {
  it("gives the exec path's progress lines and the live numbers of a run that ran a command", () => {
    const { lines, state } = replay("run-command.jsonl");
    expect(lines).toEqual([
      "thinking: **Planning** I will run `echo hi` to check the workspace.",
      "running: /bin/bash -lc 'echo hi'",
      "agent: Done. The tool said: hi",
      "turn completed",
    ]);
    expect(state.end).toBe("completed");
    expect(state.finalMessage).toBe("Done. The tool said: hi");
    // FAKE_USAGE.toolCall + FAKE_USAGE.answer; the context is the newest request's
    expect(state.usage).toEqual({
      inputTokens: 2700,
      cachedInputTokens: 675,
      outputTokens: 100,
      reasoningOutputTokens: 50,
      totalTokens: 2800,
      lastTotalTokens: 1540,
      modelContextWindow: 258400,
    });
    // the fake model's headers: 12.5% (Codex rounds) of the 5-hour window, 40% of the week
    expect(state.rateLimits).toEqual({
      primary: { usedPercent: 13, windowMinutes: 300, resetsAt: 1795500000 },
      secondary: { usedPercent: 40, windowMinutes: 10080, resetsAt: 1795586400 },
      planType: null,
    });
    expect(liveNumbersLine(state)).toBe("tokens 2800 (context 1540/258400) · 5h 13% · weekly 40%");
  });

  it("says a declined escalation was declined", () => {
    const { lines, state } = replay("escalation-declined.jsonl");
    expect(lines).toEqual([
      "running: /bin/bash -lc 'touch ../outside.txt'",
      "declined: /bin/bash -lc 'touch ../outside.txt'",
      "agent: finished",
      "turn completed",
    ]);
    expect(state.end).toBe("completed");
  });

  it("reads the recorded approval request as plain data, with the decisions Codex offered", () => {
    const request = recorded("escalation-declined.jsonl").find(
      (m) => m.method === "item/commandExecution/requestApproval",
    );
    expect(approvalOf(request?.method ?? "", request?.params, "a1")).toEqual({
      approvalId: "a1",
      kind: "command",
      summary: "/bin/bash -lc 'touch ../outside.txt'",
      cwd: "/tmp/ccm-codex-XXXX/proj",
      reason: "needs to write outside the workspace",
      // 0.169 offers accept, accept with an exec-policy amendment (not ours to offer), cancel
      decisions: offeredDecisions(request?.params),
    });
    expect(offeredDecisions(request?.params)).toEqual(["approve", "cancel"]);
  });

  it("keeps a failed turn's typed error and names its kind", () => {
    const state = initialTurnState("t1");
    state.turnId = "u1";
    const line = applyNotification(state, {
      method: "turn/completed",
      params: {
        threadId: "t1",
        turn: {
          id: "u1",
          status: "failed",
          error: {
            message: "You've hit your usage limit.",
            codexErrorInfo: "usageLimitExceeded",
            additionalDetails: null,
          },
        },
      },
    } as Notification);
    expect(line).toBe("turn failed: You've hit your usage limit. [usageLimitExceeded]");
    expect(state.end).toBe("failed");
    expect(errorInfoKind({ responseStreamDisconnected: { httpStatusCode: 502 } })).toBe("responseStreamDisconnected");
    expect(errorInfoHttpStatus({ responseStreamDisconnected: { httpStatusCode: 502 } })).toBe(502);
    expect(errorInfoHttpStatus("usageLimitExceeded")).toBeNull();
  });

  it("ignores another thread's messages", () => {
    const state = initialTurnState("mine");
    const line = applyNotification(state, {
      method: "turn/completed",
      params: { threadId: "other", turn: { id: "x", status: "completed", error: null } },
    } as Notification);
    expect(line).toBeUndefined();
    expect(state.end).toBeNull();
  });
});

describe("checks on the messages relied on", () => {
  it("refuses a changed notification with what changed, and passes unknown ones and unknown item types", () => {
    expect(() => parseNotification("turn/completed", { threadId: "t", turn: { id: "u", state: "done" } })).toThrow(
      /status/,
    );
    expect(() =>
      parseNotification("item/completed", { threadId: "t", turnId: "u", item: { type: "commandExecution", id: "c" } }),
    ).toThrow(/commandExecution item/);
    expect(parseNotification("thread/realtime/started", { anything: 1 })).toBeUndefined();
    expect(
      parseNotification("item/completed", { threadId: "t", turnId: "u", item: { type: "hologram", id: "h" } }),
    ).toEqual({
      method: "item/completed",
      params: { threadId: "t", turnId: "u", item: { type: "other", id: "h", rawType: "hologram" } },
    });
  });

  it("reads a file-change approval (v2/FileChangeRequestApprovalParams, written by hand: the fake model's mock-model gets no apply_patch tool from 0.169)", () => {
    const params = {
      threadId: "t",
      turnId: "u",
      itemId: "call_1",
      startedAtMs: 1,
      reason: "write outside the workspace",
      grantRoot: "/srv/app",
    };
    expect(approvalOf("item/fileChange/requestApproval", params, "a2")).toEqual({
      approvalId: "a2",
      kind: "file_change",
      summary: "write under /srv/app",
      cwd: null,
      reason: "write outside the workspace",
      decisions: ["approve", "approve_for_session", "decline", "cancel"],
    });
  });

  it("refuses a changed approval request instead of guessing", () => {
    expect(() => approvalOf("item/commandExecution/requestApproval", { threadId: "t" }, "a1")).toThrow(
      /protocol changed/,
    );
    expect(approvalOf("item/tool/requestUserInput", {}, "a1")).toBeUndefined();
  });

  it("answers each request in its own words", () => {
    expect(approvalResponse("item/commandExecution/requestApproval", "approve_for_session")).toEqual({
      decision: "acceptForSession",
    });
    expect(approvalResponse("item/fileChange/requestApproval", "decline")).toEqual({ decision: "decline" });
    expect(approvalResponse("mcpServer/elicitation/request", "approve")).toEqual({
      action: "accept",
      content: {},
      _meta: null,
    });
    expect(approvalResponse("mcpServer/elicitation/request", "decline")).toEqual({
      action: "decline",
      content: null,
      _meta: null,
    });
  });

  it("finds the methods a generated schema lists, and what is missing", () => {
    const schema = {
      oneOf: [
        { properties: { method: { enum: ["initialize"] } } },
        { properties: { method: { enum: ["turn/start"] } } },
        { nonsense: true },
      ],
    };
    expect([...methodsOfSchema(schema)]).toEqual(["initialize", "turn/start"]);
    const missing = missingMethods({
      clientMethods: methodsOfSchema(schema),
      serverRequests: new Set(),
      notifications: new Set(),
    });
    expect(missing).toContain("turn/steer");
    expect(missing).toContain("item/commandExecution/requestApproval");
    expect(missing).not.toContain("turn/start");
  });
});
