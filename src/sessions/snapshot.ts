// An object graph to bytes and back, class instances included. v8's structured clone keeps Maps, Sets,
// shared references and cycles, but not prototypes: the instances of the classes named by the caller are
// found and marked by their path, and get their prototype back when read. Fields are not listed anywhere,
// so a class that gains a field needs no change here. An instance of a class not named makes encode throw
// (a graph that could not be restored faithfully is not written).
import { deserialize, serialize } from "node:v8";

export interface Restorable {
  readonly name: string;
  readonly prototype: object;
}

/** A step from an object to what it holds: a property, or the value of a Map entry. */
type Step = [kind: 0, key: string] | [kind: 1, key: unknown];
type Mark = { path: Step[]; className: string };

const PLAIN = new Set<unknown>([Object.prototype, Array.prototype, Map.prototype, Set.prototype, Date.prototype, null]);

export function encode(value: unknown, classes: readonly Restorable[]): Buffer {
  const byPrototype = new Map(classes.map((cls) => [cls.prototype, cls.name]));
  const marks: Mark[] = [];
  const seen = new Set<object>();
  const path: Step[] = [];
  const walk = (node: unknown): void => {
    if (typeof node !== "object" || node === null || seen.has(node)) return;
    seen.add(node);
    const prototype: unknown = Object.getPrototypeOf(node);
    if (!PLAIN.has(prototype)) {
      const className = byPrototype.get(prototype as object);
      if (className === undefined)
        throw new Error(`cannot snapshot an instance of ${(node as object).constructor?.name ?? "an unknown class"}`);
      marks.push({ path: [...path], className });
    }
    if (node instanceof Map) {
      for (const [key, child] of node) {
        path.push([1, key]);
        walk(child);
        path.pop();
      }
    } else if (node instanceof Set) {
      for (const child of node)
        if (typeof child === "object" && child !== null) throw new Error("cannot snapshot objects inside a Set");
    } else if (Array.isArray(node)) {
      // a fold's arrays hold tens of thousands of turns and calls: by index, without a list of keys (an
      // array's own named properties, which no fold has, are not looked into)
      for (let index = 0; index < node.length; index++) {
        const child: unknown = node[index];
        if (typeof child !== "object" || child === null) continue;
        path.push([0, String(index)]);
        walk(child);
        path.pop();
      }
    } else {
      for (const key of Object.keys(node)) {
        const child = (node as Record<string, unknown>)[key];
        if (typeof child !== "object" || child === null) continue;
        path.push([0, key]);
        walk(child);
        path.pop();
      }
    }
  };
  walk(value);
  return serialize({ marks, value });
}

export function decode(bytes: Buffer, classes: readonly Restorable[]): unknown {
  const { marks, value } = deserialize(bytes) as { marks: Mark[]; value: unknown };
  const byName = new Map(classes.map((cls) => [cls.name, cls.prototype]));
  for (const { path, className } of marks) {
    const prototype = byName.get(className);
    if (!prototype) throw new Error(`snapshot names an unknown class ${className}`);
    let node: unknown = value;
    for (const [kind, key] of path)
      node = kind === 0 ? (node as Record<string, unknown>)[key] : (node as Map<unknown, unknown>).get(key);
    if (typeof node !== "object" || node === null) throw new Error("snapshot path leads nowhere");
    Object.setPrototypeOf(node, prototype);
  }
  return value;
}
