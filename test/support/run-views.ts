// What the run tools' tests read from a call: its run view, and a poll until the run's own state says so.
import { expect } from "vitest";
import type { RunView } from "../../src/runs/run-manager.js";
import { textOf, type Connected } from "./mcp.js";

/** The call's run view; a refusal fails the test with its text. */
export function viewOf(result: Awaited<ReturnType<Connected["call"]>>): RunView {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as RunView;
}

/** Asks `probe` every 100 ms until `done` says so (no clock decides: the published state does). */
export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
