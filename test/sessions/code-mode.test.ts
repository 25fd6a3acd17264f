// Code mode's scripts (0.145+): what a script runs is its own call, also after it handed control back, but
// never past its turn.
import { expect, it } from "vitest";
import type { SessionEvent } from "../../src/sessions/events.js";
import { foldEvents } from "../../src/sessions/session-model.js";

const at = (line: number) => ({ line, timestamp: `2026-12-05T10:00:0${line}.000Z` });
/** A turn whose code-mode script handed control back before its end. */
const yielded: SessionEvent[] = [
  { ...at(1), kind: "turn_started", turnId: "t1" },
  { ...at(1), kind: "user_message", text: "go" },
  { ...at(2), kind: "call", callId: "c0", name: "exec", arguments: "tools.exec_command(…)" },
  { ...at(3), kind: "call_output", callId: "c0", text: "Script running with cell ID 1\nWall time 0.5 seconds" },
];

it("a script that yielded and was never waited for runs nothing of the next turn", async () => {
  const events: SessionEvent[] = [
    ...yielded,
    // a command the script ran after it yielded: the script's
    { ...at(4), kind: "call_result", callId: "x1", name: "exec_command", command: "sleep 2; exit 4", exitCode: 4 },
    { ...at(5), kind: "turn_ended", turnId: "t1", outcome: "completed", lastAgentMessage: "done" },
    { ...at(6), kind: "turn_started", turnId: "t2" },
    { ...at(6), kind: "user_message", text: "again" },
    // a command of turn 2 with no call line (a user's shell command): not turn 1's script's
    { ...at(7), kind: "call_result", callId: "user-shell-1", name: "exec_command", command: "false", exitCode: 1 },
  ];
  const model = await foldEvents(events);
  expect(model.calls.map((call) => [call.callId, call.turn, call.parentCallId ?? null])).toEqual([
    ["c0", 1, null],
    ["x1", 1, "c0"],
  ]);
});

it("a multi-agent `wait` does not end a script; code mode's `wait` does once the script is done", async () => {
  const waited = (text: string): SessionEvent[] => [
    ...yielded,
    { ...at(4), kind: "call", callId: "w1", name: "wait", arguments: {} },
    { ...at(5), kind: "call_output", callId: "w1", text },
    { ...at(6), kind: "call_result", callId: "x1", name: "exec_command", command: "true", exitCode: 0 },
  ];
  const parents = async (events: SessionEvent[]) =>
    (await foldEvents(events)).calls.map((call) => [call.callId, call.parentCallId ?? null]);
  // another agent's wait: the script still runs, its command is its own
  expect(await parents(waited('{"status":{"agent-1":"completed"}}'))).toEqual([
    ["c0", null],
    ["w1", null],
    ["x1", "c0"],
  ]);
  // the script's own end: a later result is nobody's script's
  expect(await parents(waited("Script completed\nWall time 1.5 seconds"))).toEqual([
    ["c0", null],
    ["w1", null],
  ]);
});
