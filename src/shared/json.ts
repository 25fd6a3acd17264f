// JSON read defensively: log lines, tool outputs and state files may hold anything.
//
// V8's JSON.parse nests without limit, but what handles a value afterwards recurses (JSON.stringify,
// structured clone, our own walkers) and overflows the stack beyond a few thousand levels: text nested
// deeper than JSON_LIMITS.depth is not parsed at all (read as not JSON).

/** Internal: tests raise it to show what the bound prevents. */
export const JSON_LIMITS = { depth: 512 };

export function tryParseJson(text: string): unknown {
  if (!nestsWithin(text, JSON_LIMITS.depth)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when the brackets of `text` (outside strings) nest at most `limit` deep. */
export function nestsWithin(text: string, limit: number): boolean {
  // a text with fewer opening brackets than the limit cannot nest deeper (indexOf is a fast byte search)
  if (countUpTo(text, "{", limit) + countUpTo(text, "[", limit) <= limit) return true;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c)
        i += 1; // backslash: the next character is escaped
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      if (++depth > limit) return false;
    } else if (code === 0x7d || code === 0x5d) depth -= 1;
  }
  return true;
}

function countUpTo(text: string, char: string, limit: number): number {
  let count = 0;
  for (let at = text.indexOf(char); at !== -1 && count <= limit; at = text.indexOf(char, at + 1)) count += 1;
  return count;
}
