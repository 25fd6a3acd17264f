// Large, realistic inputs made from the real-CLI fixtures: rollouts of a given size (the turns of a real
// 0.169 or 0.63 session repeated, call and turn ids made unique per copy) and a CODEX_HOME of many sessions.
import { createHash } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { once } from "node:events";
import { ALL_FIXTURES, fixture } from "../test/support/fixtures.js";

/**
 * A rollout of about `bytes` bytes in the format of Codex `version`: the fixture's head once, then its turns
 * again and again (0.63 writes no turn ids and restarts no counter on a copy: each copy is a counter segment).
 */
export async function makeRollout(
  dir: string,
  bytes: number,
  sessionId = "01a20b00-0000-7000-8000-00000000be0c",
  version: "0.169.0" | "0.63.0" = "0.169.0",
): Promise<string> {
  const path = join(dir, "sessions", "2026", "11", "23", `rollout-2026-11-23T10-00-00-${sessionId}.jsonl`);
  if (existsSync(path) && (await stat(path)).size >= bytes) return path;
  await mkdir(dirname(path), { recursive: true });
  const source = fixture(version, "resumed");
  const lines = (await readFile(source.path, "utf8"))
    .trimEnd()
    .split("\n")
    .map((line) => line.split(source.session_id).join(sessionId));
  // 0.100+ open a turn with task_started; 0.63 right after its session_meta
  const firstTurn = Math.max(
    1,
    lines.findIndex((line) => line.includes('"type":"task_started"')),
  );
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
      .map((line) =>
        line.replace(/"(call_\d+|01a2[0-9a-f-]{32})"/g, (match, id: string) =>
          id === sessionId ? match : `"${id}-${copy}"`,
        ),
      )
      .join("\n");
    await write(`${chunk}\n`);
  }
  out.end();
  await once(out, "finish");
  return path;
}

/**
 * A CODEX_HOME of `count` sessions (copies of the small fixtures, < 10 KB each) ending on 2026-11-22, one
 * every 15 minutes (every 5 beyond 20,000 sessions: about a year). Ids are made as Codex makes them:
 * UUIDv7 of the start time for 0.39+, v4 for older CLIs; `sessionIdAt` gives the id of the i-th session.
 */
export async function makeHome(dir: string, count: number): Promise<string> {
  const marker = join(dir, `.made-${count}`);
  if (existsSync(marker)) return dir;
  const sources = await smallSources();
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < count; i++) {
    const { entry, text } = sources[i % sources.length] ?? (sources[0] as (typeof sources)[number]);
    const when = new Date(startOf(i, count));
    const id = sessionIdAt(i, count, sources);
    const day = when.toISOString().slice(0, 10).split("-");
    const stamp = when.toISOString().slice(0, 19).replace(/:/g, "-");
    const path = join(dir, "sessions", day[0] ?? "", day[1] ?? "", day[2] ?? "", `rollout-${stamp}-${id}.jsonl`);
    const write = (async () => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text.split(entry.session_id).join(id));
      await utimes(path, when, when);
    })();
    pending.add(write);
    void write.finally(() => pending.delete(write));
    if (pending.size >= 32) await Promise.race(pending);
  }
  await Promise.all(pending);
  await writeFile(marker, "");
  return dir;
}

const HOME_END = Date.parse("2026-11-22T00:00:00Z");

function startOf(i: number, count: number): number {
  const spacing = (count > 20_000 ? 5 : 15) * 60 * 1000;
  return HOME_END - (count - i) * spacing;
}

async function smallSources(): Promise<Array<{ entry: (typeof ALL_FIXTURES)[number]; text: string }>> {
  const all = await Promise.all(
    ALL_FIXTURES.map(async (entry) => ({ entry, text: await readFile(entry.path, "utf8") })),
  );
  return all.filter(({ entry, text }) => text.length < 10_000 && entry.path.endsWith(".jsonl"));
}

/** The id makeHome gives its i-th session, or the nearest after it of the kind asked (v7: 0.39+, v4: older CLIs). */
export async function homeSessionId(i: number, count: number, kind: "v4" | "v7"): Promise<string> {
  const sources = await smallSources();
  for (let at = i; at < count; at++) {
    const id = sessionIdAt(at, count, sources);
    if (id[14] === (kind === "v7" ? "7" : "4")) return id;
  }
  throw new Error(`no ${kind} session after ${i} of ${count}`);
}

function sessionIdAt(i: number, count: number, sources: Array<{ entry: (typeof ALL_FIXTURES)[number] }>): string {
  const version = sources[i % sources.length]?.entry.version ?? "0.169.0";
  const serial = i.toString(16).padStart(12, "0");
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major === 0 && minor < 39) {
    const hash = createHash("md5").update(String(i)).digest("hex");
    return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-4${hash.slice(13, 16)}-8${hash.slice(17, 20)}-${serial}`;
  }
  const time = startOf(i, count).toString(16).padStart(12, "0");
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7000-8000-${serial}`;
}
