// A fork family trimmed to its counters (steipete/CodexBar's fork families: session_meta, one turn_context, the
// parent's copied counters, then its own), the shape whose only turn_context is in the copied history.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeHome } from "./report-homes.js";

export const PARENT = "0199acae-0000-7000-8000-0000000000c0";
export const CHILD = "0199acae-0000-7000-8000-0000000000c1";
const line = (timestamp: string, type: string, payload: object) => JSON.stringify({ timestamp, type, payload });
const tokens = (input: number, output: number) => ({
  input_tokens: input,
  cached_input_tokens: input / 2,
  output_tokens: output,
  reasoning_output_tokens: 0,
  total_tokens: input + output,
});
const counter = (at: string, [input, output]: number[], [lastIn, lastOut]: number[]) =>
  line(at, "event_msg", {
    type: "token_count",
    info: {
      total_token_usage: tokens(input as number, output as number),
      last_token_usage: tokens(lastIn as number, lastOut as number),
      model_context_window: 258400,
    },
    rate_limits: null,
  });

/** A session trimmed to its counters: its meta, one turn_context, the counters given. */
function trimmed(id: string, start: string, counters: string[], forkOf?: string): string {
  return [
    line(start, "session_meta", { id, timestamp: start, cwd: "/srv/proj", ...(forkOf && { forked_from_id: forkOf }) }),
    line(start, "turn_context", { cwd: "/srv/proj", model: "gpt-5.1-codex" }),
    ...counters,
  ].join("\n");
}

/** A parent and its fork, both trimmed to their counters: the fork's only turn_context is its copied one. */
export async function trimmedFamilyHome(): Promise<string> {
  const home = await makeHome();
  const dir = join(home, "sessions", "2026", "11", "10");
  await mkdir(dir, { recursive: true });
  const history = (at: string) => [
    counter(`${at}:01.000Z`, [1000, 10], [1000, 10]),
    counter(`${at}:02.000Z`, [2000, 20], [1000, 10]),
  ];
  const parent = trimmed(PARENT, "2026-11-10T10:00:00.000Z", history("2026-11-10T10:00"));
  const child = trimmed(
    CHILD,
    "2026-11-10T15:00:00.000Z",
    [...history("2026-11-10T15:00"), counter("2026-11-10T16:00:00.000Z", [2600, 30], [600, 10])],
    PARENT,
  );
  await writeFile(join(dir, `rollout-2026-11-10T10-00-00-${PARENT}.jsonl`), `${parent}\n`);
  await writeFile(join(dir, `rollout-2026-11-10T15-00-00-${CHILD}.jsonl`), `${child}\n`);
  return home;
}
