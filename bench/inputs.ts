// Large, realistic inputs made from the real-CLI fixtures: rollouts of a given size (the turns of a real
// 0.169 session repeated, call and turn ids made unique per copy) and a CODEX_HOME of many sessions.
import { randomUUID } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { once } from "node:events";
import { ALL_FIXTURES, fixture } from "../test/support/fixtures.js";

/** A rollout of about `bytes` bytes: the fixture's head once, then its turns again and again. */
export async function makeRollout(dir: string, bytes: number, sessionId = "01a20b00-0000-7000-8000-00000000be0c"): Promise<string> {
  const path = join(dir, "sessions", "2026", "11", "23", `rollout-2026-11-23T10-00-00-${sessionId}.jsonl`);
  if (existsSync(path) && (await stat(path)).size >= bytes) return path;
  await mkdir(dirname(path), { recursive: true });
  const source = fixture("0.169.0", "resumed");
  const lines = (await readFile(source.path, "utf8")).trimEnd().split("\n").map((line) => line.split(source.session_id).join(sessionId));
  const firstTurn = lines.findIndex((line) => line.includes('"type":"task_started"'));
  const head = lines.slice(0, firstTurn);
  const body = lines.slice(firstTurn);
  const out = createWriteStream(path);
  let written = 0;
  const write = async (text: string) => {
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, "drain");
  };
  await write(`${head.join("\n")}\n`);
  for (let copy = 0; written < bytes; copy++) {
    const chunk = body
      .map((line) => line.replace(/"(call_\d+|01a2[0-9a-f-]{32})"/g, (match, id: string) => (id === sessionId ? match : `"${id}-${copy}"`)))
      .join("\n");
    await write(`${chunk}\n`);
  }
  out.end();
  await once(out, "finish");
  return path;
}

/** A CODEX_HOME of `count` sessions (copies of every fixture with fresh ids), spread over 100 days. */
export async function makeHome(dir: string, count: number): Promise<string> {
  const marker = join(dir, `.made-${count}`);
  if (existsSync(marker)) return dir;
  const sources = await Promise.all(ALL_FIXTURES.map(async (entry) => ({ entry, text: await readFile(entry.path, "utf8") })));
  const base = Date.parse("2026-08-15T00:00:00Z");
  for (let i = 0; i < count; i++) {
    const { entry, text } = sources[i % sources.length] ?? (sources[0] as (typeof sources)[number]);
    const id = randomUUID();
    const when = new Date(base + i * 15 * 60 * 1000);
    const day = when.toISOString().slice(0, 10).split("-");
    const stamp = when.toISOString().slice(0, 19).replace(/:/g, "-");
    const path = join(dir, "sessions", day[0] ?? "", day[1] ?? "", day[2] ?? "", `rollout-${stamp}-${id}.jsonl`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text.split(entry.session_id).join(id));
    await utimes(path, when, when);
  }
  await writeFile(marker, "");
  return dir;
}
