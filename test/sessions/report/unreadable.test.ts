// A log the report cannot read (one `sudo codex` wrote, root's and private) is left out of the totals, and
// the report says so, with its path and why, instead of silently reporting less. The CLI runs as an unprivileged
// user (nobody, when the tests run as root; else the tests' own user, whom mode 000 stops too). A checkout that
// user cannot reach (cloned under /root, or any folder private to root) has its bundle copied where it can.
import { execFile } from "node:child_process";
import { chmod, chown, cp, mkdir, stat, utimes } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { makeHome, writeSession, type SessionSpec } from "../../support/report-homes.js";
import { serveStdio } from "../../support/stdio-server.js";

const BUILT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "dist", "cli.js");
const NOBODY = 65_534;
const asRoot = process.getuid?.() === 0;
/** The built CLI as the unprivileged user can load it (homeForNobody sets it). */
let CLI = BUILT;

const session = (n: number): SessionSpec => ({
  id: `0199eeee-0000-7000-8000-00000000006${n}`,
  start: `2026-11-1${n}T08:00:00.000Z`,
  turns: [{ prompt: "hello", total: { input: 1000, cached: 0, output: 100, reasoning: 0 } }],
});

/** The CLI's output for these arguments, run as a user who cannot read mode-000 files. */
function cli(home: string, state: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: { PATH: process.env.PATH ?? "", HOME: dirname(home), CODEX_HOME: home, CODEX_CONTROL_STATE_DIR: state },
        ...(asRoot && { uid: NOBODY, gid: NOBODY }),
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
}

/** The CLI's exit code and stderr for these arguments, as that user. */
function cliFailure(home: string, state: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: { PATH: process.env.PATH ?? "", HOME: dirname(home), CODEX_HOME: home, CODEX_CONTROL_STATE_DIR: state },
        ...(asRoot && { uid: NOBODY, gid: NOBODY }),
      },
      (error, _stdout, stderr) => resolve({ code: typeof error?.code === "number" ? error.code : 0, stderr }),
    ),
  );
}

/** `report --json` (or other arguments that answer JSON), as that user. */
async function report(home: string, state: string, args = ["report", "--json"]): Promise<Record<string, unknown>> {
  return JSON.parse(await cli(home, state, args)) as Record<string, unknown>;
}

/** A loopback OTLP collector that takes every batch, for `fn`. */
async function withCollector(fn: (url: string) => Promise<unknown>): Promise<void> {
  const collector = createServer((request, response) => {
    request.resume().on("end", () => response.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  try {
    await fn(`http://127.0.0.1:${(collector.address() as AddressInfo).port}`);
  } finally {
    await new Promise<void>((resolve) => collector.close(() => resolve()));
  }
}

/** A home and a state dir the unprivileged user can reach (the tests' temp folders are private to their maker). */
async function homeForNobody(): Promise<{ home: string; state: string }> {
  const home = await makeHome();
  const root = dirname(home);
  await chmod(root, 0o755);
  if (asRoot)
    for (let dir = dirname(root); dir !== dirname(dir); dir = dirname(dir)) {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o777) | 0o011);
    }
  const state = join(root, "state");
  await mkdir(state);
  if (asRoot) await chown(state, NOBODY, NOBODY);
  CLI = asRoot && !(await othersReach(BUILT)) ? await copyOfBundle(root) : BUILT;
  return { home, state };
}

/** Whether a user other than the owner can load the file: every folder above it searchable by others, it readable. */
async function othersReach(file: string): Promise<boolean> {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir))
    if (((await stat(dir)).mode & 0o001) === 0) return false;
  return ((await stat(file)).mode & 0o004) !== 0;
}

/** The bundle (dist/ without its source maps) and the package.json it reads, copied into the temp root. */
async function copyOfBundle(root: string): Promise<string> {
  const dist = join(root, "dist");
  await cp(dirname(BUILT), dist, { recursive: true, filter: (source) => !source.endsWith(".map") });
  await cp(join(dirname(BUILT), "..", "package.json"), join(root, "package.json"));
  await chmod(dist, 0o755);
  return join(dist, "cli.js");
}

