// Arrays as big as a folder: `target.push(...items)` passes each item as an argument, and a spread of about
// 125,000 overflows V8's stack ("Maximum call stack size exceeded"): a date folder of 130,000 logs made every
// listing, and `last`, fail.

/** Appends `items` to `target`, however many. */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
