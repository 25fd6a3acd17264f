// A workspace-write session run with network access (`-c sandbox_workspace_write.network_access=true`, its
// turn_context's sandbox_policy says `network_access: true`) was resumed by the printed command with `--sandbox
// workspace-write` alone: checked with the 0.171 CLI, that resume has no network ("Failed to connect to
// 127.0.0.1", header without "(network access enabled)"), as its own --add-dir roots are lost without
// repeating them. The command repeats the `-c` now; pasted (its prompt a curl to the fake model), the resumed
// turn reached the host (rc=0, "network access enabled").
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Continuation } from "../../src/sessions/continuation.js";
import { diagnose } from "../../src/sessions/diagnosis.js";
import { normalizeLine } from "../../src/sessions/normalize.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { ownRootOptions } from "../../src/sessions/workspace-write-roots.js";
import { SHAPES, shapeIdOf } from "../support/shape-home.js";

async function modelOf(name: string) {
  const text = await readFile(join(SHAPES, `${name}.jsonl`), "utf8");
  const lines = text.split("\n").filter((line) => line !== "");
  return foldEvents(
    lines.flatMap((line, index) => normalizeLine(JSON.parse(line), index + 1)).filter((event) => event !== undefined),
  );
}

const NETWORK = ["-c", "sandbox_workspace_write.network_access=true"];

describe("a workspace-write session's own network access", () => {
  it("is repeated by the printed resume", async () => {
    const model = await modelOf("workspace-write-with-network-access");
    const id = shapeIdOf(1303);
    const diagnosis = diagnose(model, { sessionId: id, cwd: "/home/user/proj" });
    expect(diagnosis.next_command).toBe(
      `codex exec --cd /home/user/proj --sandbox workspace-write --skip-git-repo-check --model mock-model -c sandbox_workspace_write.network_access=true resume ${id} 'Continue where you left off.'`,
    );
  });

  it("with its roots; not for another sandbox or without it; said once when a step asks for it too", async () => {
    const policy = { type: "workspace-write", writable_roots: ["/a"], network_access: true };
    expect(ownRootOptions(policy)).toEqual(["--add-dir", "/a", ...NETWORK]);
    expect(ownRootOptions({ ...policy, network_access: false })).toEqual(["--add-dir", "/a"]);
    expect(ownRootOptions({ type: "read-only", network_access: true })).toEqual([]);
    const model = await modelOf("workspace-write-with-network-access");
    const target = {
      sessionId: shapeIdOf(1303),
      cwd: "/p",
      sandbox: "workspace-write",
      options: ownRootOptions(policy),
    };
    expect(new Continuation(model, target, true).resume({ options: NETWORK, prompt: "p" })).toBe(
      `codex exec --cd /p --sandbox workspace-write --add-dir /a -c sandbox_workspace_write.network_access=true resume ${shapeIdOf(1303)} p`,
    );
  });
});
