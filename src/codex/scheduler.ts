// Slots and writer locks shared by every process of one state dir (servers, CLIs): each live run holds a
// lease file in `<state dir>/leases/`, naming its holder (first the server that starts it, then its
// supervisor). A lease whose holder is no longer running is free, so a crash never keeps a slot. Leases
// are counted and taken under one short lock, so two servers cannot both take the last slot.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { processId, stillRunning, type ProcessId } from "./liveness.js";

export interface LeaseRecord {
  run_id: string;
  cwd: string;
  /** Writes in `cwd` (any mode but read-only): one such run per directory, unless allowed. */
  writer: boolean;
  holder: ProcessId;
  at: string;
}

export interface Want {
  runId: string;
  cwd: string;
  writer: boolean;
  /** Writes even where another run writes (allow_concurrent). */
  shareDirectory: boolean;
}

export type Refusal = { kind: "busy_directory"; writer: string } | { kind: "no_slot" };

export class Lease {
  constructor(
    readonly path: string,
    private record: LeaseRecord,
  ) {}

  /** The supervisor holds the slot from now on; the server that started the run may go. */
  async handOver(holder: ProcessId): Promise<void> {
    this.record = { ...this.record, holder };
    await writeAtomically(this.path, JSON.stringify(this.record));
  }

  release(): Promise<void> {
    return rm(this.path, { force: true });
  }
}

const LOCK_STALE_MS = 10_000;
const POLL_MS = 100;

export class Scheduler {
  readonly dir: string;

  constructor(
    stateDir: string,
    private readonly maxConcurrent: number,
    private readonly queueWaitMs: number,
  ) {
    this.dir = join(stateDir, "leases");
  }

  /**
   * Takes a slot for the run, waiting up to queueWaitMs for one to free. A busy directory is refused at
   * once (waiting would only hide it); no slot within the wait is refused after it.
   */
  async acquire(want: Want): Promise<Lease | Refusal> {
    const deadline = Date.now() + this.queueWaitMs;
    for (;;) {
      const outcome = await this.tryAcquire(want);
      if (outcome instanceof Lease || outcome.kind === "busy_directory" || Date.now() >= deadline) return outcome;
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
    }
  }

  /** Leases whose holder is still running. */
  async live(): Promise<LeaseRecord[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const records = await Promise.all(
      names
        .filter((name) => name.endsWith(".json"))
        .map((name) =>
          readFile(join(this.dir, name), "utf8").then(
            (text) => parseLease(text),
            () => undefined,
          ),
        ),
    );
    const alive = await Promise.all(records.map(async (record) => (record && (await stillRunning(record.holder)) ? record : undefined)));
    return alive.filter((record): record is LeaseRecord => record !== undefined);
  }

  private async tryAcquire(want: Want): Promise<Lease | Refusal> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    return this.locked(async () => {
      const live = await this.live();
      if (want.writer && !want.shareDirectory) {
        const writer = live.find((lease) => lease.writer && lease.cwd === want.cwd);
        if (writer) return { kind: "busy_directory", writer: writer.run_id } as const;
      }
      if (live.length >= this.maxConcurrent) return { kind: "no_slot" } as const;
      const record: LeaseRecord = { run_id: want.runId, cwd: want.cwd, writer: want.writer, holder: await processId(process.pid), at: new Date().toISOString() };
      const path = join(this.dir, `${want.runId}.json`);
      await writeAtomically(path, JSON.stringify(record));
      return new Lease(path, record);
    });
  }

  /**
   * Runs `work` holding `leases/.lock` (O_EXCL, naming its holder). A lock whose holder is gone, or older
   * than LOCK_STALE_MS, was left by a crash and is taken over.
   */
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const path = join(this.dir, ".lock");
    for (;;) {
      try {
        await writeFile(path, String(process.pid), { flag: "wx", mode: 0o600 });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const [info, holder] = await Promise.all([stat(path).catch(() => undefined), readFile(path, "utf8").catch(() => "")]);
        const holderGone = /^\d+$/.test(holder) && !(await stillRunning({ pid: Number(holder), started: null }));
        if (info && (holderGone || Date.now() - info.mtimeMs > LOCK_STALE_MS)) await rm(path, { force: true });
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    try {
      return await work();
    } finally {
      await rm(path, { force: true });
    }
  }
}

function parseLease(text: string): LeaseRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<LeaseRecord>;
    if (typeof value.run_id === "string" && typeof value.cwd === "string" && typeof value.holder?.pid === "number") return value as LeaseRecord;
  } catch {
    // torn by a crash mid-write: rename makes that unlikely, and such a lease counts as free
  }
  return undefined;
}

/** Readers never see half a file: write beside it, then rename over it. */
let writes = 0;
export async function writeAtomically(path: string, text: string): Promise<void> {
  writes += 1;
  const temporary = `${path}.${process.pid}.${writes}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}
