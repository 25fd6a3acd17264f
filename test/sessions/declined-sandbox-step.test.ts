// The sandbox step for what a person declined (sandbox-step.ts): all of it declined, the step widens nothing;
// part of it declined besides what the sandbox refused, the bypass the step prints says to leave that part out.
import { describe, expect, it } from "vitest";
import type { TurnWork } from "../../src/sessions/diagnosis-work.js";
import { sandboxStep } from "../../src/sessions/sandbox-step.js";

const toolMode = (mode: string) => `mode "${mode}"`;
const declined = {
  call_id: "c1",
  command: "touch ../x",
  kind: "escalation",
  target: null,
  mode: "workspace-write",
} as const;
const refused = {
  call_id: "c2",
  command: "curl example.com",
  kind: "network",
  target: null,
  mode: "workspace-write",
} as const;

function work(denials: TurnWork["denials"]): TurnWork {
  return { failed: [], denials, declined: new Set(["c1"]), refusedWrites: [], gaveUp: false, lastCallFailed: false };
}

describe("a sandbox step where a person declined", () => {
  it("all of it: no wider sandbox; they are asked again", () => {
    expect(sandboxStep("workspace-write", work([declined]), "/p", undefined, toolMode)).toEqual({
      resume: {
        prompt:
          "A person declined the approval you asked for: go on without it, and do not do it unless they approve it.",
      },
      how: 'A person declined what Codex asked approval for: that is their answer, not a sandbox to widen. If they agree now, resume with resume_session engine "app-server" mode "ask" and have them approve it when Codex asks again; to go on without it, by hand',
    });
  });

  it("part of it, besides a network refusal: the bypass step says to leave that part out", () => {
    const step = sandboxStep("workspace-write", work([declined, refused]), "/p", undefined, toolMode);
    expect(step.resume.sandbox).toBe("danger-full-access");
    expect(step.how).toBe(
      'A person declined some of what Codex asked approval for: do that only if they agree now. Only running without the sandbox allows this: it needs the operator\'s consent (this server: --allow-full-access, then resume_session mode "full-access"). By hand',
    );
  });
});
