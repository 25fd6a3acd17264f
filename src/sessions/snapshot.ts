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

/**
 * Visits the walk may make before it gives up walking without a set of the objects seen (see encode): a
 * 200 MB log's fold has 280,000 objects and 330,000 references to them (calls are shared with their index).
 */
export const WALK_VISITS = 4_000_000;

export function encode(value: unknown, classes: readonly Restorable[], visits = WALK_VISITS): Buffer {
  // without a set of every object seen: that set was 16-19 MB of a first summary's peak on 200 MB, beside the
  // serializer's own map of them; an object reached twice is walked twice (marked twice if an instance: its
  // prototype is set twice), a cycle is cut at an ancestor, and a graph that shares so much that the walk
  // exceeds its visits (a diamond upon a diamond) is walked again with the set
  const marks = findInstances(value, classes, visits) ?? findInstances(value, classes, Infinity, new Set<object>());
  return serialize({ marks, value });
}

/** Marks of the class instances in `value`; undefined when the walk would visit more than `visits` objects. */
function findInstances(
  value: unknown,
  classes: readonly Restorable[],
  visits: number,
  seen?: Set<object>,
): Mark[] | undefined {
  const byPrototype = new Map(classes.map((cls) => [cls.prototype, cls.name]));
  const marks: Mark[] = [];
  // the path to the object walked, as two stacks: nothing is made per object walked (an array's index stays a
  // number until a mark names it)
  const kinds: Array<0 | 1> = [];
  const keys: unknown[] = [];
  /**
   * The objects from the root to the one walked: a reference to one of them is a cycle. A set, so that a deep
   * value (a log's nested JSON) costs no more per object than a shallow one.
   */
  const ancestors = new Set<object>();
  let left = visits;
  const step = (kind: 0 | 1, key: unknown, child: unknown): boolean => {
    if (typeof child !== "object" || child === null) return true;
    kinds.push(kind);
    keys.push(key);
    const done = walk(child);
    kinds.pop();
    keys.pop();
    return done;
  };
  const walk = (node: unknown): boolean => {
    if (typeof node !== "object" || node === null) return true;
    if (seen) {
      if (seen.has(node)) return true;
      seen.add(node);
    } else if (ancestors.has(node)) return true;
    if (--left < 0) return false;
    const prototype: unknown = Object.getPrototypeOf(node);
    if (!PLAIN.has(prototype)) {
      const className = byPrototype.get(prototype as object);
      if (className === undefined)
        throw new Error(`cannot snapshot an instance of ${(node as object).constructor?.name ?? "an unknown class"}`);
      marks.push({
        path: kinds.map((kind, at): Step => (kind === 0 ? [0, String(keys[at])] : [1, keys[at]])),
        className,
      });
    }
    ancestors.add(node);
    let done = true;
    if (node instanceof Map) {
      for (const [key, child] of node) if (!(done = step(1, key, child))) break;
    } else if (node instanceof Set) {
      for (const child of node)
        if (typeof child === "object" && child !== null) throw new Error("cannot snapshot objects inside a Set");
    } else if (Array.isArray(node)) {
      // a fold's arrays hold tens of thousands of turns and calls: by index, without a list of keys (an
      // array's own named properties, which no fold has, are not looked into)
      for (let index = 0; index < node.length; index++) if (!(done = step(0, index, node[index]))) break;
    } else {
      for (const key of Object.keys(node)) if (!(done = step(0, key, (node as Record<string, unknown>)[key]))) break;
    }
    ancestors.delete(node);
    return done;
  };
  return walk(value) ? marks : undefined;
}

export function decode(bytes: Buffer, classes: readonly Restorable[]): unknown {
  const { marks, value } = deserialize(bytes) as { marks: Mark[]; value: unknown };
  const byName = new Map(classes.map((cls) => [cls.name, cls.prototype]));
  if (!Array.isArray(marks)) throw new Error("snapshot without its marks");
  for (const { path, className } of marks as Array<Partial<Mark>>) {
    const prototype = typeof className === "string" ? byName.get(className) : undefined;
    if (!prototype) throw new Error(`snapshot names an unknown class ${String(className)}`);
    if (!Array.isArray(path)) throw new Error("snapshot mark without a path");
    let node: unknown = value;
    for (const step of path as unknown[]) node = stepInto(node, step);
    // only an object the snapshot itself holds, as it came out of the deserializer: a path through
    // `constructor`, `__proto__` or `prototype` would otherwise reach Array.prototype, String.prototype or a
    // builtin function, and a saved file (the state dir's, checksummed but not signed) could re-parent
    // every array of the process (`[] instanceof SessionFolder`). An instance shared is marked once per path.
    if (typeof node !== "object" || node === null) throw new Error("snapshot path leads nowhere");
    const now: unknown = Object.getPrototypeOf(node);
    if (now !== Object.prototype && now !== prototype) throw new Error("snapshot path leads to no object of its own");
    Object.setPrototypeOf(node, prototype);
  }
  return value;
}

/** One step of a mark's path: an own property of an object or array, or a Map's value; never inherited. */
function stepInto(node: unknown, step: unknown): unknown {
  if (!Array.isArray(step) || typeof node !== "object" || node === null) throw new Error("snapshot path leads nowhere");
  const [kind, key] = step as [unknown, unknown];
  if (kind === 1 && node instanceof Map && node.has(key)) return node.get(key);
  if (kind === 0 && typeof key === "string" && !(node instanceof Map) && Object.hasOwn(node, key)) {
    const own = Object.getOwnPropertyDescriptor(node, key);
    if (own !== undefined && "value" in own) return own.value as unknown;
  }
  throw new Error("snapshot path leads nowhere");
}
