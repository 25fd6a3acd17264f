// `calls` for a person, on a command whose long output ends with why it failed (real CLI 0.171): the capped
// text showed only the output's first 300 characters (Codex's header and the first lines), never the error at
// its end, and `--full` printed the same 300 characters. The capped line keeps both ends; --full prints it all.
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { pasted } from "../../support/pasted.js";
import { DATA_NOTE } from "../../../src/shared/text.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "dist", "cli.js");
const ERROR = "error: it broke at line 42";

let model: FakeModel;
let home: string;
beforeAll(async () => {
  model = await startFakeModel();
  const made = await makeCodexHome(model.url, "calls-output");
  home = made.home;
  const ran = await pasted(
    `cd ${made.workdir} && ${process.execPath} ${PINNED_CODEX} exec --skip-git-repo-check 'RUN:seq 1 200; echo ${ERROR}; exit 1'`,
    codexEnv(home),
  );
  expect(ran.code, ran.stderr).toBe(0);
});
afterAll(async () => model.close());

async function calls(...args: string[]): Promise<string[]> {
  const env = { PATH: process.env.PATH ?? "", HOME: dirname(home), CODEX_HOME: home };
  const state = await mkdtemp(join(tmpdir(), "ccm-state-"));
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, "calls", "last", ...args], {
    env: { ...env, CODEX_CONTROL_STATE_DIR: state },
  });
  return stdout.split("\n");
}

describe("calls, as a person reads them", () => {
  it("a long output is quoted by its two ends: 100 characters of its start, … and the 200 that end with the error", async () => {
    const output = (await calls()).find((line) => line.startsWith("    output: "));
    const quotation = /^ {4}output: “(.*) … (.*)”$/.exec(output ?? "");
    const numbers = Array.from({ length: 200 }, (_, i) => String(i + 1)).join(" ");
    expect([quotation?.[1]?.length, quotation?.[1]?.slice(0, 10), quotation?.[2]]).toEqual([
      100,
      "Chunk ID: ",
      `${numbers} ${ERROR}`.slice(-200),
    ]);
  });

  it("--full prints the whole output, a line each, indented under output:", async () => {
    const lines = await calls("--full");
    const start = lines.indexOf("      Output:");
    expect([lines[start - 5], lines[start - 2], ...lines.slice(start + 1)]).toEqual([
      "    output:",
      "      Process exited with code 1",
      ...Array.from({ length: 200 }, (_, i) => `      ${i + 1}`),
      `      ${ERROR}`,
      DATA_NOTE,
      "",
    ]);
  });
});
