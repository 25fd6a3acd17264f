// A fork trimmed to its counters (session_meta, one turn_context, the parent's copied counters, then its own):
// its only turn_context is in the copied history. The report (report/model-usage.ts) and list_sessions named that
// model, but session_summary said model null; every reading tool now says what the report says, and
// session_summary's inherited part names the model as the parent's (token_usage names no model).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeHome, reportOf } from "../support/report-homes.js";
import { connect } from "../support/mcp.js";

const PARENT = "0199acae-0000-7000-8000-0000000000c0";
const CHILD = "0199acae-0000-7000-8000-0000000000c1";
const line = (timestamp: string, type: string, payload: object) => JSON.stringify({ timestamp, type, payload });
const tokens = (input: number, output: number) => ({
  input_tokens: input,
  cached_input_tokens: input / 2,
  output_tokens: output,
  reasoning_output_tokens: 0,
  total_tokens: input + output,
});
const counter = (at: string, [input, output]: number[], [lastIn, lastOut]: number[]) =>
  line(at, "event_msg", {
    type: "token_count",
    info: {
      total_token_usage: tokens(input as number, output as number),
      last_token_usage: tokens(lastIn as number, lastOut as number),
      model_context_window: 258400,
    },
    rate_limits: null,
  });

function trimmed(id: string, start: string, counters: string[], forkOf?: string): string {
  return [
    line(start, "session_meta", { id, timestamp: start, cwd: "/srv/proj", ...(forkOf && { forked_from_id: forkOf }) }),
    line(start, "turn_context", { cwd: "/srv/proj", model: "gpt-5.1-codex" }),
    ...counters,
  ].join("\n");
}

async function familyHome(): Promise<string> {
  const home = await makeHome();
  const dir = join(home, "sessions", "2026", "11", "10");
  await mkdir(dir, { recursive: true });
  const history = (at: string) => [
    counter(`${at}:01.000Z`, [1000, 10], [1000, 10]),
    counter(`${at}:02.000Z`, [2000, 20], [1000, 10]),
  ];
  const parent = trimmed(PARENT, "2026-11-10T10:00:00.000Z", history("2026-11-10T10:00"));
  const child = trimmed(
    CHILD,
    "2026-11-10T15:00:00.000Z",
    [...history("2026-11-10T15:00"), counter("2026-11-10T16:00:00.000Z", [2600, 30], [600, 10])],
    PARENT,
  );
  await writeFile(join(dir, `rollout-2026-11-10T10-00-00-${PARENT}.jsonl`), `${parent}\n`);
  await writeFile(join(dir, `rollout-2026-11-10T15-00-00-${CHILD}.jsonl`), `${child}\n`);
  return home;
}

describe("a fork whose only turn_context is its parent's copied one", () => {
  it("has the report's model in list_sessions and session_summary, named as the parent's", async () => {
    const home = await familyHome();
    const report = await reportOf(home, { groupBy: "model" });
    expect(report.rows.map((row) => [row.key, row.sessions])).toEqual([["gpt-5.1-codex", 2]]);
    const mcp = await connect({ codexHome: home });
    try {
      const listed = (await mcp.call("list_sessions", { limit: 5 })).structuredContent as {
        sessions: Array<{ session_id: string; model: string | null; kind: string }>;
      };
      expect(listed.sessions.map((entry) => [entry.session_id, entry.kind, entry.model])).toEqual([
        [CHILD, "fork", "gpt-5.1-codex"],
        [PARENT, "session", "gpt-5.1-codex"],
      ]);
      const summaries = [];
      for (const id of [CHILD, PARENT]) {
        const summary = (await mcp.call("session_summary", { session_id: id })).structuredContent as {
          model: string | null;
          inherited: { parent_session_id: string | null; model: string | null } | null;
        };
        summaries.push([summary.model, summary.inherited?.parent_session_id ?? null, summary.inherited?.model ?? null]);
      }
      expect(summaries).toEqual([
        ["gpt-5.1-codex", PARENT, "gpt-5.1-codex"],
        ["gpt-5.1-codex", null, null],
      ]);
    } finally {
      await mcp.close();
    }
  });
});
