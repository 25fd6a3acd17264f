// A quotation of log text is cut to a length (a first prompt to 80 characters in list_sessions' text and in a
// resource's title): a cut inside an emoji left half of it, a lone surrogate, which JSON.stringify writes as an
// escape that Codex 0.171's parser rejects (the whole answer, the call waiting for its tool timeout). The cut
// keeps whole characters now.
import { readFile, writeFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { copyFixtureHome, fixture } from "../support/fixtures.js";
import { connect, textOf } from "../support/mcp.js";

const PROMPT = `${"a".repeat(79)}\u{1F600}${"b".repeat(100)}`;

it("cuts a quoted first prompt between characters, in list_sessions' text and a resource's title", async () => {
  const { home, fixtures } = await copyFixtureHome();
  const killed = fixtures.find((entry) => entry.rollout === fixture("0.169.0", "killed").rollout);
  const path = killed?.path ?? "";
  await writeFile(path, (await readFile(path, "utf8")).replaceAll("please RUN:sleep 30", PROMPT));
  const mcp = await connect({ codexHome: home });
  try {
    const listed = await mcp.call("list_sessions", { limit: 1 });
    const line = textOf(listed).split("\n")[1] ?? "";
    const { resources } = await mcp.client.listResources();
    expect({ quoted: line.slice(line.indexOf("“")), title: resources[0]?.title }).toEqual({
      quoted: `“${"a".repeat(79)}…”`,
      title: `incomplete: “${"a".repeat(79)}…”`,
    });
  } finally {
    await mcp.close();
  }
});
