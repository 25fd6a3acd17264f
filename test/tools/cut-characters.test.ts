// A refusal quoting a caller's argument cuts it (80 characters of a session id, 200 of a cwd or model): a cut
// inside an emoji left half of it, a lone surrogate, which JSON.stringify writes as an escape that Codex 0.171's
// parser rejects (its model's call then waited for the tool timeout). Every tool error, and a resource's, is
// well-formed text now, the half written as U+FFFD; the argument itself was well-formed.
import { expect, it } from "vitest";
import { copyFixtureHome } from "../support/fixtures.js";
import { connect, textOf } from "../support/mcp.js";

const EMOJI = "\u{1F600}";
/** No lone surrogate (String.prototype.isWellFormed is ES2024, past this project's lib). */
const wellFormed = (text: string) =>
  !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

it("answers a refusal that cuts an argument inside a character as well-formed text", async () => {
  const { home } = await copyFixtureHome();
  const mcp = await connect({ codexHome: home });
  try {
    const answers = [];
    for (const [tool, args] of [
      ["session_summary", { session_id: `${"a".repeat(79)}${EMOJI}b` }],
      ["sessions_report", { cwd: `${"a".repeat(199)}${EMOJI}` }],
      ["sessions_report", { model: `${"a".repeat(199)}${EMOJI}` }],
    ] as const) {
      const result = await mcp.call(tool, args);
      const text = textOf(result);
      answers.push({ isError: result.isError, wellFormed: wellFormed(text), head: text.split(" is not ")[0] });
    }
    const read = await mcp.client
      .readResource({ uri: `codex://sessions/${"a".repeat(79)}${encodeURIComponent(EMOJI)}b` })
      .catch((error: unknown) => error as Error);
    const message = read instanceof Error ? read.message : "";
    answers.push({
      isError: read instanceof Error,
      wellFormed: wellFormed(message),
      head: message.split(" is not ")[0],
    });
    expect(answers).toEqual([
      // every cut falls between characters (shared/text.ts cutWhole): the half is dropped, the cut marked
      { isError: true, wellFormed: true, head: `"${"a".repeat(79)}…"` },
      { isError: true, wellFormed: true, head: `cwd "${"a".repeat(199)}…"` },
      { isError: true, wellFormed: true, head: `model "${"a".repeat(199)}…"` },
      { isError: true, wellFormed: true, head: `MCP error -32602: "${"a".repeat(79)}…"` },
    ]);
  } finally {
    await mcp.close();
  }
});
