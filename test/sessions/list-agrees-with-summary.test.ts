// list_sessions folds a log's head and tail apart (a long log) or whole (a short one): its status must be the
// one session_summary gives of the same bytes. The logs are hand-written; the long one is the short one with
// 300 KB of developer message after the meta, so the listing reads its head and its tail apart.
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { listSessions, sessionSummary, SessionStore } from "../../src/sessions/index.js";
import { FIXTURES } from "../support/fixtures.js";

const line = (timestamp: string, type: string, payload: Record<string, unknown>) =>
  JSON.stringify({ timestamp: `2026-12-05T10:00:${timestamp}.000Z`, type, payload });
const PADDING = line("01", "response_item", {
  type: "message",
  role: "developer",
  content: [{ type: "input_text", text: "x".repeat(300_000) }],
});

async function statuses(id: string, lines: string[], padded: boolean): Promise<[string[], string]> {
  const home = await mkdtemp(join(tmpdir(), "ccm-list-agrees-"));
  const dir = join(home, "sessions", "2026", "12", "05");
  await mkdir(dir, { recursive: true });
  const body = padded ? [lines[0] as string, PADDING, ...lines.slice(1)] : lines;
  await writeFile(join(dir, `rollout-2026-12-05T10-00-00-${id}.jsonl`), `${body.join("\n")}\n`);
  const store = new SessionStore(home);
  const listed = await listSessions(store, { limit: 5, includeArchived: false });
  const summary = await sessionSummary(store, id, { reasoningLimit: 0 });
  return [listed.sessions.map((session) => session.status), summary.status];
}

// turn 2 is begun by a turn_context of a new turn id and has no task_started of its own: the fold takes it for
// a turn of a generation that writes none, ended by its answer. The listing marked it started because the log
// holds a task_started somewhere (turn 1's), so a turn the summary calls completed was listed incomplete.
const ID = "0199bbbb-0000-7000-8000-000000000061";
const SPLIT_TURN = [
  line("00", "session_meta", { id: ID, timestamp: "2026-12-05T10:00:00.000Z", cwd: "/w", cli_version: "0.158.0" }),
  line("02", "event_msg", { type: "task_started", turn_id: "t1" }),
  line("03", "event_msg", { type: "user_message", message: "first" }),
  line("04", "event_msg", { type: "agent_message", message: "first answer" }),
  line("05", "event_msg", { type: "task_complete", turn_id: "t1", last_agent_message: "first answer" }),
  line("06", "turn_context", { turn_id: "t2", cwd: "/w", model: "m", approval_policy: "never" }),
  line("07", "event_msg", { type: "user_message", message: "second" }),
  line("08", "event_msg", { type: "agent_message", message: "second answer" }),
];

it("a short log's turn without a task_started of its own: listed as the summary says", async () => {
  expect(await statuses(ID, SPLIT_TURN, false)).toEqual([["completed"], "completed"]);
});

it("a long log's turn without a task_started of its own: listed as the summary says", async () => {
  expect(await statuses(ID, SPLIT_TURN, true)).toEqual([["completed"], "completed"]);
});

// a sub-agent whose file holds only its parent's replayed turn has no turn of its own: the summary says
// incomplete. The tail, folded without the meta naming the parent, took the replayed turn for its own.
it("a long sub-agent log of its parent's history only: listed as the summary says", async () => {
  const lines = (await readFile(join(FIXTURES, "shapes", "subagent-only-parent-history.jsonl"), "utf8"))
    .split("\n")
    .filter((text) => text !== "");
  expect(await statuses("0199bbbb-0000-7000-8000-000000000025", lines, true)).toEqual([["incomplete"], "incomplete"]);
});

// a 0.130 log resumed by a 0.171 CLI: its answerless second turn completed (the newer CLI puts a failure in the
// turn's end), which the fold knows from the 0.150+ items written before it. The tail, its last three lines
// only, saw none of them and took the old meta version's rule: a turn ended without answer failed.
it("a long log resumed by a newer CLI, its tail inside the answerless turn: listed as the summary says", async () => {
  const lines = (await readFile(join(FIXTURES, "shapes", "resumed-by-newer-cli-answerless-turn.jsonl"), "utf8"))
    .split("\n")
    .filter((text) => text !== "");
  const tailInside = [...lines.slice(0, -3), PADDING, ...lines.slice(-3)];
  expect(await statuses("0199bbbb-0000-7000-8000-000000000022", tailInside, false)).toEqual([
    ["completed"],
    "completed",
  ]);
});
