// An error repeats a caller's session reference cut to 80 characters (a path to 240), and list_sessions' first
// prompt is log text cut to 300: a cut inside an emoji left half of it, a lone surrogate, which JSON writes as
// an escape Codex 0.171's parser rejects (the CLI's --json and every reader of these views outside the MCP
// layer got it as it was). The cut keeps whole characters, the ellipsis saying text was cut.
import { expect, it } from "vitest";
import { listSessions, sessionSummary, SessionStore } from "../../src/sessions/index.js";
import { clip, PATH_SHOWN } from "../../src/sessions/locate.js";
import { makeHome, writeSession } from "../support/report-homes.js";

const EMOJI = "\u{1F600}";

it("cuts a repeated reference and a listed first prompt between characters", async () => {
  const home = await makeHome();
  await writeSession(home, {
    id: "0199eeee-0000-7000-8000-000000000931",
    start: "2026-11-19T00:00:00Z",
    turns: [{ prompt: `${"a".repeat(299)}${EMOJI}b` }],
  });
  const store = new SessionStore(home);
  const listed = await listSessions(store, { limit: 1, includeArchived: false });
  const refused = await sessionSummary(store, `${"a".repeat(79)}${EMOJI}b`, { reasoningLimit: 0 }).catch(
    (error: unknown) => (error as Error).message,
  );
  expect({
    prompt: listed.sessions[0]?.first_prompt,
    refused: String(refused).split(" is not ")[0],
    path: clip(`/${"p".repeat(PATH_SHOWN - 2)}${EMOJI}`, PATH_SHOWN),
  }).toEqual({
    prompt: `${"a".repeat(299)}…`,
    refused: `"${"a".repeat(79)}…"`,
    path: `/${"p".repeat(PATH_SHOWN - 2)}…`,
  });
});
