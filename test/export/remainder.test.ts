// What no turn span carries (span-usage.ts remainderOf) is the session's usage less its turns', by the one
// subtraction the report uses (usage.ts subtractTokens), whose `total` and cache writes are taken only where
// the figures it subtracts from count them. Before, subtractTokens wrote a `total` into turn figures that have
// none (NaN), so remainderOf had a copy of its own.
import { describe, expect, it } from "vitest";
import { remainderOf } from "../../src/export/span-usage.js";
import { subtractTokens } from "../../src/sessions/index.js";

const turn = (input: number, writes?: number) => ({
  input,
  cached_input: 10,
  output: 5,
  reasoning_output: 1,
  ...(writes !== undefined && { cache_write_input: writes }),
});

describe("one subtraction for totals and turn figures", () => {
  it("takes `total` and cache writes only where the figures subtracted from count them", () => {
    const none = { cached_input: 0, output: 0, reasoning_output: 0 };
    expect(subtractTokens(turn(100, 40), turn(30))).toEqual({ input: 70, ...none, cache_write_input: 40 });
    expect(subtractTokens(turn(100), turn(30, 20))).toEqual({ input: 70, ...none });
    expect(subtractTokens({ ...turn(100, 40), total: 116 }, { ...turn(30, 15), total: 46 })).toEqual({
      input: 70,
      ...none,
      total: 70,
      cache_write_input: 25,
    });
  });

  it("leaves on the remainder span what the turns do not carry, without a total", () => {
    const session = {
      input: 300,
      cached_input: 30,
      output: 20,
      reasoning_output: 3,
      cache_write_input: 50,
      total: 320,
    };
    const perTurn = new Map([
      [1, turn(100, 20)],
      [2, turn(150)],
    ]);
    expect(remainderOf(session, [{ index: 1 }, { index: 2 }], perTurn)).toEqual({
      input: 50,
      cached_input: 10,
      output: 10,
      reasoning_output: 1,
      cache_write_input: 30,
    });
    expect(remainderOf(session, [{ index: 1 }, { index: 2 }, { index: 3 }], new Map([...perTurn, [3, turn(51)]]))).toBe(
      undefined,
    );
  });
});
