// The newest few of a folder of any size. `last` and a listing stated every log of a date folder at once
// (Promise.all over one lstat each) and sorted them all: a folder of 200,000 logs held 200,000 pending stats
// and their results, 0.9 GB and 20 s for `last`. The stats are now taken a chunk at a time, synchronously
// (the report's own finding: a stat through the thread pool costs ten times a synchronous one), and only the
// `keep` newest are kept, so what is held follows what was asked, not the number of logs.

/** At most `keep` items, the first ones in `order`; says whether any other was offered. */
export class NewestKept<T> {
  private readonly items: T[] = [];
  /** An item was left out: there are more than `keep`. */
  truncated = false;

  constructor(
    readonly keep: number,
    private readonly order: (a: T, b: T) => number,
  ) {}

  offer(item: T): void {
    const { items, order } = this;
    if (items.length >= this.keep) {
      this.truncated = true;
      const last = items[items.length - 1];
      if (last === undefined || order(item, last) >= 0) return;
      items.pop();
    }
    // binary insertion: after the items it does not come before (ties keep the offering order)
    let low = 0;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (order(item, items[middle] as T) < 0) high = middle;
      else low = middle + 1;
    }
    items.splice(low, 0, item);
  }

  /** The items kept, in `order`. */
  sorted(): readonly T[] {
    return this.items;
  }
}

/** Stats per chunk, between which a server's other requests get in. */
const CHUNK = 512;

/**
 * Calls `visit` with `stat(item)` of each item that has one, a chunk at a time, synchronously within a
 * chunk: nothing is pending but the chunk being stated, however many items there are.
 */
export async function eachStated<I, T>(
  items: readonly I[],
  stat: (item: I) => T | undefined,
  visit: (stated: T) => void,
): Promise<void> {
  for (let start = 0; start < items.length; start += CHUNK) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    const end = Math.min(start + CHUNK, items.length);
    for (let index = start; index < end; index++) {
      const stated = stat(items[index] as I);
      if (stated !== undefined) visit(stated);
    }
  }
}
