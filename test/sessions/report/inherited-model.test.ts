// A fork trimmed to its counters (steipete/CodexBar's fork families: session_meta, one turn_context, the
// parent's copied counters, then its own): its only turn_context is in the copied history, so the report put
// its usage under "(unknown)" (unpriced), where the log names the model it went on with and ccusage reads it
// there. A child that wrote no turn_context of its own is on the model of its parent's history.
import { describe, expect, it } from "vitest";
import { reportOf } from "../../support/report-homes.js";
import { trimmedFamilyHome } from "../../support/trimmed-family.js";

describe("a fork trimmed to its counters", () => {
  it("is counted under the model its copied history names, priced", async () => {
    const home = await trimmedFamilyHome();
    const report = await reportOf(home, { groupBy: "model" });
    expect(
      report.rows.map((row) => [
        row.key,
        row.sessions,
        row.tokens.input,
        row.tokens.output,
        row.cost.unpriced_sessions,
      ]),
    ).toEqual([["gpt-5.1-codex", 2, 2600, 30, 0]]);
    expect(report.total.cost.unpriced_sessions).toBe(0);
    // the model filter finds the child too
    expect((await reportOf(home, { model: "gpt-5.1-codex" })).total.sessions).toBe(2);
  });
});