describe("an unreadable log", () => {
  it("is left out and named, with why; control: readable, it is counted", async () => {
    const { home, state } = await homeForNobody();
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
    await withCollector(async (url) =>
      expect(await report(home, state, ["export", "--otlp", url, "--json"])).toMatchObject({
        sessions: 1,
        unreadable_files: 1,
      }),
    );
    await chmod(hidden, 0o644);
    const again = await report(home, state);
    expect([again.unreadable_files, (again.total as { sessions: number }).sessions]).toEqual([0, 2]);
  });
});

describe("a date folder that cannot be listed", () => {
  it("is named, with why, by the CLI and by a server's report and listing, which list it again once they can; control: listable, its session counts", async () => {
    const { home, state } = await homeForNobody();
    await writeSession(home, session(1));
    const day = dirname(await writeSession(home, session(2)));
    // an old folder: a listing of it would be kept by its mtime, which a chmod does not change
    await utimes(day, new Date("2026-11-12T09:00:00Z"), new Date("2026-11-12T09:00:00Z"));
    const counts = (answer: Record<string, unknown>) => [
      answer.unreadable_folders,
      answer.unreadable_files,
      answer.unreadable_examples,
      (answer.total as { sessions: number }).sessions,
    ];
    expect(counts(await report(home, state))).toEqual([0, 0, [], 2]);
    const server = await serveStdio(
      [],
      { PATH: process.env.PATH ?? "", HOME: dirname(home), CODEX_HOME: home, CODEX_CONTROL_STATE_DIR: state },
      asRoot ? { uid: NOBODY, gid: NOBODY, cli: CLI } : {},
    );
    try {
      await chmod(day, 0o000);
      expect(counts(await report(home, state))).toEqual([1, 0, [`${day} (EACCES)`], 1]);
      const first = await server.call("sessions_report", {});
      expect(counts(first.structuredContent ?? {})).toEqual([1, 0, [`${day} (EACCES)`], 1]);
      // a listing says so too: what it could not list is missing from it
      const listed = (await server.call("list_sessions", {})).structuredContent ?? {};
      expect([(listed.sessions as unknown[]).length, listed.unreadable_folders]).toEqual([1, [`${day} (EACCES)`]]);
      const cliListed = await report(home, state, ["sessions", "--json"]);
      expect([(cliListed.sessions as unknown[]).length, cliListed.unreadable_folders]).toEqual([
        1,
        [`${day} (EACCES)`],
      ]);
      expect(await cli(home, state, ["sessions"])).toContain(
        `Not listed: the sessions in a folder that could not be listed (${day} (EACCES)).`,
      );
      // `last` would be an older session: refused, saying why
      expect(await cliFailure(home, state, ["summary", "last", "--json"])).toEqual({
        code: 1,
        stderr: `codex-control-mcp: \`last\` cannot be told: ${day} could not be listed (EACCES), and the newest session may be in it. Make it readable by this user (what \`sudo codex\` made is root's), or name the session by its id.\n`,
      });
      const text = await cli(home, state, ["report"]);
      expect(text).toContain(
        `1 session folder could not be listed: what they hold is left out of every number above (e.g. ${day} (EACCES))`,
      );
      await withCollector(async (url) =>
        expect(await cli(home, state, ["export", "--otlp", url])).toBe(
          `Sent 1 session (2 spans) to ${url}/v1/traces. 1 session folder could not be listed: what they hold is not sent (e.g. ${day} (EACCES)). Make them readable by this user (what \`sudo codex\` made is root's), or run as their owner. Then export again (the same ids).\n`,
        ),
      );
      await chmod(day, 0o755);
      expect(counts(await report(home, state))).toEqual([0, 0, [], 2]);
      expect((await report(home, state, ["summary", "last", "--json"])).session_id).toBe(session(2).id);
      const again = await server.call("sessions_report", {});
      expect(counts(again.structuredContent ?? {})).toEqual([0, 0, [], 2]);
      const listedAgain = (await server.call("list_sessions", {})).structuredContent ?? {};
      expect([(listedAgain.sessions as unknown[]).length, listedAgain.unreadable_folders]).toEqual([2, []]);
    } finally {
      await chmod(day, 0o755);
      server.child.kill();
      await server.exited();
    }
  });
});
