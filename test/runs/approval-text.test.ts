// What a pending approval's text says: who can answer it on this server, and what a person is asked.
import { describe, expect, it } from "vitest";
import { howToAnswer } from "../../src/runs/approval-answer.js";
import { approvalMessage } from "../../src/tools/approval-bridge.js";
import type { ApprovalEntry } from "../../src/contract/index.js";

const entry: ApprovalEntry = {
  approval_id: "a1",
  kind: "command",
  summary: "touch x",
  cwd: null,
  reason: null,
  decisions: ["approve", "decline", "cancel"],
  requested_at: "2026-12-05T14:00:00.000Z",
  status: "pending",
  decision: null,
  answered_by: null,
  answered_at: null,
};

describe("howToAnswer", () => {
  it("on a --read-only server whose client declared elicitation, does not say the client cannot ask", () => {
    // approvalAnswerers on --read-only: caller and hostUser false whatever the client declared
    expect(howToAnswer("run_x", entry, { caller: false, hostUser: false, readOnly: true })).toBe(
      "a person answers with `codex-control-mcp approve run_x a1 <approve|decline|cancel>` in a terminal, or in the dialog of the host whose server started the run where it can ask (this server is read-only: it asks nobody, and respond_approval is disabled), or it is declined when nobody answers in time",
    );
  });

  it("on a default server whose client cannot be asked, says so", () => {
    expect(howToAnswer("run_x", entry, { caller: false, hostUser: false, readOnly: false })).toBe(
      "a person answers with `codex-control-mcp approve run_x a1 <approve|decline|cancel>` in a terminal (this client cannot ask its user, and respond_approval is disabled on this server), or it is declined when nobody answers in time",
    );
  });
});

describe("approvalMessage", () => {
  it("names a kind a later version added as unknown, not as an MCP server's question", () => {
    const message = approvalMessage(
      { run_id: "run_x", cwd: "/w" },
      { ...entry, kind: "unknown", summary: "grant network" },
    );
    expect(message.split("\n")[0]).toBe(
      "Codex (run run_x in /w) asks to do something of a kind this version of codex-control-mcp does not know (a later version started the run): “grant network”.",
    );
  });

  it("still names an MCP server's question as one", () => {
    const message = approvalMessage(
      { run_id: "run_x", cwd: "/w" },
      { ...entry, kind: "mcp_elicitation", summary: "go?" },
    );
    expect(message.split("\n")[0]).toBe("Codex (run run_x in /w) asks to let an MCP server go on: “go?”.");
  });
});
