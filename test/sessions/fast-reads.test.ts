// The two byte readers of first answers (docs/performance.md, "First answers") answer exactly what the
// full reading answers, or not at all:
// - a token counter line read from a template (rollout-counters.ts) is the value JSON.parse gives, for
//   every counter line of the fixtures and hostile variants of them (other numbers, escapes, marker text,
//   bad UTF-8, torn and overlong lines);
// - a line's types read from its bytes (line-filter.ts lineClassBytes) are what the regexes read from its
//   head, over the fixtures and generated lines around every length bound;
// - answers made with both readers on equal those made with both off, on the fixtures and on generated logs
//   of both formats the bench makes;
// - reading ahead (rollout-lines.ts ReadAhead) gives the file's bytes for any sequence of reads.
import fc from "fast-check";
import { mkdtemp, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cannotMatter,
  cannotMatterPrefix,
  FAST_HEADS,
  lineClassBytes,
  lineHead,
  PREFIX_BYTES,
} from "../../src/sessions/line-filter.js";
import { CounterLines, FAST_READS } from "../../src/sessions/rollout-counters.js";
import { CHUNK, ReadAhead } from "../../src/sessions/rollout-lines.js";
import { makeRollout } from "../../bench/inputs.js";
import { ALL_FIXTURES, FIXTURE_HOME, FIXTURES } from "../support/fixtures.js";
import { everyAnswer } from "../support/answers.js";

let fixtureLines: string[] = [];
let counterLines: string[] = [];

beforeAll(async () => {
  const shapes = (await readdir(join(FIXTURES, "shapes")))
    .filter((name) => name.endsWith(".jsonl"))
    .map((name) => join(FIXTURES, "shapes", name));
  const paths = [...ALL_FIXTURES.map((entry) => entry.path).filter((path) => path.endsWith(".jsonl")), ...shapes];
  fixtureLines = [
    ...new Set(
      (await Promise.all(paths.map(async (path) => (await readFile(path, "utf8")).split("\n"))))
        .flat()
        .filter((line) => line.trim() !== ""),
    ),
  ];
  counterLines = fixtureLines.filter(
    (line) => line.includes('"type":"token_count"') || line.includes('"type":"token_usage_record"'),
  );
});

