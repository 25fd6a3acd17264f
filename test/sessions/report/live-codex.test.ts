// A session a Codex process is still writing is "running", not a failure, whoever started it (another
// terminal, a CI job): Codex holds the thread's writer lock (CODEX_HOME/thread-writer-locks/<id>.lock, an
// exclusive flock) while it writes, which Linux lists in /proc/locks. Before, such a session was reported
// "interrupted" and listed among the recurring failures unless a run of this state dir ran it.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { codexWriters } from "../../../src/sessions/report/live-writers.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";

const request = { includeArchived: false, groupBy: "category" as const };
const onLinux = process.platform === "linux";

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => model.close());

/** Starts `codex exec HANG` (the fake model never finishes the answer) and resolves once its turn started. */
async function hangingCodex(home: string, workdir: string): Promise<{ child: ChildProcess; id: string }> {
  const child = spawn(process.execPath, [PINNED_CODEX, "exec", "--skip-git-repo-check", "--json", "HANG"], {
    cwd: workdir,
    env: codexEnv(home),
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  let id: string | undefined;
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    out += chunk.toString("utf8");
    id ??= /"thread_id":"([^"]+)"/.exec(out)?.[1];
    if (id !== undefined && out.includes('"turn.started"')) return { child, id };
  }
  throw new Error(`codex exec ended before its turn started: ${out}`);
}

/** The report, asked until its session has turn lines of its own (at most 20 s). */
async function reportOnceCounted(home: string, prices: Awaited<ReturnType<typeof loadPrices>>) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const report = await sessionsReport(new SessionStore(home), request, { prices });
    const counted = report.total.sessions === 1 && report.total.turns > 0;
    if (counted || Date.now() > deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits (at most 20 s) until no process holds the session's writer lock. */
async function lockReleased(home: string, id: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; codexWriters(home)(id) && Date.now() < deadline;)
    await new Promise((resolve) => setTimeout(resolve, 100));
}

describe("a session a Codex process is still writing", () => {
  it.runIf(onLinux)(
    "is running while the real CLI holds its writer lock, and not once the process is gone",
    async () => {
      const { home, workdir } = await makeCodexHome(model.url, "live");
      const { child, id } = await hangingCodex(home, workdir);
      const prices = await loadPrices();
      try {
        // the turn's start reaches --json before its lines reach the log: under load the first report can
        // come too early, so it is asked again until it counts the session (or the deadline passes)
        const live = await reportOnceCounted(home, prices);
        expect([live.total.sessions, live.total.categories, live.recurring_failures]).toEqual([1, { running: 1 }, []]);
        expect(codexWriters(home)(id)).toBe(true);
      } finally {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
      // the lock file stays, its lock does not: once its last holder is gone. Codex's launcher exits after the
      // native binary, but a loaded CI still saw the lock held right after: a process the binary started with
      // the lock's descriptor outlived it a moment
      await lockReleased(home, id);
      expect(lstatSync(join(home, "thread-writer-locks", `${id}.lock`)).isFile()).toBe(true);
      expect(codexWriters(home)(id)).toBe(false);
      const ended = await sessionsReport(new SessionStore(home), request, { prices });
      expect(ended.total.categories).toEqual({ interrupted: 1 });
    },
  );

  it("is not known from a lock list that cannot be read, a read or waiting lock, or an id that is a path", async () => {
    const { home } = await makeCodexHome(model.url, "locks");
    const id = "01a2465e-8320-7b30-a68c-d47f0508afdd";
    expect(codexWriters(home, join(home, "no-such-file"))(id)).toBe(false);
    const locks = join(home, "locks");
    await writeFile(
      locks,
      [
        "1: POSIX  ADVISORY  READ 18012 fe:00:2700653 128 128",
        "2: -> FLOCK  ADVISORY  WRITE 18013 fe:00:1 0 EOF",
        "",
      ].join("\n"),
    );
    expect(codexWriters(home, locks)(id)).toBe(false);
    expect(codexWriters(home, locks)("../../etc/passwd")).toBe(false);
  });
});
