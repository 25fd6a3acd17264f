// A compact fold (the cached one, and the one saved for the next process) keeps slim turn ends and call outputs:
// what their readers ask of them (session-model.ts slimEnd, slimOutput). The answers must be those of a fold
// keeping the whole events.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { listSessions } from "../../src/sessions/index.js";
import { FoldCache } from "../../src/sessions/fold-cache.js";
import { SLIM_FOLD } from "../../src/sessions/compact-events.js";
import { makeRollout } from "../../bench/inputs.js";
import { everyAnswer } from "../support/answers.js";
import { ALL_FIXTURES, FIXTURE_HOME } from "../support/fixtures.js";

async function answers(codexHome: string, ids: string[], slim: boolean): Promise<unknown[]> {
  SLIM_FOLD.ends = slim;
  SLIM_FOLD.outputs = slim;
  // no quick answers: every question is answered from the compact fold
  const out = await everyAnswer(codexHome, ids, Number.MAX_SAFE_INTEGER);
  out.push(await listSessions(codexHome, { limit: 1000 } as never));
  return out;
}

const ID = "01a20b00-0000-7000-8000-0000000000e1";
const at = (second: number) => `2026-11-23T20:49:${String(second).padStart(2, "0")}.000Z`;
/** Turn 1 ends with a message it never wrote as an item; turn 2 with the message it wrote; turn 3 with another one; turn 4 aborted. */
const LOG = [
  {
    timestamp: at(0),
    type: "session_meta",
    payload: {
      id: ID,
      timestamp: at(0),
      cwd: "/p",
      originator: "codex_exec",
      cli_version: "0.169.0",
      source: "exec",
      model_provider: "mock",
    },
  },
  { timestamp: at(1), type: "event_msg", payload: { type: "task_started", turn_id: "t1" } },
  { timestamp: at(1), type: "event_msg", payload: { type: "user_message", message: "one", images: [] } },
  {
    timestamp: at(2),
    type: "event_msg",
    payload: { type: "task_complete", turn_id: "t1", last_agent_message: "only in the end" },
  },
  { timestamp: at(3), type: "event_msg", payload: { type: "task_started", turn_id: "t2" } },
  { timestamp: at(3), type: "event_msg", payload: { type: "user_message", message: "two", images: [] } },
  { timestamp: at(4), type: "event_msg", payload: { type: "agent_message", message: "said and ended" } },
  {
    timestamp: at(5),
    type: "event_msg",
    payload: { type: "task_complete", turn_id: "t2", last_agent_message: "said and ended" },
  },
  { timestamp: at(6), type: "event_msg", payload: { type: "task_started", turn_id: "t3" } },
  { timestamp: at(6), type: "event_msg", payload: { type: "user_message", message: "three", images: [] } },
  { timestamp: at(7), type: "event_msg", payload: { type: "agent_message", message: "said" } },
  {
    timestamp: at(8),
    type: "event_msg",
    payload: { type: "task_complete", turn_id: "t3", last_agent_message: "ended otherwise" },
  },
  { timestamp: at(9), type: "event_msg", payload: { type: "task_started", turn_id: "t4" } },
  { timestamp: at(9), type: "event_msg", payload: { type: "user_message", message: "four", images: [] } },
  { timestamp: at(10), type: "event_msg", payload: { type: "turn_aborted", turn_id: "t4", reason: "interrupted" } },
  // outputs of every shape a compact output keeps: a process left running, a sandbox denial, an exit and its wall time
  {
    timestamp: at(10),
    type: "response_item",
    payload: { type: "function_call", name: "exec_command", arguments: '{"cmd":"sleep 9"}', call_id: "c1" },
  },
  {
    timestamp: at(10),
    type: "response_item",
    payload: {
      type: "function_call_output",
      call_id: "c1",
      output: "Chunk ID: a\nWall time: 1.0 seconds\nProcess running with session ID 7\nOutput:\n",
    },
  },
  {
    timestamp: at(10),
    type: "response_item",
    payload: { type: "function_call", name: "exec_command", arguments: '{"cmd":"touch /x"}', call_id: "c2" },
  },
  {
    timestamp: at(10),
    type: "response_item",
    payload: {
      type: "function_call_output",
      call_id: "c2",
      output:
        "Process exited with code 1\nWall time: 0.2 seconds\nOutput:\ntouch: cannot touch '/x': Read-only file system\nexec command failed: Sandbox(Denied { output })\n",
    },
  },
  { timestamp: at(11), type: "event_msg", payload: { type: "task_started", turn_id: "t5" } },
  { timestamp: at(11), type: "event_msg", payload: { type: "user_message", message: "five", images: [] } },
  { timestamp: at(12), type: "event_msg", payload: { type: "task_complete", turn_id: "t5", last_agent_message: null } },
];

describe("slim turn ends in compact folds", () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "ccm-slim-ends-"));
    const dir = join(home, "sessions", "2026", "11", "23");
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, `rollout-2026-11-23T20-49-00-${ID}.jsonl`),
      LOG.map((line) => JSON.stringify(line)).join("\n") + "\n",
    );
    await makeRollout(home, 2 * 1024 * 1024, "01a20b00-0000-7000-8000-0000000000e2");
  });
  afterEach(() => {
    SLIM_FOLD.ends = true;
    SLIM_FOLD.outputs = true;
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("give the answers of whole ends, on every fixture", async () => {
    const ids = ALL_FIXTURES.map((entry) => entry.session_id);
    expect(await answers(FIXTURE_HOME, ids, true)).toEqual(await answers(FIXTURE_HOME, ids, false));
  });

  it("give the answers of whole ends on ends with and without a message of their own, aborted and empty, and on a generated 0.169 log", async () => {
    const ids = [ID, "01a20b00-0000-7000-8000-0000000000e2"];
    const slim = await answers(home, ids, true);
    expect(slim).toEqual(await answers(home, ids, false));
    const summary = slim[0] as { turns: Array<{ last_agent_message: string | null; status: string }> };
    expect(summary.turns.map((turn) => [turn.last_agent_message, turn.status])).toEqual([
      ["only in the end", "completed"],
      ["said and ended", "completed"],
      ["said", "completed"],
      [null, "aborted"],
      // a 0.150+ end with neither an answer nor an error: the turn completed without a final message
      [null, "completed"],
    ]);
  });

  it("slim outputs hold every value the whole ones do (the fold compared field by field), on every fixture and outputs of every shape", async () => {
    let outputs = 0;
    const FIELDS = ["exitCode", "durationMs", "running", "processId", "isError", "denial"] as const;
    const seen = new Set<string>();
    const dir = join(home, "sessions", "2026", "11", "23");
    for (const path of [
      ...ALL_FIXTURES.map((entry) => entry.path),
      join(dir, `rollout-2026-11-23T20-49-00-${ID}.jsonl`),
    ]) {
      SLIM_FOLD.outputs = false;
      const whole = (await new FoldCache().get(path)).model;
      SLIM_FOLD.outputs = true;
      const slim = (await new FoldCache().get(path)).model;
      // toEqual: a field holding undefined equals a field not there
      expect(slim).toEqual(whole);
      for (const call of whole.calls)
        for (const field of FIELDS) if (call.output?.[field] !== undefined) seen.add(field);
      outputs += slim.calls.filter((call) => call.output).length;
    }
    expect(outputs).toBeGreaterThan(10);
    expect([...seen].sort()).toEqual([...FIELDS].sort());
  });
});
