// The "lines that cannot matter" filter is derived from the normalizer tables, and passing a line over by its
// first bytes never loses what the full parse would keep: checked over every type in the tables, over every
// line of the fixtures, and over the same lines written another way (keys reordered, spaces, other types).
import fc from "fast-check";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cannotMatter, cannotMatterBytes } from "../../src/sessions/line-filter.js";
import {
  EVENT_TYPES,
  LINE_TYPES,
  normalizeLine,
  RESPONSE_ITEM_TYPES,
  TURN_ITEM_TYPES,
} from "../../src/sessions/normalize.js";
import { edgeEvents, eventsBackward, newReadStats, readForward } from "../../src/sessions/rollout-reader.js";
import { FoldCache } from "../../src/sessions/fold-cache.js";
import type { SessionEvent } from "../../src/sessions/events.js";
import { ALL_FIXTURES, FIXTURES } from "../support/fixtures.js";

const T = "2026-11-23T20:49:13.197Z";
const envelope = (type: string, payload: object) => JSON.stringify({ timestamp: T, type, payload });

/** What the full parse makes of a line: its events and whether its type was unknown. */
function fullParse(line: string): { events: SessionEvent[] | undefined; unknown: number } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { events: undefined, unknown: 0 };
  }
  const issues = { badFieldLines: 0, unknownLines: 0 };
  return { events: normalizeLine(value, 1, issues), unknown: issues.unknownLines };
}

/** The property: a line passed over is one the full parse turns into no event, of a known type. */
function expectSafe(line: string): void {
  const byText = cannotMatter(line);
  const bytes = Buffer.from(line);
  const byBytes = cannotMatterBytes(bytes, 0, bytes.length);
  if (!byText && !byBytes) return;
  const { events, unknown } = fullParse(line);
  if (events === undefined) return; // not JSON or not a rollout line: nothing to keep
  expect({ line, events, unknown }).toEqual({ line, events: [], unknown: 0 });
}

let fixtureLines: string[] = [];
let home: string;

beforeAll(async () => {
  const shapes = (await readdir(join(FIXTURES, "shapes")))
    .filter((name) => name.endsWith(".jsonl"))
    .map((name) => join(FIXTURES, "shapes", name));
  const paths = [
    ...ALL_FIXTURES.map((entry) => entry.path).filter((path) => path.endsWith(".jsonl")),
    ...shapes,
    join(FIXTURES, "kept", "0.169.0-interrupted-late-item.jsonl"),
  ];
  fixtureLines = (await Promise.all(paths.map(async (path) => (await readFile(path, "utf8")).split("\n"))))
    .flat()
    .filter((line) => line.trim() !== "");
  home = await mkdtemp(join(tmpdir(), "ccm-line-filter-"));
});
afterAll(async () => rm(home, { recursive: true, force: true }));

