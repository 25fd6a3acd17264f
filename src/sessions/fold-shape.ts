// Whether a restored fold has the shape of one this code makes. A saved fold is checksummed, not signed: a
// damaged one (a field of the wrong kind) made every answer on its log throw ("model.turns.slice(...).map is
// not a function") in every new server, for as long as the log kept the bytes it was saved at. The fold is
// compared with a fresh one, field by field, where the fresh one has a value: the same kind (a number, a string,
// an array, a Map, an instance of the same class...), recursively; the model's lists hold what they must.
import type { SessionFolder } from "./session-model.js";

/** The kind of what each of the model's lists holds. */
const LIST_ITEMS: Record<string, "object" | "string"> = {
  turns: "object",
  calls: "object",
  reasoning: "object",
  filesChanged: "string",
};
/**
 * Fields a fresh fold holds that folding may clear (a sub-agent's lines below its history marker, kept until the
 * marker is proven: lineage.ts): absent in a restored fold, they are what a fold that read on would have.
 */
const MAY_BE_CLEARED = new Set(["belowMarker"]);
/** Fields deeper than this are not compared (a fresh fold is shallow). */
const MAX_DEPTH = 4;

/** True when `restored` has the kinds `fresh` has, wherever `fresh` has a value. */
export function hasFoldShape(restored: SessionFolder, fresh: SessionFolder): boolean {
  if (!sameKinds(restored, fresh, 0)) return false;
  const model = restored.model as unknown as Record<string, unknown>;
  return Object.entries(LIST_ITEMS).every(([name, kind]) => {
    const list = model[name];
    return (
      Array.isArray(list) &&
      list.every((item) => (kind === "string" ? typeof item === "string" : typeof item === "object" && item !== null))
    );
  });
}

function sameKinds(restored: unknown, fresh: unknown, depth: number): boolean {
  if (fresh === undefined || fresh === null) return true;
  if (kindOf(restored) !== kindOf(fresh)) return false;
  if (typeof fresh !== "object" || Array.isArray(fresh) || fresh instanceof Map || fresh instanceof Set) return true;
  if (depth >= MAX_DEPTH) return true;
  const have = restored as Record<string, unknown>;
  return Object.entries(fresh).every(
    ([key, value]) => (MAY_BE_CLEARED.has(key) && have[key] === undefined) || sameKinds(have[key], value, depth + 1),
  );
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  if (Array.isArray(value)) return "array";
  return `object:${String(Object.getPrototypeOf(value)?.constructor?.name)}`;
}
