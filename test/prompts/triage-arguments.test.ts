// The triage prompt writes its session_id into instructions, so it takes only a session reference. Two of its
// refusals were wrong: " last" (a space a host's form kept), which every tool takes as `last`, was refused
// with a message naming `last` as taken; and a rollout's path was refused without saying what to pass instead.
// The SDK's own refusal also carried "MCP error -32602: " twice. Surrounding spaces are trimmed now (only the
// reference reaches the text), and the refusal says once what to pass, a path's UUID among it.
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { expect, it } from "vitest";
import { copyFixtureHome } from "../support/fixtures.js";
import { connect } from "../support/mcp.js";

const UUID = "01a20a2b-b8f5-73a0-8e30-03875583105e";

it("takes a reference with spaces around it, and refuses a path naming the UUID to pass", async () => {
  const { home } = await copyFixtureHome();
  const mcp = await connect({ codexHome: home });
  try {
    const taken = [];
    for (const ref of [" last", `${UUID}\n`]) {
      const prompt = await mcp.client.getPrompt({ name: "triage", arguments: { session_id: ref } });
      const first = prompt.messages[0]?.content;
      taken.push([prompt.description, first?.type === "text" ? first.text.split("\n")[0] : undefined]);
    }
    expect(taken).toEqual([
      ["Triage of Codex session last", 'Triage the Codex session "last" with the codex-control tools, in this order:'],
      [
        `Triage of Codex session ${UUID}`,
        `Triage the Codex session "${UUID}" with the codex-control tools, in this order:`,
      ],
    ]);
    const refused = [];
    for (const ref of [`${home}/sessions/2026/11/23/rollout-2026-11-23T20-49-27-${UUID}.jsonl`, "la st"]) {
      const error = await mcp.client
        .getPrompt({ name: "triage", arguments: { session_id: ref } })
        .catch((failure: unknown) => failure as { code?: number; message?: string });
      refused.push([error.code, error.message]);
    }
    const fix =
      "MCP error -32602: session_id must be a session UUID, a prefix of it of 8 or more hex digits, or `last`; for a rollout file, pass the UUID its name ends with (rollout-<time>-<uuid>.jsonl).";
    expect(refused).toEqual([
      [ErrorCode.InvalidParams, fix],
      [ErrorCode.InvalidParams, fix],
    ]);
  } finally {
    await mcp.close();
  }
});
