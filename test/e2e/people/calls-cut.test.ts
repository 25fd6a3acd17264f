// last_function_calls on a command and an output of emoji (real CLI 0.171): the caps cut them by UTF-16 units,
// so a cut could fall inside an emoji and leave half of it, a lone surrogate, which JSON.stringify writes as a
// `\ud83d` escape that Codex 0.171's parser rejects: Codex as the host waited for the answer until its
// tool_timeout_sec. The cuts fall between characters.
import { cp, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, textOf } from "../../support/mcp.js";
import { pasted } from "../../support/pasted.js";

const EMOJI = "\u{1F600}";
/**
 * A lone surrogate as JSON.stringify writes it (a whole pair is written as the character itself), not after an
 * escaped backslash (`\\ud83d`: the text of an escape, six characters).
 */
const LONE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/g;

let model: FakeModel;
let home: string;
beforeAll(async () => {
  model = await startFakeModel();
  const made = await makeCodexHome(model.url, "calls-cut");
  home = made.home;
  // 1,500 emoji of output (printf's octal bytes of U+1F600), the command itself 120 of them after `echo `
  const command = `echo ${EMOJI.repeat(120)} >/dev/null; seq 1500 | while read i; do printf "\\360\\237\\230\\200"; done`;
  const ran = await pasted(
    `cd ${made.workdir} && ${process.execPath} ${PINNED_CODEX} exec --skip-git-repo-check 'RUN:${command}'`,
    codexEnv(home),
  );
  expect(ran.code, ran.stderr).toBe(0);
});
afterAll(async () => model.close());

describe("last_function_calls cuts between characters", () => {
  it("no answer holds half an emoji, whichever the cap; the command is quoted up to its 97th emoji", async () => {
    const mcp = await connect({ codexHome: home });
    try {
      const answers = [];
      for (const max of [100, 101, 2000, 2001])
        answers.push(await mcp.call("last_function_calls", { session_id: "last", max_output_chars: max }));
      // each output: Codex's 105-character header, then the emoji; the 101 and 2001 caps' tails began inside one
      const ends = answers.map((answer) => {
        const output = (answer.structuredContent as { calls: Array<{ output: string }> }).calls[0]?.output ?? "";
        const [head = "", tail = ""] = output.split(/\n… \[\d+ characters cut\] …\n/);
        return [head.length, tail.length, tail.startsWith(EMOJI)];
      });
      const what = /: “(.*)”$/m.exec(textOf(answers[2] ?? { content: [] }))?.[1];
      expect([answers.map((answer) => JSON.stringify(answer).match(LONE)?.length ?? 0), ends, what]).toEqual([
        [0, 0, 0, 0],
        [
          [37, 36, true],
          [37, 36, true],
          [987, 986, true],
          [987, 986, true],
        ],
        `echo ${EMOJI.repeat(97)}…`,
      ]);
    } finally {
      await mcp.close();
    }
  });

  it("the cut says how many characters it left out: the output's length less the two ends kept", async () => {
    // "[1105 characters cut]" of a 3,105-character output of which 1,973 were kept: its length less the cap,
    // not counting the room the marker itself takes (nor a character the cut kept whole)
    const mcp = await connect({ codexHome: home });
    try {
      const outputOf = async (max: number) =>
        (
          (await mcp.call("last_function_calls", { session_id: "last", max_output_chars: max })).structuredContent as {
            calls: Array<{ output: string }>;
          }
        ).calls[0]?.output ?? "";
      const whole = (await outputOf(100_000)).length;
      const cuts = [];
      for (const max of [100, 101, 2000, 2001]) {
        const output = await outputOf(max);
        const [head = "", said = "", tail = ""] = output.split(/\n… \[(\d+) characters cut\] …\n/);
        cuts.push([Number(said), whole - head.length - tail.length]);
      }
      expect([whole, cuts]).toEqual([
        3105,
        [
          [3032, 3032],
          [3032, 3032],
          [1132, 1132],
          [1132, 1132],
        ],
      ]);
    } finally {
      await mcp.close();
    }
  });
});

describe("a log that holds half a character", () => {
  it("last_function_calls answers it as well-formed text, each half as U+FFFD; control: the log holds two", async () => {
    // Codex never writes one, but a log is anyone's file: JSON's `\ud83d` escape parses to half an emoji
    const copy = join(await mkdtemp(join(tmpdir(), "ccm-half-")), "home");
    await cp(home, copy, { recursive: true });
    const logs = await readdir(join(copy, "sessions"), { recursive: true });
    const log = join(copy, "sessions", logs.find((name) => name.endsWith(".jsonl")) ?? "");
    const lines = (await readFile(log, "utf8")).split("\n").map((line) => {
      if (line.includes('"function_call_output"')) return line.replace(EMOJI, "\\ud83d");
      if (line.includes('"type":"function_call"')) return line.replace(EMOJI, "\\ude00");
      return line;
    });
    await writeFile(log, lines.join("\n"));
    const mcp = await connect({ codexHome: copy });
    try {
      const calls = await mcp.call("last_function_calls", { session_id: "last", max_output_chars: 100_000 });
      const call = (calls.structuredContent as { calls: Array<{ output: string; command: string }> }).calls[0];
      expect([
        JSON.stringify(calls).match(LONE)?.length ?? 0,
        call?.output.slice(105, 108),
        call?.command.slice(0, 8),
        lines.filter((line) => line.includes("\\ud83d") || line.includes("\\ude00")).length,
      ]).toEqual([0, `\ufffd${EMOJI}`, `echo \ufffd${EMOJI}`, 2]);
    } finally {
      await mcp.close();
    }
  });
});
