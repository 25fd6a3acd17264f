// Caches kept in a Map or Set by insertion order: the oldest entries go first.

/** Forgets the oldest entries of `collection` until it holds at most `limit`. */
export function keepNewest(collection: Map<unknown, unknown> | Set<unknown>, limit: number): void {
  for (const oldest of collection.keys()) {
    if (collection.size <= limit) return;
    collection.delete(oldest);
  }
}
