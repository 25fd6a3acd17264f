// Log shapes of Codex 0.171 (made with the real CLI against the fake model, paths scrubbed to /home/user) that
// the debug tools answered wrongly: each fixture in test/fixtures/shapes/ is named after what it shows.
import { copyFile, mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extraWritableDirs } from "../../src/sessions/workspace-write-roots.js";
import { FIXTURES } from "../support/fixtures.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";

const SHAPES = join(FIXTURES, "shapes");
const NAMED: Array<[string, number]> = [["sandbox-workspace-write-refused-outside-roots", 19]];
const idOf = (n: number) => `0199bbbb-0000-7000-8000-${String(n).padStart(12, "0")}`;
let home: string;
let mcp: Connected;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "ccm-shapes-s8-"));
  const dir = join(home, "sessions", "2026", "12", "05");
  await mkdir(dir, { recursive: true });
  for (const [index, [name, n]] of NAMED.entries()) {
    await copyFile(
      join(SHAPES, `${name}.jsonl`),
      join(dir, `rollout-2026-12-05T12-00-${String(index).padStart(2, "0")}-${idOf(n)}.jsonl`),
    );
  }
  mcp = await connect(testConfig({ codexHome: home }));
});
afterAll(async () => mcp.close());

async function diagnosisOf(name: string): Promise<Record<string, unknown>> {
  const n = NAMED.find(([candidate]) => candidate === name)?.[1] as number;
  const summary = (await mcp.call("session_summary", { session_id: idOf(n) })).structuredContent as Record<
    string,
    unknown
  >;
  return summary.diagnosis as Record<string, unknown>;
}

describe("a sandbox refusal outside the workspace asks for the smallest thing that works", () => {
  it("workspace-write refused a write outside its roots: --add-dir that folder, not full access", async () => {
    const diagnosis = await diagnosisOf("sandbox-workspace-write-refused-outside-roots");
    expect(diagnosis).toMatchObject({
      category: "sandbox_blocked",
      sandbox_denials: [
        {
          command: "touch /home/user/outside/x.txt",
          kind: "write",
          target: "/home/user/outside/x.txt",
          mode: "workspace-write",
        },
      ],
    });
    // pasted with the real CLI 0.171 (the session's own dirs), this resumed the session and the write went through
    const command = `CODEX_HOME=${home} codex exec --cd /home/user/proj --sandbox workspace-write --skip-git-repo-check --add-dir /home/user/outside resume ${idOf(19)} 'The folders you wrote to are writable now; do the refused writes again.'`;
    expect(diagnosis.next_command).toBe(command);
    expect(diagnosis.next_step).toBe(
      `Resume in the workspace-write sandbox with --add-dir /home/user/outside (Codex's flag for more writable folders; resume_session cannot pass it, and it widens what Codex may write: the operator's call). By hand: ${command}`,
    );
  });

  it("which folders: the session's own extra roots kept, each refused folder once, none where it cannot work", () => {
    const policy = { type: "workspace-write", writable_roots: ["/data/shared"], exclude_slash_tmp: true };
    expect(extraWritableDirs(["/srv/out/a.txt", "/srv/out/b.txt", "/opt/x/y"], "/home/user/proj", policy)).toEqual([
      "/data/shared",
      "/srv/out",
      "/opt/x",
    ]);
    // a write the workspace-write sandbox allows needs no folder
    expect(extraWritableDirs(["/home/user/proj/a.txt", "/srv/out/a.txt"], "/home/user/proj", undefined)).toEqual([
      "/srv/out",
    ]);
    // no path named; a protected .git; a file in /; a control character; too many folders
    expect(extraWritableDirs([null], "/home/user/proj", undefined)).toBeNull();
    expect(extraWritableDirs(["/home/user/proj/.git/config"], "/home/user/proj", undefined)).toBeNull();
    expect(extraWritableDirs(["/x.txt"], "/home/user/proj", undefined)).toBeNull();
    expect(extraWritableDirs(["/srv/a\nb/c"], "/home/user/proj", undefined)).toBeNull();
    expect(extraWritableDirs(["/srv/a\u202eb/c"], "/home/user/proj", undefined)).toBeNull();
    expect(extraWritableDirs(["/a/1", "/b/1", "/c/1", "/d/1"], "/home/user/proj", undefined)).toBeNull();
  });
});
