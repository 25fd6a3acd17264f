// sessions_report, `report` and `export` on a CODEX_HOME that is missing or a file: they answered "0 sessions"
// (exit 0), as if the home held none, where list_sessions and `sessions` name what is wrong with it.
import { mkdtemp, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { connect, textOf } from "../support/mcp.js";
import { runCli } from "../support/report-homes.js";

let root: string;
beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-missing-home-")));
  await writeFile(join(root, "file"), "not a folder\n");
});

const missing = (home: string) =>
  `CODEX_HOME ${home} does not exist: fix CODEX_HOME (a typo?), or run Codex once to create it.`;
const notFolder = (home: string) =>
  `CODEX_HOME ${home} is not a directory: point CODEX_HOME at the folder that holds Codex's sessions/ (by default ~/.codex).`;

describe("a report over a CODEX_HOME that is no folder", () => {
  it("sessions_report answers an error naming the fix", async () => {
    for (const [home, text] of [
      [join(root, "codx"), missing(join(root, "codx"))],
      [join(root, "file"), notFolder(join(root, "file"))],
    ] as const) {
      const mcp = await connect({ codexHome: home });
      const result = await mcp.call("sessions_report", {});
      await mcp.close();
      expect({ isError: result.isError, text: textOf(result) }).toEqual({ isError: true, text });
    }
  });

  it("`report` and `export` exit 1 saying so, printing nothing on stdout", async () => {
    for (const [home, text] of [
      [join(root, "codx"), missing(join(root, "codx"))],
      [join(root, "file"), notFolder(join(root, "file"))],
    ] as const) {
      for (const args of [["report"], ["report", "--json"], ["export", "--otlp", "http://127.0.0.1:9/"]]) {
        expect(await runCli(home, args)).toEqual({ code: 1, stdout: "", stderr: `codex-control-mcp: ${text}\n` });
      }
    }
  });

  it("an existing empty home is still 0 sessions", async () => {
    const mcp = await connect({ codexHome: root });
    const result = await mcp.call("sessions_report", {});
    await mcp.close();
    expect(result.isError).toBeFalsy();
    expect(textOf(result).split("\n")[0]).toBe("0 sessions, by day: 0 turns, 0 tokens, estimated cost $0.");
  });
});
