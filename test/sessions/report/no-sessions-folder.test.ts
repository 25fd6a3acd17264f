// A CODEX_HOME that is a folder without sessions/: a new home (Codex writes sessions/ with its first session),
// or the folder above it (`CODEX_HOME=~` for ~/.codex). The report said "0 sessions" and nothing more; it
// says why, without being an error (the home may be valid and new), in the tool and in the CLI.
import { mkdir, mkdtemp, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { connect, textOf } from "../../support/mcp.js";
import { runCli } from "../../support/report-homes.js";
import { emptyHomeNote } from "../../../src/sessions/report/empty-home.js";

let root: string;
beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-no-sessions-")));
  // a new home: Codex's config, no session yet
  await mkdir(join(root, "new"), { recursive: true });
  await writeFile(join(root, "new", "config.toml"), 'model = "gpt-5.1-codex"\n');
  // a user's home folder, its ~/.codex below it
  await mkdir(join(root, "user", ".codex", "sessions"), { recursive: true });
  // a home whose sessions/ is there, empty
  await mkdir(join(root, "used", "sessions"), { recursive: true });
});

const newNote = (home: string) =>
  `CODEX_HOME ${home} has no sessions/ folder, so there is nothing to report. Codex writes it with its first session; if your sessions are elsewhere, point CODEX_HOME at the folder that holds sessions/ (by default ~/.codex).`;
const aboveNote = (home: string) =>
  `CODEX_HOME ${home} has no sessions/ folder, so there is nothing to report. ${home}/.codex has one: set CODEX_HOME=${home}/.codex (or unset it: Codex's default is ~/.codex).`;

describe("a report over a CODEX_HOME without sessions/", () => {
  it("sessions_report answers 0 sessions and says why", async () => {
    for (const [name, note] of [
      ["new", newNote(join(root, "new"))],
      ["user", aboveNote(join(root, "user"))],
      ["used", null],
    ] as const) {
      const mcp = await connect({ codexHome: join(root, name) });
      const result = await mcp.call("sessions_report", {});
      await mcp.close();
      const lines = textOf(result).split("\n");
      expect([result.isError ?? false, (result.structuredContent as { home_note: unknown }).home_note]).toEqual([
        false,
        note,
      ]);
      expect([lines[0], lines.filter((line) => line.startsWith("CODEX_HOME"))]).toEqual([
        "0 sessions, by day: 0 turns, 0 tokens, estimated cost $0.",
        note === null ? [] : [note],
      ]);
    }
  });

  it("`report` prints it and exits 0; --json carries it", async () => {
    const home = join(root, "user");
    const text = await runCli(home, ["report"]);
    expect([text.code, text.stderr, text.stdout.split("\n").includes(aboveNote(home))]).toEqual([0, "", true]);
    const json = await runCli(home, ["report", "--json"]);
    expect([json.code, (JSON.parse(json.stdout) as { home_note: unknown }).home_note]).toEqual([0, aboveNote(home)]);
  });
});

// list_sessions had the same gap: "No sessions found" and nothing more
const listNote = (home: string) =>
  `CODEX_HOME ${home} has no sessions/ folder, so there is nothing to list. ${home}/.codex has one: set CODEX_HOME=${home}/.codex (or unset it: Codex's default is ~/.codex).`;

describe("a list over a CODEX_HOME without sessions/", () => {
  it("list_sessions answers no session and says why", async () => {
    for (const [name, note] of [
      ["user", listNote(join(root, "user"))],
      ["used", null],
    ] as const) {
      const mcp = await connect({ codexHome: join(root, name) });
      const result = await mcp.call("list_sessions", {});
      await mcp.close();
      expect([
        result.isError ?? false,
        (result.structuredContent as { home_note: unknown }).home_note,
        textOf(result).split("\n"),
      ]).toEqual([false, note, [`No sessions found in ${join(root, name)}.`, ...(note === null ? [] : [note])]]);
    }
  });

  it("`sessions` prints it and exits 0; --json carries it", async () => {
    const home = join(root, "user");
    const text = await runCli(home, ["sessions"]);
    expect([text.code, text.stderr, text.stdout.split("\n").includes(listNote(home))]).toEqual([0, "", true]);
    const json = await runCli(home, ["sessions", "--json"]);
    expect([json.code, (JSON.parse(json.stdout) as { home_note: unknown }).home_note]).toEqual([0, listNote(home)]);
  });
});

// the note's `set CODEX_HOME=…` is what a person types: a path with a space was printed bare, which a shell
// splits (CODEX_HOME=/home/Jo, then a command "Doe/.codex")
describe("the note's CODEX_HOME for a path a shell would split", () => {
  it("is quoted as a shell word", async () => {
    const home = join(root, "Jo Doe");
    await mkdir(join(home, ".codex", "sessions"), { recursive: true });
    const mcp = await connect({ codexHome: home });
    const result = await mcp.call("sessions_report", {});
    await mcp.close();
    expect((result.structuredContent as { home_note: unknown }).home_note).toBe(
      `CODEX_HOME ${home} has no sessions/ folder, so there is nothing to report. ${home}/.codex has one: set CODEX_HOME='${home}/.codex' (or unset it: Codex's default is ~/.codex).`,
    );
  });
});

describe("the note's home", () => {
  it("is shown on one line: a newline in CODEX_HOME's name is written \\u000a", async () => {
    // before: the name went into the note raw, its second half on a line of its own
    const home = join(root, "two\nlines");
    await mkdir(home);
    expect(await emptyHomeNote(home)).toBe(
      `CODEX_HOME ${root}/two\\u000alines has no sessions/ folder, so there is nothing to report. Codex writes it with its first session; if your sessions are elsewhere, point CODEX_HOME at the folder that holds sessions/ (by default ~/.codex).`,
    );
  });
});