describe("the filter is derived from the normalizer tables", () => {
  it("a line of every top-level type passes over exactly when its table entry is IGNORED", () => {
    for (const [type, entry] of Object.entries(LINE_TYPES)) {
      expect([type, cannotMatter(envelope(type, { a: 1 }))]).toEqual([type, entry === null]);
    }
  });

  it("an event of every event type passes over exactly when its table entry is IGNORED", () => {
    for (const [type, entry] of Object.entries(EVENT_TYPES)) {
      const line = envelope("event_msg", { type, turn_id: "t" });
      expect([type, cannotMatter(line)]).toEqual([type, entry === null]);
      if (entry === null) expect(fullParse(line)).toEqual({ events: [], unknown: 0 });
    }
  });

  it("a turn item of every type passes over exactly when its table entry is IGNORED", () => {
    for (const [type, entry] of Object.entries(TURN_ITEM_TYPES)) {
      const line = envelope("event_msg", {
        type: "item_completed",
        thread_id: "a",
        turn_id: "b",
        item: { type, id: "i" },
      });
      expect([type, cannotMatter(line)]).toEqual([type, entry === null]);
      if (entry === null) expect(fullParse(line)).toEqual({ events: [], unknown: 0 });
    }
  });

  it("an enveloped response item of every type passes over when IGNORED, never read enveloped, or a message not from the user", () => {
    for (const [type, entry] of Object.entries(RESPONSE_ITEM_TYPES)) {
      const passes = entry === null || entry.enveloped === "never";
      expect([type, cannotMatter(envelope("response_item", { type, call_id: "c" }))]).toEqual([type, passes]);
      if (entry?.enveloped === "user message only") {
        expect(cannotMatter(envelope("response_item", { type, role: "assistant", content: [] }))).toBe(true);
        expect(cannotMatter(envelope("response_item", { type, role: "user", content: [] }))).toBe(false);
        // the role after the content: not recognized by its first bytes, so parsed
        expect(cannotMatter(envelope("response_item", { type, content: [], role: "assistant" }))).toBe(false);
      }
    }
  });

  it("made-up types are parsed and counted as unknown, a made-up top-level type as skipped", async () => {
    const path = join(home, "unknown.jsonl");
    const lines = [
      envelope("session_meta", { id: "s1", timestamp: T }),
      envelope("event_msg", { type: "some_future_event", x: 1 }),
      envelope("event_msg", { type: "another_future_event" }),
      envelope("response_item", { type: "future_item", call_id: "c" }),
      envelope("event_msg", {
        type: "item_completed",
        thread_id: "a",
        turn_id: "b",
        item: { type: "FutureItem", id: "i" },
      }),
      envelope("some_future_line", { type: "x" }),
      envelope("event_msg", { type: "exec_command_begin", call_id: "c" }),
      envelope("event_msg", { type: "agent_message", message: "hi" }),
    ];
    for (const line of lines.slice(1, 6)) expect(cannotMatter(line)).toBe(false);
    await writeFile(path, `${lines.join("\n")}\n`);
    const stats = newReadStats();
    const kinds: string[] = [];
    await readForward(path, stats, (event) => void kinds.push(event.kind));
    expect(kinds).toEqual(["meta", "agent_message"]);
    expect(stats).toEqual({ lines: 8, skipped: 1, badFieldLines: 0, unknownLines: 4 });
    const folded = await new FoldCache().get(path);
    expect([folded.lines, folded.skipped, folded.unknownLines]).toEqual([8, 1, 4]);
  });
});

