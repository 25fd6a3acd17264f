// The saved fold's encoding (snapshot.ts): class instances get their prototype back wherever they are, and
// the walk that finds them, which keeps no set of the objects it has seen, still ends on cycles and on graphs
// that share objects many times over (where it walks again with the set).
import { describe, expect, it } from "vitest";
import { decode, encode } from "../../src/sessions/snapshot.js";

class Ledger {
  entries: number[] = [];
  total(): number {
    return this.entries.reduce((sum, entry) => sum + entry, 0);
  }
}
class Folder {
  ledger = new Ledger();
  items: Record<string, unknown>[] = [];
  byId = new Map<string, unknown>();
}
const CLASSES = [Folder, Ledger];

function roundTrip<T>(value: T, visits?: number): T {
  return decode(encode(value, CLASSES, visits), CLASSES) as T;
}

describe("snapshot", () => {
  it("gives every instance its prototype back: at the root, in objects, arrays and Map values, shared or not", () => {
    const folder = new Folder();
    folder.ledger.entries.push(2, 3);
    const shared = new Ledger();
    shared.entries.push(5);
    for (let index = 0; index < 50; index++) {
      const item = { id: `call-${index}`, ledger: index % 10 === 0 ? shared : undefined };
      folder.items.push(item);
      folder.byId.set(item.id, item);
    }
    folder.byId.set("own", new Ledger());
    const back = roundTrip(folder);
    expect(back).toBeInstanceOf(Folder);
    expect(back.ledger.total()).toBe(5);
    expect((back.items[10]?.ledger as Ledger).total()).toBe(5);
    // shared references stay shared
    expect(back.items[10]?.ledger).toBe(back.items[20]?.ledger);
    expect(back.byId.get("call-7")).toBe(back.items[7]);
    expect(back.byId.get("own")).toBeInstanceOf(Ledger);
  });

  it("ends on cycles, through plain objects, arrays, Maps and instances", () => {
    const folder = new Folder();
    const item: Record<string, unknown> = { id: "a" };
    item.self = item;
    item.up = folder;
    item.list = [item, folder.ledger];
    folder.items.push(item);
    folder.byId.set("a", item);
    folder.byId.set("map", folder.byId);
    (folder.ledger as unknown as Record<string, unknown>).owner = folder;
    const back = roundTrip(folder);
    expect(back.items[0]?.self).toBe(back.items[0]);
    expect(back.items[0]?.up).toBe(back);
    expect(back.byId.get("map")).toBe(back.byId);
    expect((back.items[0]?.list as unknown[])[1]).toBeInstanceOf(Ledger);
    expect((back.ledger as unknown as Record<string, unknown>).owner).toBe(back);
  });

  it("a graph that shares objects beyond the walk's visits (2^40 paths) is walked again with a set", () => {
    // each level holds the next one twice: without a set of what was seen, a walk would take 2^40 steps
    let level: Record<string, unknown> = { ledger: new Ledger() };
    for (let depth = 0; depth < 40; depth++) level = { left: level, right: level };
    const folder = new Folder();
    folder.items.push(level);
    const back = roundTrip(folder, 1_000);
    let node = back.items[0] as Record<string, unknown>;
    for (let depth = 0; depth < 40; depth++) {
      expect(node.left).toBe(node.right);
      node = node.left as Record<string, unknown>;
    }
    expect(node.ledger).toBeInstanceOf(Ledger);
    expect((node.ledger as Ledger).total()).toBe(0);
  });

  it("refuses what it could not restore faithfully: an unknown class, objects inside a Set", () => {
    class Other {}
    expect(() => encode({ deep: [{ other: new Other() }] }, CLASSES)).toThrow("cannot snapshot an instance of Other");
    expect(() => encode({ set: new Set([{}]) }, CLASSES)).toThrow("cannot snapshot objects inside a Set");
    expect(roundTrip({ set: new Set([1, "two"]) }).set).toEqual(new Set([1, "two"]));
  });
});
