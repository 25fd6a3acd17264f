// Every reader of a rollout opens it through rollout-open.ts: a FIFO or a link put where a log was listed is
// refused at once. The control shows the attack: a plain open of a FIFO for reading waits for a writer.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { edgeHash } from "../../src/sessions/fold-files.js";
import { openRollout } from "../../src/sessions/rollout-open.js";
import { edgeEvents, eventsBackward, newReadStats, readForward } from "../../src/sessions/rollout-reader.js";
import { scanTurns } from "../../src/sessions/turn-scan.js";

const LINE = `${JSON.stringify({ timestamp: "2026-01-28T10:00:00.000Z", type: "session_meta", payload: { id: "x" } })}\n`;

async function places() {
  const dir = await mkdtemp(join(tmpdir(), "ccm-rollout-open-"));
  const regular = join(dir, "rollout-regular.jsonl");
  await writeFile(regular, LINE);
  const fifo = join(dir, "rollout-fifo.jsonl");
  execFileSync("mkfifo", [fifo]);
  const link = join(dir, "rollout-link.jsonl");
  await symlink(regular, link);
  const fifoZst = join(dir, "rollout-fifo.jsonl.zst");
  execFileSync("mkfifo", [fifoZst]);
  return { regular, fifo, link, fifoZst };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "read",
    (error: NodeJS.ErrnoException) => error.code ?? error.message,
  );

describe("opening a rollout", () => {
  it("opens a regular file, and refuses a FIFO and a link at once", async () => {
    const { regular, fifo, link } = await places();
    const { handle, size } = await openRollout(regular);
    expect([await handle.readFile("utf8"), size]).toEqual([LINE, Buffer.byteLength(LINE)]);
    await handle.close();
    expect(await codeOf(openRollout(fifo))).toBe("ENOTREG");
    expect(await codeOf(openRollout(link))).toBe("ELOOP");
  });

  it("every reader refuses a FIFO in a log's place instead of waiting on it", async () => {
    const { fifo, fifoZst } = await places();
    const forward = readForward(fifo, newReadStats(), () => undefined);
    expect(await codeOf(forward)).toBe("ENOTREG");
    expect(await codeOf(edgeEvents(fifo, "head", 4096))).toBe("ENOTREG");
    expect(await codeOf(edgeEvents(fifo, "tail", 4096))).toBe("ENOTREG");
    expect(await codeOf(eventsBackward(fifo).next())).toBe("ENOTREG");
    expect(await codeOf(scanTurns(fifo))).toBe("ENOTREG");
    expect(await codeOf(edgeHash(fifo, 0))).toBe("ENOTREG");
    // a compressed log is read as far as it can be: nothing, at once
    const events: unknown[] = [];
    await readForward(fifoZst, newReadStats(), (event) => events.push(event));
    expect(events).toEqual([]);
  });

  it("control: a plain open of that FIFO for reading waits for a writer", async () => {
    const { fifo } = await places();
    const child = spawnSync(process.execPath, ["-e", `require("node:fs").openSync(${JSON.stringify(fifo)}, "r")`], {
      timeout: 1_000,
    });
    expect(child.signal).toBe("SIGTERM"); // still waiting when killed
  });
});
