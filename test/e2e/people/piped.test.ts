// A person pipes requests into the server (issue 25's reproduction): stdin ends right after the last one, and
// every request it carried is answered before the server exits.
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { fixture, FIXTURE_HOME } from "../../support/fixtures.js";
import { registeredToolNames } from "../../support/tool-registry.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

describe("requests piped into the server", () => {
  it("printf initialize, initialized, tools/call | node dist/cli.js: both requests answered, exit 0", async () => {
    const target = fixture("0.169.0", "command");
    const initialize =
      '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"printf","version":"0"}}}';
    const initialized = '{"jsonrpc":"2.0","method":"notifications/initialized"}';
    const call = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"session_summary","arguments":{"session_id":"${target.session_id}"}}}`;
    const list = '{"jsonrpc":"2.0","id":3,"method":"tools/list"}';
    const script = `printf '${initialize}\\n${initialized}\\n${call}\\n${list}\\n' | node dist/cli.js`;
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: await mkdtemp(join(tmpdir(), "ccm-home-")),
      CODEX_HOME: FIXTURE_HOME,
      CODEX_CONTROL_STATE_DIR: await mkdtemp(join(tmpdir(), "ccm-state-")),
    };
    const { stdout, stderr } = await promisify(execFile)("sh", ["-c", script], { cwd: root, env, timeout: 60_000 });
    const answers = stdout
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as {
            id: number;
            result: { structuredContent?: { session_id: string; status: string }; tools?: Array<{ name: string }> };
          },
      );
    answers.sort((a, b) => a.id - b.id);
    expect(answers.map((answer) => answer.id)).toEqual([1, 2, 3]);
    expect(answers[1]?.result.structuredContent).toMatchObject({ session_id: target.session_id, status: "completed" });
    expect(answers[2]?.result.tools?.map((tool) => tool.name)).toEqual(registeredToolNames({ readOnly: false }));
    expect(stderr).toContain("shutting down (stdin closed)");
  });
});
