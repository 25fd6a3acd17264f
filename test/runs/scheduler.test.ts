// Slots and writer leases shared through the state dir: counted under one lock, and free once their
// holder is gone (dead, or its pid reused by another process).
import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processId } from "../../src/codex/liveness.js";
import { SUPERVISOR_MARKER } from "../../src/codex/processes.js";
import { writeAtomically, type LeaseRecord } from "../../src/contract/index.js";
import { Lease, Scheduler } from "../../src/runs/scheduler.js";

/** A run id of the shape the contract accepts, named after what the test means. */
const rid = (name: string | number) =>
  `run_${String(name)
    .replace(/[^0-9a-z]/g, "")
    .padEnd(6, "0")}`;

const stateDir = () => mkdtemp(join(tmpdir(), "ccm-sched-"));
const want = (runId: string, cwd = "/w", writer = false) => ({ runId, cwd, writer, shareDirectory: false });

async function plant(dir: string, record: Omit<LeaseRecord, "at" | "supervised">): Promise<void> {
  await mkdir(join(dir, "leases"), { recursive: true });
  await writeFile(
    join(dir, "leases", `${record.run_id}.json`),
    JSON.stringify({ ...record, supervised: false, at: "2026-11-29T00:00:00Z" }),
  );
}

describe("scheduler", () => {
  it("counts leases of every scheduler on the state dir; a released slot is taken again", async () => {
    const dir = await stateDir();
    const [a, b] = [new Scheduler(dir, 2, 0), new Scheduler(dir, 2, 0)];
    const first = await a.acquire(want(rid("1")));
    const second = await b.acquire(want(rid("2")));
    expect([first instanceof Lease, second instanceof Lease]).toEqual([true, true]);
    expect(await a.acquire(want(rid("3")))).toEqual({ kind: "no_slot" });
    await (first as Lease).release();
    expect(await b.acquire(want(rid("3")))).toBeInstanceOf(Lease);
  });

  it("ten schedulers racing for one slot: exactly one gets it", async () => {
    const dir = await stateDir();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => new Scheduler(dir, 1, 0).acquire(want(rid(i)))),
    );
    expect(outcomes.filter((outcome) => outcome instanceof Lease)).toHaveLength(1);
    expect(outcomes.filter((outcome) => !(outcome instanceof Lease))).toEqual(Array(9).fill({ kind: "no_slot" }));
    expect((await readdir(join(dir, "leases"))).filter((name) => name.endsWith(".json"))).toHaveLength(1);
  });

  it("one writer per directory; readers and allow_concurrent pass", async () => {
    const dir = await stateDir();
    const scheduler = new Scheduler(dir, 10, 0);
    expect(await scheduler.acquire(want(rid("w"), "/w", true))).toBeInstanceOf(Lease);
    expect(await scheduler.acquire(want(rid("x"), "/w", true))).toEqual({ kind: "busy_directory", writer: rid("w") });
    expect(await scheduler.acquire(want(rid("r"), "/w", false))).toBeInstanceOf(Lease);
    expect(await scheduler.acquire({ ...want(rid("s"), "/w", true), shareDirectory: true })).toBeInstanceOf(Lease);
    expect(await scheduler.acquire(want(rid("o"), "/other", true))).toBeInstanceOf(Lease);
  });

  it("a lease whose holder died, or whose pid now belongs to another process, is free", async () => {
    const dir = await stateDir();
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    await plant(dir, { run_id: rid("dead"), cwd: "/w", writer: true, holder: { pid: Number(dead), started: "1" } });
    const me = await processId(process.pid);
    await plant(dir, {
      run_id: rid("reused"),
      cwd: "/w",
      writer: true,
      holder: { pid: process.pid, started: String(Number(me.started) - 1) },
    });
    const scheduler = new Scheduler(dir, 1, 0);
    expect(await scheduler.live()).toEqual([]);
    expect(await scheduler.acquire(want(rid("new"), "/w", true))).toBeInstanceOf(Lease);
    await plant(dir, { run_id: rid("alive"), cwd: "/v", writer: true, holder: me });
    expect((await scheduler.live()).map((lease) => lease.run_id).sort()).toEqual([rid("alive"), rid("new")]);
  });

  it("a lock left by a process that died holding it does not block the next scheduler", async () => {
    const dir = await stateDir();
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    await mkdir(join(dir, "leases"), { recursive: true });
    await writeFile(join(dir, "leases", ".lock"), dead);
    expect(await new Scheduler(dir, 1, 0).acquire(want(rid("after_crash")))).toBeInstanceOf(Lease);
    expect(await readdir(join(dir, "leases"))).toEqual([`${rid("aftercrash")}.json`]);
  });

  it("a forged lease frees its slot: one naming pid 1 as a supervisor, or filed under another run's name", async () => {
    const dir = await stateDir();
    const pid1 = await processId(1);
    await mkdir(join(dir, "leases"), { recursive: true });
    await writeFile(
      join(dir, "leases", `${rid("pidone")}.json`),
      JSON.stringify({
        run_id: rid("pidone"),
        cwd: "/w",
        writer: true,
        holder: pid1,
        supervised: true,
        at: new Date().toISOString(),
      }),
    );
    const me = await processId(process.pid);
    await writeFile(
      join(dir, "leases", `${rid("misfiled")}.json`),
      JSON.stringify({
        run_id: rid("other"),
        cwd: "/w",
        writer: true,
        holder: me,
        supervised: false,
        at: new Date().toISOString(),
      }),
    );
    const scheduler = new Scheduler(dir, 1, 0);
    expect(await scheduler.live()).toEqual([]);
    // the control: a supervisor that carries the run's marker holds its slot
    const marked = spawn("sleep", ["60"], {
      stdio: "ignore",
      env: { ...process.env, [SUPERVISOR_MARKER]: rid("marked") },
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await writeFile(
        join(dir, "leases", `${rid("marked")}.json`),
        JSON.stringify({
          run_id: rid("marked"),
          cwd: "/w",
          writer: true,
          holder: await processId(marked.pid ?? 0),
          supervised: true,
          at: new Date().toISOString(),
        }),
      );
      expect((await scheduler.live()).map((lease) => lease.run_id)).toEqual([rid("marked")]);
      expect(await scheduler.acquire(want(rid("next")))).toEqual({ kind: "no_slot" });
    } finally {
      marked.kill("SIGKILL");
    }
  });

  it("a .lock that is a directory does not fail every run; a lock a live process keeps fresh is refused at the deadline", async () => {
    const dir = await stateDir();
    await mkdir(join(dir, "leases", ".lock", "inside"), { recursive: true });
    expect(await new Scheduler(dir, 1, 0).acquire(want(rid("afterdir")))).toBeInstanceOf(Lease);
    const lock = join(dir, "leases", ".lock");
    const me = await processId(process.pid);
    // renamed into place, so a look between two writes never finds it empty (a starting holder's state)
    const hold = () => writeAtomically(lock, JSON.stringify({ holder: me, at: new Date().toISOString() }));
    await hold();
    // one write at a time, and the last one finished before the test's folder is removed (a write still in
    // flight then failed its rename, an unhandled rejection that failed a CI run)
    let holding = Promise.resolve();
    const keeper = setInterval(() => (holding = holding.then(hold)), 200);
    try {
      expect(await new Scheduler(dir, 5, 0).acquire(want(rid("blocked")))).toEqual({
        kind: "lock_held",
        path: lock,
        holder: `pid ${process.pid}`,
      });
    } finally {
      clearInterval(keeper);
      await holding;
    }
  });
});
