// A 0.150+ turn that ends without a final message and without an error completed: every view says so, the
// listing too, which reads a long log's head and tail apart (the tail without the meta naming the version).
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { listSessions, sessionSummary, SessionStore } from "../../src/sessions/index.js";
import { FIXTURES } from "../support/fixtures.js";

const ID = "0199bbbb-0000-7000-8000-000000000014";

it("a long log's answerless turn is completed in the listing as in the summary", async () => {
  const lines = (await readFile(join(FIXTURES, "shapes", "answerless-turn-outside-git.jsonl"), "utf8")).split("\n");
  // a developer message of 300 KB after the meta: the listing reads the head and the tail apart
  const padding = JSON.stringify({
    timestamp: "2026-12-05T10:48:52.912Z",
    type: "response_item",
    payload: { type: "message", role: "developer", content: [{ type: "input_text", text: "x".repeat(300_000) }] },
  });
  const home = await mkdtemp(join(tmpdir(), "ccm-answerless-"));
  const dir = join(home, "sessions", "2026", "12", "05");
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, `rollout-2026-12-05T10-48-52-${ID}.jsonl`),
    [lines[0], padding, ...lines.slice(1)].join("\n"),
  );
  const store = new SessionStore(home);
  const listed = await listSessions(store, { limit: 5, includeArchived: false });
  const summary = await sessionSummary(store, ID, { reasoningLimit: 0 });
  expect([listed.sessions.map((session) => session.status), summary.status]).toEqual([["completed"], "completed"]);
});
