// A stop of an app-server run: turn/interrupt first, and the process group only when the turn does not end
// within the grace period. A fixture executable stands in for `codex app-server` (the real CLI always ends an
// interrupted turn, so the forced path cannot be shown with it); the control ends the turn when interrupted.
import { writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jobSchema } from "../../src/contract/index.js";
import { AppServerSupervisedRun } from "../../src/supervisor/app-server-run.js";

const THREAD = "0199cccc-0000-7000-8000-000000000001";

/** Answers the handshake, starts a turn that never ends by itself; ends it on interrupt only if ENDS is set. */
const FAKE_APP_SERVER = `#!/usr/bin/env node
import { createInterface } from "node:readline";
const send = (message) => process.stdout.write(JSON.stringify(message) + "\\n");
createInterface({ input: process.stdin }).on("line", (line) => {
  const message = JSON.parse(line);
  if (message.id === undefined) return;
  const reply = (result) => send({ id: message.id, result });
  if (message.method === "initialize" && !process.env.MUTE) reply({ userAgent: "fake/1", codexHome: "/nonexistent" });
  if (message.method === "thread/start")
    reply({ thread: { id: "${THREAD}", path: null, cliVersion: "0.0.0" }, model: "fake" });
  if (message.method === "turn/start") reply({ turn: { id: "turn-1", status: "inProgress", error: null } });
  if (message.method === "turn/interrupt") {
    if (process.env.SILENT_ON_INTERRUPT) return;
    reply({});
    if (process.env.ENDS)
      send({ method: "turn/completed", params: { threadId: "${THREAD}", turn: { id: "turn-1", status: "interrupted", error: null } } });
  }
});
process.on("SIGTERM", () => undefined); // as a busy process might: only SIGKILL ends it
`;

async function startRun(
  endsOnInterrupt: boolean,
  mute = false,
  silentOnInterrupt = false,
): Promise<AppServerSupervisedRun> {
  const dir = await mkdtemp(join(tmpdir(), "ccm-fake-app-server-"));
  const bin = join(dir, "codex.mjs");
  writeFileSync(bin, FAKE_APP_SERVER, { mode: 0o755 });
  const job = jobSchema.parse({
    runId: "run_fake0000001",
    stateDir: dir,
    codexHome: dir,
    codexBin: bin,
    argv: ["app-server"],
    engine: "app-server",
    thread: { sandbox: "read-only", approvalPolicy: "never", model: null, config: {} },
    workspace: { path: dir, dev: 0, ino: 0 },
    env: {
      PATH: process.env.PATH ?? "",
      ...(endsOnInterrupt && { ENDS: "1" }),
      ...(mute && { MUTE: "1" }),
      ...(silentOnInterrupt && { SILENT_ON_INTERRUPT: "1" }),
    },
    prompt: "x",
    mode: "read-only",
    model: null,
    timeoutMs: 60_000,
    killGraceMs: 300,
    codexVersion: "0.0.0",
    terminalEvents: true,
    discoverSession: false,
    resumeOf: null,
    skipGitRepoCheck: false,
    recordPrompt: false,
    serverPid: process.pid,
  });
  const run = new AppServerSupervisedRun(
    job,
    async () => ({ decision: "decline", answered_by: "timeout", status: "timed_out" }),
    () => undefined,
  );
  // start() resolves once the app-server is spawned (the supervisor records the start then); the thread follows
  await run.start();
  if (!mute) await run.sessionKnown;
  return run;
}

describe("stopping an app-server run", () => {
  it("stops the process group when the turn does not end within the grace period after turn/interrupt", async () => {
    const run = await startRun(false);
    expect(run.sessionId).toBe(THREAD);
    await run.stop("cancelled", "cancel_run was called");
    expect(run.outcome).toEqual({
      status: "cancelled",
      error: "cancelled: cancel_run was called",
      exitCode: null,
      signal: null,
    });
    expect(run.recentEvents.map((event) => event.message)).toContain(
      "the turn did not end within 300 ms of turn/interrupt: stopping codex app-server",
    );
  });

  it("waits one grace period, not the request timeout, for an answer to turn/interrupt", async () => {
    // before: the stop waited for the request timeout (30 s) first, and the supervisor's span, which allows two
    // grace periods, ran out while it waited, so a healthy supervisor stopped beating and was taken for hung
    const run = await startRun(false, false, true);
    await run.stop("timeout", "no result within 60000 ms");
    expect(run.outcome).toEqual({
      status: "timeout",
      error: "timed out: no result within 60000 ms",
      exitCode: null,
      signal: null,
    });
    expect(run.recentEvents.map((event) => event.message)).toContain(
      "codex app-server did not answer `turn/interrupt` within 300 ms: stopping codex app-server",
    );
  });

  it("is started once spawned, and a stop during a handshake that never ends stops the process group", async () => {
    const run = await startRun(false, true);
    // before: start() waited for turn/start, here for the handshake's 30 s timeout, with nothing recorded
    expect([run.pgid === null, run.sessionId, run.outcome]).toEqual([false, null, null]);
    const pgid = run.pgid ?? 0;
    await run.stop("cancelled", "cancel_run was called");
    expect(run.outcome).toEqual({
      status: "cancelled",
      error: "cancelled: cancel_run was called",
      exitCode: null,
      signal: null,
    });
    expect(() => process.kill(-pgid, 0)).toThrow();
  });

  it("the control: a turn that ends when interrupted is not forced", async () => {
    const run = await startRun(true);
    await run.stop("cancelled", "cancel_run was called");
    expect(run.outcome?.status).toBe("cancelled");
    expect(run.recentEvents.map((event) => event.message)).not.toContain(
      "the turn did not end within 300 ms of turn/interrupt: stopping codex app-server",
    );
    expect(run.recentEvents.map((event) => event.message)).toContain("turn interrupted");
  });
});
