// What a run ran with is its own turn's: not a turn from before it began (a run that failed before its first
// turn recorded none), nor one after it ended.
import { expect, it } from "vitest";
import { SessionStore } from "../../src/sessions/index.js";
import { effectiveSettings } from "../../src/runs/run-view.js";
import { makeHome, writeSession } from "../support/report-homes.js";

const ID = "0199eeee-0000-7000-8000-0000000000e1";

it("a run that recorded no turn of its own has no effective settings; one whose turn it was has them", async () => {
  const home = await makeHome();
  // one turn at 08:00 (by hand, read-only per the asked mode below: workspace-write is what the log says)
  await writeSession(home, {
    id: ID,
    start: "2026-11-20T08:00:00.000Z",
    model: "hand-model",
    turns: [{ prompt: "by hand", total: { input: 10, cached: 0, output: 1, reasoning: 0 } }],
  });
  const asked = { sessionId: ID, mode: "read-only" as const, cwd: "/srv/proj", model: "other-model" };
  const store = new SessionStore(home);
  // a run at 09:00 that failed before any turn: the 08:00 turn is not its
  expect(
    await effectiveSettings(store, {
      ...asked,
      startedAt: "2026-11-20T09:00:00.000Z",
      endedAt: "2026-11-20T09:00:02.000Z",
    }),
  ).toBeNull();
  // control: a run whose span holds the turn is compared with it
  expect(
    await effectiveSettings(store, {
      ...asked,
      startedAt: "2026-11-20T07:59:59.500Z",
      endedAt: "2026-11-20T08:10:00.000Z",
    }),
  ).toMatchObject({
    model: "hand-model",
    sandbox: "workspace-write",
    mismatch: true,
    differences: expect.arrayContaining(["model is hand-model, asked for other-model"]),
  });
});
