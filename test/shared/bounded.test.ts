import { describe, expect, it } from "vitest";
import { keepNewest } from "../../src/shared/bounded.js";

describe("keepNewest", () => {
  it("forgets the entries inserted first, down to the limit", () => {
    const map = new Map([
      ["a", 1],
      ["b", 2],
      ["c", 3],
      ["d", 4],
    ]);
    keepNewest(map, 2);
    expect([...map.keys()]).toEqual(["c", "d"]);
    const set = new Set(["a", "b", "c"]);
    keepNewest(set, 5);
    expect([...set]).toEqual(["a", "b", "c"]);
    keepNewest(set, 0);
    expect(set.size).toBe(0);
  });
});
