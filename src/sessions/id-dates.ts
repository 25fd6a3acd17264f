// The date folders a time-ordered session id names (UUIDv7: its first 48 bits are the creation time in ms).

/**
 * The local dates a UUIDv7 id or id prefix can have been created on (its time ±1 day), or none when it
 * is not a plausible v7 (a v4 id, or a time outside 2025 – tomorrow).
 */
export function datesOfId(idOrPrefix: string, now = Date.now()): string[] {
  const hex = idOrPrefix.toLowerCase().replace(/-/g, "");
  if (!/^[0-9a-f]{8,}$/.test(hex)) return [];
  if (hex.length >= 13 && hex[12] !== "7") return [];
  const time = hex.slice(0, 12);
  const low = Number.parseInt(time.padEnd(12, "0"), 16);
  const high = Number.parseInt(time.padEnd(12, "f"), 16);
  const DAY = 86_400_000;
  if (low < Date.parse("2025-01-01T00:00:00Z") || high > now + DAY) return [];
  const dates = new Set<string>();
  for (let at = low - DAY; at <= high + DAY; at += DAY / 2) dates.add(localDate(at));
  dates.add(localDate(high + DAY));
  return [...dates].sort().reverse();
}

function localDate(ms: number): string {
  const date = new Date(ms);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}
