// A rollout is JSON, and JSON may write half a character (`"\ud83d"`, a lone surrogate): a prompt logged so went
// into list_sessions' and session_summary's answers as it was, which JSON.stringify writes back as the same
// escape, and Codex 0.171's parser rejects the whole answer (its model's call waited for the tool timeout).
// Every string a tool answers, structured or text, and a resource's title, is whole characters now, the half
// as U+FFFD.
import { readFile, writeFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { copyFixtureHome, fixture } from "../support/fixtures.js";
import { connect, textOf } from "../support/mcp.js";

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

it("answers a logged lone surrogate as U+FFFD, in the structured result and its text", async () => {
  const { home, fixtures } = await copyFixtureHome();
  const killed = fixtures.find((entry) => entry.rollout === fixture("0.169.0", "killed").rollout);
  const path = killed?.path ?? "";
  // the JSON escape of half an emoji, as a log may hold it
  await writeFile(path, (await readFile(path, "utf8")).replaceAll("please RUN:sleep 30", "half \\ud83d here"));
  const mcp = await connect({ codexHome: home });
  try {
    const listed = await mcp.call("list_sessions", { limit: 1 });
    const summary = await mcp.call("session_summary", { session_id: "last" });
    const prompts = {
      listed: (listed.structuredContent as { sessions: Array<{ first_prompt: string }> }).sessions[0]?.first_prompt,
      summary: (summary.structuredContent as { turns: Array<{ prompt: string }> }).turns[0]?.prompt,
      texts: [textOf(listed), textOf(summary)].map((text) => LONE.test(text)),
      title: (await mcp.client.listResources()).resources[0]?.title,
    };
    expect(prompts).toEqual({
      listed: "half \ufffd here",
      summary: "half \ufffd here",
      texts: [false, false],
      title: "incomplete: “half \ufffd here”",
    });
  } finally {
    await mcp.close();
  }
});