/** JSON.parse of the bytes as the reader decodes them; undefined when it throws. */
function parsed(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** A reader that learnt `template`, asked about `line`: its value must be JSON.parse's, or none. */
function readAfter(template: Buffer, line: Buffer): { fast: unknown; full: unknown } {
  const reader = new CounterLines();
  reader.learn(template, 0, template.length, parsed(template));
  const fast = reader.read(line, 0, line.length);
  // a copy: the reader's value is rewritten by its next line
  return { fast: fast === undefined ? undefined : structuredClone(fast), full: parsed(line) };
}

function expectSameOrNone(template: Buffer, line: Buffer): boolean {
  const { fast, full } = readAfter(template, line);
  if (fast === undefined) return false;
  expect({ line: line.toString("latin1"), value: fast }).toEqual({ line: line.toString("latin1"), value: full });
  return true;
}

describe("counter lines read from a template", () => {
  it("the fixtures have counter lines of every generation, and each is read back as JSON.parse reads it", () => {
    expect(counterLines.length).toBeGreaterThan(50);
    for (const line of counterLines) {
      const bytes = Buffer.from(line);
      const value = parsed(bytes);
      if (value === undefined) continue;
      // itself, and itself with every number changed
      expect(expectSameOrNone(bytes, bytes)).toBe(true);
      const renumbered = Buffer.from(
        line.replace(/(?<=[:,[])(\d+)(?=[,}\]])/g, (digits) => String(Number(digits) + 7)),
      );
      expect(expectSameOrNone(bytes, renumbered)).toBe(true);
    }
  });

  it("other values of a slot: any JSON number, any plain string; anything else is not read", () => {
    const line = counterLines.find((text) => text.includes('"total_tokens":')) ?? "";
    const template = Buffer.from(line);
    let read = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }).map(String),
          fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
          fc.constantFrom(
            "01",
            "-0",
            "1e400",
            "-1",
            "1.",
            ".5",
            "1e",
            "1E+5",
            "0x10",
            "1_000",
            "",
            "+1",
            "12345678901234567890",
          ),
        ),
        fc.string({ maxLength: 40 }),
        (number, text) => {
          const changed = line
            .replace(/"total_tokens":\d+/, `"total_tokens":${number}`)
            .replace(/"timestamp":"[^"]*"/, `"timestamp":"${text}"`);
          if (expectSameOrNone(template, Buffer.from(changed))) read += 1;
        },
      ),
      { numRuns: 400 },
    );
    expect(read).toBeGreaterThan(50);
  });

  it("hostile variants: escapes, marker text in strings, bad UTF-8, torn and overlong lines", () => {
    const hostile = (line: string): Buffer[] => {
      const bytes = Buffer.from(line);
      return [
        Buffer.from(line.replace(/"timestamp":"/, '"timestamp":"\\"')),
        Buffer.from(line.replace(/"timestamp":"/, '"timestamp":"\\u0041')),
        Buffer.from(line.replace(/"timestamp":"[^"]*"/, '"timestamp":"\\",\\"type\\":\\"token_count\\""')),
        Buffer.from(line.replace(/"timestamp":"[^"]*"/, '"timestamp":"","total_tokens":1')),
        Buffer.concat([Buffer.from(line.slice(0, 20)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(line.slice(23))]),
        Buffer.from(line.replace(/"total_tokens":\d+/, `"total_tokens":${"9".repeat(400)}`)),
        Buffer.from(line.replace(/"total_tokens":\d+/, '"total_tokens":"12"')),
        Buffer.from(line.replace(/"total_tokens":\d+/, '"total_tokens":null')),
        Buffer.from(line.replace(/"total_tokens":\d+/, '"total_tokens":[1]')),
        Buffer.from(line.replace('"input_tokens"', '"inpux_tokens"')),
        Buffer.from(line.replace('"input_tokens"', '"__proto__"')),
        Buffer.from(line.replace('{"timestamp"', '{ "timestamp"')),
        Buffer.from(`${line}x`),
        Buffer.from(`${line}}`),
        Buffer.from(`${line} `),
        Buffer.from(`${line}${" ".repeat(5000)}`),
        bytes.subarray(0, bytes.length - 1),
        bytes.subarray(0, Math.floor(bytes.length / 2)),
        bytes.subarray(1),
      ];
    };
    for (const line of counterLines) {
      const template = Buffer.from(line);
      for (const variant of hostile(line)) expectSameOrNone(template, variant);
    }
  });

  it("random byte changes: the value read is JSON.parse's, or none", () => {
    const samples = counterLines.filter((_, index) => index % 5 === 0);
    let read = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 3 }),
        (line, changes) => {
          const bytes = Buffer.from(line);
          for (const [at, byte, digitForDigit] of changes) {
            const index = at % bytes.length;
            const old = bytes[index] ?? 0;
            // half the changes keep a digit a digit (a leading zero among them: not JSON, never read)
            bytes[index] = digitForDigit && old >= 0x30 && old <= 0x39 ? 0x30 + (byte % 10) : byte;
          }
          if (expectSameOrNone(Buffer.from(line), bytes)) read += 1;
        },
      ),
      { numRuns: 2000 },
    );
    // digits changed into digits are still read (the test exercises the reader, not only its refusals)
    expect(read).toBeGreaterThan(20);
  });

  it("no other kind of line becomes a template", () => {
    const reader = new CounterLines();
    for (const line of fixtureLines) {
      const bytes = Buffer.from(line);
      if (counterLines.includes(line)) continue;
      reader.learn(bytes, 0, bytes.length, parsed(bytes));
      expect(reader.read(bytes, 0, bytes.length)).toBeUndefined();
    }
  });
});

/** The byte reader against the regexes, as turn-scan.ts and cannotMatterBytes use each; how many of the two answered. */
function expectSameClass(line: Buffer): number {
  let answered = 0;
  // the turn scan: 600 bytes where the payload's type (item_completed, message) ends in the first 200
  const short = line.toString("latin1", 0, Math.min(line.length, 200));
  const long = /"payload":\{"type":"(?:item_completed|message)"/.test(short);
  const scanHead = long ? line.toString("latin1", 0, Math.min(line.length, 600)) : short;
  const scan = lineClassBytes(line, 0, line.length, 600, 200);
  if (scan !== undefined) {
    answered += 1;
    const { passed, ...head } = scan;
    expect({ line: scanHead, head, passed }).toEqual({
      line: scanHead,
      head: lineHead(scanHead),
      passed: cannotMatter(scanHead),
    });
  }
  // the readers' pass-over test: the first PREFIX_BYTES
  const filter = lineClassBytes(line, 0, line.length, PREFIX_BYTES);
  if (filter !== undefined) {
    answered += 1;
    const prefix = line.toString("latin1", 0, Math.min(line.length, PREFIX_BYTES));
    const { passed, ...head } = filter;
    expect({ line: prefix, head, passed }).toEqual({
      line: prefix,
      head: lineHead(prefix),
      passed: cannotMatterPrefix(prefix),
    });
  }
  return answered;
}

describe("line types read from bytes", () => {
  it("equal the regexes' on every fixture line, and answer for nearly all of them", () => {
    let answered = 0;
    for (const line of fixtureLines) answered += expectSameClass(Buffer.from(line)) > 0 ? 1 : 0;
    expect(answered).toBeGreaterThan(fixtureLines.length * 0.9);
  });

  it("equal the regexes' on every prefix of a line of each kind (the head bounds)", () => {
    const kinds = [
      '"type":"event_msg","payload":{"type":"item_completed","thread_id":"t","turn_id":"u","item":{"type":"CommandExecution"',
      '"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context>',
      '"type":"response_item","payload":{"type":"message","id":"m","role":"assistant"',
      '"type":"event_msg","payload":{"type":"token_count"',
    ];
    for (const kind of kinds) {
      const line = Buffer.from(`{"timestamp":"2026-11-23T20:49:13.197Z",${kind}}}`);
      for (let end = 1; end <= line.length; end++) expectSameClass(line.subarray(0, end));
    }
  });

  it("equal the regexes' on generated lines around every length bound", () => {
    const name = fc.constantFrom(
      "event_msg",
      "response_item",
      "session_meta",
      "turn_context",
      "compacted",
      "token_usage_record",
      "Event_msg",
      "x",
    );
    const payloadType = fc.constantFrom(
      "item_completed",
      "message",
      "token_count",
      "agent_reasoning",
      "function_call",
      "reasoning",
      "user_message",
      "task_started",
      "AgentMessage",
      "ghost_snapshot",
    );
    const run = (max: number) => fc.nat({ max }).map((length) => "a".repeat(length));
    let answered = 0;
    fc.assert(
      fc.property(
        fc.record({
          timestamp: run(44),
          ordinal: fc.option(fc.nat({ max: 300 }).map((length) => "7".repeat(length))),
          lineType: name,
          payloadType,
          id: fc.option(run(104)),
          role: fc.constantFrom("user", "assistant", "developer", "User", ""),
          thread: fc.option(run(104)),
          turn: fc.option(run(104)),
          item: fc.constantFrom("CommandExecution", "AgentMessage", "Reasoning", "UserMessage", "x1"),
          text: fc.constantFrom("<environment_context>", "# AGENTS.md instructions", "hello", "<turn_aborted", ""),
          pad: run(300),
        }),
        (parts) => {
          const ordinal = parts.ordinal === null ? "" : `"ordinal":${parts.ordinal},`;
          const message = `${parts.id === null ? "" : `"id":"${parts.id}",`}"role":"${parts.role}","content":[{"type":"input_text","text":"${parts.text}"}]`;
          const item = `${parts.thread === null ? "" : `"thread_id":"${parts.thread}",`}${parts.turn === null ? "" : `"turn_id":"${parts.turn}",`}"item":{"type":"${parts.item}"}`;
          const rest =
            parts.payloadType === "message"
              ? message
              : parts.payloadType === "item_completed"
                ? item
                : `"x":"${parts.pad}"`;
          const line = `{"timestamp":"${parts.timestamp}",${ordinal}"type":"${parts.lineType}","payload":{"type":"${parts.payloadType}",${rest},"pad":"${parts.pad}"}}`;
          answered += expectSameClass(Buffer.from(line));
        },
      ),
      { numRuns: 3000 },
    );
    expect(answered).toBeGreaterThan(1000);
  });
});

describe("answers with the byte readers equal those without", () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "ccm-fast-reads-"));
    await makeRollout(home, 3 * 1024 * 1024, "01a20b00-0000-7000-8000-0000000000f1");
    await makeRollout(home, 3 * 1024 * 1024, "01a20b00-0000-7000-8000-0000000000f2", "0.63.0");
  });
  afterAll(async () => {
    FAST_READS.counters = true;
    FAST_HEADS.bytes = true;
    await rm(home, { recursive: true, force: true });
  });

  function answers(codexHome: string, ids: string[], fast: boolean): Promise<unknown[]> {
    FAST_READS.counters = fast;
    FAST_HEADS.bytes = fast;
    // quickFromBytes 0: calls and usage are answered by the turn scan, the summary by the fold
    return everyAnswer(codexHome, ids, 0);
  }

  it("on every fixture", async () => {
    const ids = ALL_FIXTURES.map((entry) => entry.session_id);
    expect(await answers(FIXTURE_HOME, ids, true)).toEqual(await answers(FIXTURE_HOME, ids, false));
  });

  it("on generated logs of the 0.169 and 0.63 formats", async () => {
    const ids = ["01a20b00-0000-7000-8000-0000000000f1", "01a20b00-0000-7000-8000-0000000000f2"];
    const fast = await answers(home, ids, true);
    expect(fast).toEqual(await answers(home, ids, false));
    expect(JSON.stringify(fast)).toContain('"reasoning_output"');
  });
});

