// Codex 0.171 refuses a config with a key of more than 80 parts (a dotted key, a `[header]` or `[[header]]`, a key
// in an inline table: "…config.toml:1:1: recursion limit", checked with the CLI: 80 parts start, 81 refuse; a
// header of 40 parts holding a dotted key of 41 starts). smol-toml counts no key parts, and a 400k-part key
// nests the parsed table 400k deep, past what any walker of it can recurse. Both here are loops, no recursion.
import type { Table } from "./codex-config-files.js";

/** The most parts a key of Codex 0.171's config may have. */
export const MAX_KEY_PARTS = 80;

/** How deep a parsed table nests (tables and arrays; the top table is 0), counted by a loop. */
export function tableDepth(table: Table): number {
  let deepest = 0;
  const todo: [unknown, number][] = [[table, 0]];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    const [value, depth] = next;
    if (depth > deepest) deepest = depth;
    if (typeof value !== "object" || value === null || value instanceof Date) continue;
    for (const child of Object.values(value)) if (typeof child === "object") todo.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * The line of the first key of more than MAX_KEY_PARTS parts in a text smol-toml has read as TOML, or undefined.
 * A scan, not a parser: it relies on the text being TOML (strings closed, brackets paired).
 */
export function longKeyLine(text: string): number | undefined {
  let at = 0;
  let line = 1;
  // the open arrays ("[") and inline tables ("{") of the value being read
  const open: string[] = [];
  let keyNext = true;
  while (at < text.length) {
    const c = text[at] as string;
    if (c === "\n") {
      line++;
      at++;
      if (open.length === 0) keyNext = true;
    } else if (c === " " || c === "\t" || c === "\r") at++;
    else if (c === "#") at = endOfLine(text, at);
    else if (keyNext && c !== "}") {
      // a table header's brackets (only at the top: a value's "[" is an array)
      if (open.length === 0 && c === "[") at += text[at + 1] === "[" ? 2 : 1;
      const key = keyParts(text, at);
      if (key.parts > MAX_KEY_PARTS) return line;
      at = key.end;
      keyNext = false;
    } else if (c === '"' || c === "'") {
      const end = stringEnd(text, at);
      for (let i = at; i < end; i++) if (text[i] === "\n") line++;
      at = end;
    } else {
      if (c === "[" || c === "{") open.push(c);
      else if (c === "]" || c === "}") open.pop();
      keyNext = c === "{" || (c === "," && open.at(-1) === "{");
      at++;
    }
  }
  return undefined;
}

function endOfLine(text: string, at: number): number {
  const end = text.indexOf("\n", at);
  return end < 0 ? text.length : end;
}

/** A key's parts (bare, "basic", 'literal', joined by dots with blanks around) from `at`, and where it ends. */
function keyParts(text: string, at: number): { parts: number; end: number } {
  let parts = 0;
  for (;;) {
    while (text[at] === " " || text[at] === "\t") at++;
    const c = text[at];
    if (c === '"' || c === "'") at = stringEnd(text, at);
    else while (at < text.length && /[A-Za-z0-9_-]/.test(text[at] as string)) at++;
    parts++;
    while (text[at] === " " || text[at] === "\t") at++;
    if (text[at] !== ".") return { parts, end: at };
    at++;
  }
}

/** Where the string starting at `at` ends (after its closing quotes): basic, literal, and their multi-line forms. */
function stringEnd(text: string, at: number): number {
  const quote = text[at] as string;
  const triple = text.startsWith(quote.repeat(3), at);
  let i = at + (triple ? 3 : 1);
  while (i < text.length) {
    if (quote === '"' && text[i] === "\\") i += 2;
    else if (triple ? text.startsWith(quote.repeat(3), i) : text[i] === quote) {
      i += triple ? 3 : 1;
      // a multi-line string may end with one or two of its quotes before the closing three
      if (triple) for (let extra = 0; extra < 2 && text[i] === quote; extra++) i++;
      return i;
    } else i++;
  }
  return text.length;
}
