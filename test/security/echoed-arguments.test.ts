// A session reference the server cannot resolve is repeated in its error, escaped as log text is: before, an
// id of `\u202e…` reversed the rest of the message (the fix it names included) and an ESC sequence or a NUL
// went as it was to the model, or to the terminal of a CLI user.
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connect, testConfig, textOf } from "../support/mcp.js";

// eslint-disable-next-line no-control-regex -- finding them is the point
const RAW = /[\u0000-\u001f\u202e]/;

describe("a reference repeated in an error", () => {
  it.each([
    ["an id", "\u001b[2J\u202eabc\u0000", '"\\u001b[2J\\u202eabc\\u0000" is not a session id: pass a session UUID'],
    ["a path", "/tmp/\u202e\u0000x", "/tmp/\\u202e\\u0000x is outside CODEX_HOME"],
  ])("%s keeps its control and bidirectional characters escaped", async (_, sessionId, start) => {
    const home = await mkdtemp(join(tmpdir(), "ccm-echoed-"));
    await mkdir(join(home, "sessions"));
    const mcp = await connect(testConfig({ codexHome: home }));
    try {
      const result = await mcp.call("session_summary", { session_id: sessionId });
      expect([result.isError, textOf(result).startsWith(start), RAW.test(textOf(result))]).toEqual([true, true, false]);
    } finally {
      await mcp.close();
    }
  });
});

describe("an argument repeated in a refusal", () => {
  it.each([
    ["model", { model: "gpt\u0000\u202e" }, 'model "gpt\\u0000\\u202e" is not a model name'],
    ["cwd", { cwd: "/srv/\u202e\u001b[2J" }, 'cwd "/srv/\\u202e\\u001b[2J" is not an absolute directory'],
  ])("sessions_report's %s keeps its control and bidirectional characters escaped", async (_, args, start) => {
    const home = await mkdtemp(join(tmpdir(), "ccm-echoed-"));
    await mkdir(join(home, "sessions"));
    const mcp = await connect(testConfig({ codexHome: home }));
    try {
      const result = await mcp.call("sessions_report", args);
      expect([result.isError, textOf(result).startsWith(start), RAW.test(textOf(result))]).toEqual([true, true, false]);
    } finally {
      await mcp.close();
    }
  });
});

describe("an unexpected failure's message", () => {
  it("is shown with its control and bidirectional characters escaped (it may carry a log's path)", async () => {
    const { answer } = await import("../../src/tools/result.js");
    const result = await answer("session_summary", () =>
      Promise.reject(new Error("/h/rollout-\u001b]0;x\u0007\u202e-id.jsonl is not a regular file")),
    );
    const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join("");
    expect([
      result.isError,
      RAW.test(text),
      text.startsWith("session_summary failed: /h/rollout-\\u001b]0;x\\u0007\\u202e-id"),
    ]).toEqual([true, false, true]);
  });
});