describe("reading ahead", () => {
  it("gives the file's bytes for any sequence of reads: in order, skipping, going back, longer than a chunk", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-read-ahead-"));
    try {
      const path = join(dir, "bytes");
      const content = Buffer.alloc(3 * CHUNK + 12_345);
      for (let i = 0; i < content.length; i++) content[i] = (i * 7 + (i >> 11)) & 0xff;
      await writeFile(path, content);
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              jump: fc.constantFrom(0, 0, 0, -100, 4096, -CHUNK),
              length: fc.constantFrom(1, 100, CHUNK, CHUNK + 7, 2 * CHUNK),
            }),
            { minLength: 1, maxLength: 8 },
          ),
          async (reads) => {
            const handle = await open(path, "r");
            const reader = new ReadAhead(handle, content.length);
            try {
              let position = 0;
              for (const { jump, length } of reads) {
                position = Math.max(0, Math.min(content.length, position + jump));
                const target = Buffer.alloc(length + 3);
                const wanted = Math.min(length, content.length - position);
                const got = await reader.read(target, 3, wanted, position);
                expect(got).toBe(wanted);
                expect(target.subarray(3, 3 + got).equals(content.subarray(position, position + got))).toBe(true);
                position += got;
              }
            } finally {
              await reader.settle();
              await handle.close();
            }
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