describe("passing a line over by its first bytes never loses what the full parse keeps", () => {
  it("every fixture line", () => {
    expect(fixtureLines.length).toBe(1273);
    for (const line of fixtureLines) expectSafe(line);
    // and the filter does pass lines over: enveloped reasoning, bookkeeping, ignored events (a review's end is read)
    expect(fixtureLines.filter((line) => cannotMatter(line)).length).toBe(179);
  });

  it("fixture lines written another way: keys reordered, spaces, another type, cut short", () => {
    const types = [
      ...Object.keys(LINE_TYPES).map((type) => ["line", type] as const),
      ...Object.keys(EVENT_TYPES).map((type) => ["event", type] as const),
      ...Object.keys(RESPONSE_ITEM_TYPES).map((type) => ["item", type] as const),
      ...Object.keys(TURN_ITEM_TYPES).map((type) => ["turn item", type] as const),
      ["line", "made_up"] as const,
      ["event", "made_up"] as const,
    ];
    const mutation = fc.record({
      index: fc.nat(),
      // half the lines keep Codex's own key order and no spaces: the form the filter recognizes
      shuffle: fc.option(fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), { nil: undefined, freq: 2 }),
      spaces: fc.boolean(),
      retype: fc.option(fc.constantFrom(...types), { nil: undefined }),
      role: fc.option(fc.constantFrom("user", "assistant", "developer"), { nil: undefined }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    });
    // the fixtures' deliberate garbage lines ("not json at all") are covered above; these are rewritten as JSON
    const jsonLines = fixtureLines.filter((line) => parsesAsObject(line));
    fc.assert(
      fc.property(mutation, ({ index, shuffle, spaces, retype, role, cut }) => {
        const original = jsonLines[index % jsonLines.length] ?? "";
        const value = JSON.parse(original) as Record<string, unknown>;
        const payload =
          typeof value.payload === "object" && value.payload !== null
            ? (value.payload as Record<string, unknown>)
            : value;
        if (retype?.[0] === "line") value.type = retype[1];
        if (retype?.[0] === "event")
          Object.assign(value, { type: "event_msg" }, { payload: { ...payload, type: retype[1] } });
        if (retype?.[0] === "item")
          Object.assign(value, { type: "response_item" }, { payload: { ...payload, type: retype[1] } });
        if (retype?.[0] === "turn item")
          Object.assign(value, {
            type: "event_msg",
            payload: { type: "item_completed", thread_id: "a", turn_id: "b", item: { ...payload, type: retype[1] } },
          });
        if (role !== undefined && typeof value.payload === "object" && value.payload !== null)
          (value.payload as Record<string, unknown>).role = role;
        let line = JSON.stringify(reorder(value, shuffle ?? []), null, spaces ? 1 : undefined).replace(/\n/g, " ");
        if (cut !== undefined) line = line.slice(0, cut % (line.length + 1));
        expectSafe(line);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("the reader", () => {
  it("reads every fixture to the same events and counts whether it passes lines over or parses them all", async () => {
    for (const entry of ALL_FIXTURES) {
      const fast = newReadStats();
      const full = newReadStats();
      const fastEvents: SessionEvent[] = [];
      const fullEvents: SessionEvent[] = [];
      await readForward(entry.path, fast, (event) => void fastEvents.push(event));
      await readForward(entry.path, full, (event) => void fullEvents.push(event), { passOver: false });
      expect(fastEvents).toEqual(fullEvents);
      expect({ ...fast, badFieldLines: 0 }).toEqual({ ...full, badFieldLines: 0 });
    }
  });
});

describe("the reader backwards and from the edges", () => {
  it("backwards: each line's events, last line first, the same events as forwards (line numbers unknown: 0)", async () => {
    for (const entry of ALL_FIXTURES) {
      const forward: SessionEvent[] = [];
      await readForward(entry.path, newReadStats(), (event) => void forward.push(event));
      const backward: SessionEvent[][] = [];
      for await (const { events } of eventsBackward(entry.path)) backward.push(events);
      const byLine = new Map<number, SessionEvent[]>();
      for (const event of forward) byLine.set(event.line, [...(byLine.get(event.line) ?? []), { ...event, line: 0 }]);
      expect(backward).toEqual([...byLine.values()].reverse());
    }
  });

  it("head and tail: the events of the whole lines within the bytes asked for", async () => {
    const path =
      ALL_FIXTURES.find((fixture) => fixture.version === "0.169.0" && fixture.scenario === "resumed")?.path ?? "";
    const all: SessionEvent[] = [];
    await readForward(path, newReadStats(), (event) => void all.push(event));
    const bytes = await readFile(path);
    const lineEnds = [...bytes.entries()].filter(([, byte]) => byte === 10).map(([offset]) => offset + 1);
    expect(await edgeEvents(path, "head", bytes.length)).toEqual({ events: all, whole: true });
    // the first 5 lines and half of the 6th: the 6th is left out
    const head = await edgeEvents(path, "head", (lineEnds[4] ?? 0) + 10);
    expect(head).toEqual({ events: all.filter((event) => event.line <= 5), whole: false });
    // half of the 5th line from the end, then the last 4: numbered from the first whole line
    const total = lineEnds.length;
    const tail = await edgeEvents(path, "tail", bytes.length - (lineEnds[total - 5] ?? 0) + 10);
    const expected = all
      .filter((event) => event.line > total - 4)
      .map((event) => ({ ...event, line: event.line - (total - 4) }));
    expect(tail).toEqual({ events: expected, whole: false });
    expect(expected.length).toBeGreaterThan(0);
  });
});

/** The same object with each level's keys rotated by the next number in `shifts` (key order mutation). */
function reorder(value: unknown, shifts: number[], depth = 0): unknown {
  if (Array.isArray(value)) return value.map((item) => reorder(item, shifts, depth + 1));
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  const shift = entries.length > 0 ? (shifts[depth] ?? 0) % entries.length : 0;
  const rotated = [...entries.slice(shift), ...entries.slice(0, shift)];
  return Object.fromEntries(rotated.map(([key, item]) => [key, reorder(item, shifts, depth + 1)]));
}

function parsesAsObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null;
  } catch {
    return false;
  }
}
