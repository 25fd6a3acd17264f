// A log the report cannot read (one `sudo codex` wrote, root's and private) is left out of the totals, and
// the report says so, with its path and why, instead of silently reporting less. The CLI runs as an unprivileged
// user (nobody, when the tests run as root; else the tests' own user, whom mode 000 stops too).
import { execFile } from "node:child_process";
import { chmod, chown, mkdir, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { makeHome, writeSession, type SessionSpec } from "../../support/report-homes.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "dist", "cli.js");
const NOBODY = 65_534;
const asRoot = process.getuid?.() === 0;

const session = (n: number): SessionSpec => ({
  id: `0199eeee-0000-7000-8000-00000000006${n}`,
  start: `2026-11-1${n}T08:00:00.000Z`,
  turns: [{ prompt: "hello", total: { input: 1000, cached: 0, output: 100, reasoning: 0 } }],
});

/** `report --json` (or other arguments) as a user who cannot read mode-000 files. */
function report(home: string, state: string, args = ["report", "--json"]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: { PATH: process.env.PATH ?? "", HOME: dirname(home), CODEX_HOME: home, CODEX_CONTROL_STATE_DIR: state },
        ...(asRoot && { uid: NOBODY, gid: NOBODY }),
      },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${error.message}\n${stderr}`))
          : resolve(JSON.parse(stdout) as Record<string, unknown>),
    ),
  );
}

describe("an unreadable log", () => {
  it("is left out and named, with why; control: readable, it is counted", async () => {
    const home = await makeHome();
    const root = dirname(home);
    await chmod(root, 0o755);
    // the tests' temp folders are private to their maker: nobody must get through them
    if (asRoot)
      for (let dir = dirname(root); dir !== dirname(dir); dir = dirname(dir)) {
        const { mode } = await stat(dir);
        if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o777) | 0o011);
      }
    const state = join(root, "state");
    await mkdir(state);
    if (asRoot) await chown(state, NOBODY, NOBODY);
    await writeSession(home, session(1));
    const hidden = await writeSession(home, session(2));
    expect((await report(home, state)).unreadable_files).toBe(0);
    await chmod(hidden, 0o000);
    const answer = await report(home, state);
    expect([
      answer.unreadable_files,
      answer.unreadable_examples,
      (answer.total as { sessions: number; tokens: { total: number } }).sessions,
      (answer.total as { tokens: { total: number } }).tokens.total,
    ]).toEqual([1, [`${hidden} (EACCES)`], 1, 1100]);
    // export says so too: one session sent, one log not read
    const collector = createServer((request, response) => {
      request.resume().on("end", () => response.writeHead(200, { "content-type": "application/json" }).end("{}"));
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
      expect(await report(home, state, ["export", "--otlp", url, "--json"])).toMatchObject({
        sessions: 1,
        unreadable_files: 1,
      });
    } finally {
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
    await chmod(hidden, 0o644);
    const again = await report(home, state);
    expect([again.unreadable_files, (again.total as { sessions: number }).sessions]).toEqual([0, 2]);
  });
});
