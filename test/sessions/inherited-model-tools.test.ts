// A fork trimmed to its counters (session_meta, one turn_context, the parent's copied counters, then its own):
// its only turn_context is in the copied history. The report (report/model-usage.ts) and list_sessions named that
// model, but session_summary said model null; every reading tool now says what the report says, and
// session_summary's inherited part names the model as the parent's (token_usage names no model).
import { describe, expect, it } from "vitest";
import { reportOf } from "../support/report-homes.js";
import { CHILD, PARENT, trimmedFamilyHome } from "../support/trimmed-family.js";
import { connect } from "../support/mcp.js";

describe("a fork whose only turn_context is its parent's copied one", () => {
  it("has the report's model in list_sessions and session_summary, named as the parent's", async () => {
    const home = await trimmedFamilyHome();
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
