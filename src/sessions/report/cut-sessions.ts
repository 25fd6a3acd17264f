// The sessions a report's since/until falls inside: split at the bound from facts kept per version of their
// log (digest.ts CutFacts), so a host polling `since: 1h` does not read and fold them again on every report.
import type { DiagnosisCategory } from "../diagnosis-categories.js";
import type { RolloutFile } from "../locate.js";
import type { SessionStore } from "../store.js";
import { cutDigest, cutFactsOf, digestOf, MAX_FACT_TURNS, type SessionDigest } from "./digest.js";
import type { SavedDigest } from "./digest-files.js";

const FACTS_KEPT = 1_000;
const FACT_TURNS_KEPT = 50_000;

/**
 * The facts of the sessions a report's bounds fell inside (digest.ts CutFacts), kept on their digest entry
 * (a version of the file: a changed log has a new entry, without them) and saved with it in the state dir:
 * a host polling `since: 1h` moves the bound every call, and the sessions it cuts are split again from
 * these without their logs being read or folded, by a server and by the next one-shot report alike. A
 * server holds at most FACTS_KEPT sessions' and FACT_TURNS_KEPT turns' facts in memory, the least recently
 * used dropped first (from their entries too: they are made again, or loaded with the day, when needed).
 * Never one the current report used: a report that cuts more sessions than the bounds hold would otherwise
 * drop each before the next report asks for it again (a cycle through a least-recently-used list), and
 * every report make all of them anew. The facts kept stay, and only the sessions beyond them are made again.
 */
export class KeptFacts {
  /** Each entry holding facts, the least recently used first, with the report that last used it. */
  private readonly byPath = new Map<string, { entry: SavedDigest; report: number }>();
  private turns = 0;
  private report = 0;

  constructor(
    private readonly maxSessions = FACTS_KEPT,
    private readonly maxTurns = FACT_TURNS_KEPT,
  ) {}

  /** A report begins: the facts it uses are not dropped for one another. */
  startReport(): void {
    this.report += 1;
  }

  /** `entry` now holds facts: counted, and the oldest not used by this report dropped beyond the bounds. */
  use(path: string, entry: SavedDigest): void {
    const before = this.byPath.get(path);
    if (before) {
      this.byPath.delete(path);
      this.turns -= turnsOf(before.entry);
      if (before.entry !== entry) delete before.entry.facts;
    }
    this.byPath.set(path, { entry, report: this.report });
    this.turns += turnsOf(entry);
    for (const [oldest, dropped] of this.byPath) {
      if (this.turns <= this.maxTurns && this.byPath.size <= this.maxSessions) break;
      // every one kept was used by this report: the newest is not kept, rather than one it will ask for again
      const drop = dropped.report === this.report ? path : oldest;
      const gone = drop === oldest ? dropped : this.byPath.get(drop);
      this.byPath.delete(drop);
      this.turns -= gone ? turnsOf(gone.entry) : 0;
      if (gone) delete gone.entry.facts;
      if (drop === path) break;
    }
  }

  /** The sessions whose facts are held. */
  get size(): number {
    return this.byPath.size;
  }
}
const turnsOf = (entry: SavedDigest): number => entry.facts?.turns.turns.length ?? 0;
export const keptFacts = new WeakMap<SessionStore, KeptFacts>();

/**
 * A session a bound falls inside, split there: from the facts its entry holds (made on the first report
 * that cut this version of it, in this process or an earlier one), else from its log, read once more to
 * make them. `added`: facts were put on the entry and stay there (its day is saved again).
 */
export async function cutOf(
  file: RolloutFile,
  entry: SavedDigest,
  cuts: number[],
  kept: KeptFacts | undefined,
  keepable: boolean,
): Promise<{ digest: SessionDigest; added: boolean }> {
  // facts cost more to make than one split (a diagnosis at every turn): made only where they are kept
  if (entry.digest.turns > MAX_FACT_TURNS || (!keepable && !entry.facts))
    return { digest: await digestOf(file, cuts), added: false };
  let added = false;
  if (!entry.facts) {
    const facts = await cutFactsOf(file);
    // kept for this entry only when read from the bytes it was made of (a log appended to meanwhile is
    // digested anew by the next report, and its facts made then)
    const same = facts?.digest.turns === entry.digest.turns && facts.digest.lastEventAt === entry.digest.lastEventAt;
    if (!facts || !same) return { digest: (facts && cutDigest(facts, cuts)) ?? (await digestOf(file, cuts)), added };
    // the entry's digest is the whole session's (the same bytes): saved once, not twice
    entry.facts = { ...facts, digest: entry.digest };
    added = true;
  }
  // split before they are kept: a report past the bounds does not keep the newest (KeptFacts.use)
  const digest = cutDigest(entry.facts, cuts) ?? (await digestOf(file, cuts));
  kept?.use(file.path, entry);
  // facts dropped at once (every one kept was used by this report) leave the saved day as it was
  return { digest, added: added && entry.facts !== undefined };
}

/**
 * The diagnosis category a session had when each of its turns after the first began (the log folded up to
 * that turn's first event and diagnosed: what a report whose range ends there counts, DayPart.ended), by the
 * index of the turn before it. Empty for a session of more than MAX_FACT_TURNS turns.
 */
export async function turnEnds(file: RolloutFile): Promise<Map<number, DiagnosisCategory>> {
  const ends = new Map<number, DiagnosisCategory>();
  const facts = await cutFactsOf(file);
  if (!facts) return ends;
  const turns = facts.turns.turns;
  for (let i = 0; i + 1 < turns.length; i++) {
    const start = Date.parse(turns[i + 1]?.startedAt ?? "");
    const end = Number.isFinite(start) ? facts.ends.get(start) : undefined;
    if (end !== undefined) ends.set((turns[i] as (typeof turns)[number]).index, (end ?? facts.digest).category);
  }
  return ends;
}

/**
 * The report's bounds that fall inside the session (after its start, at or before its last event), when
 * there are: its turns on either side of one are counted apart (digest.ts digestOf's cuts). Compared as ISO
 * text (digest.ts validTime: UTC, milliseconds): a session wholly inside or outside the range (most) costs a
 * string comparison or two. A session without a start or a last event is tested by its start, as before.
 */
export function boundsInside(
  digest: SessionDigest,
  bounds: ReadonlyArray<readonly [number, string | undefined]>,
): number[] | undefined {
  const { startedAt, lastEventAt } = digest;
  if (startedAt === null || lastEventAt === null) return undefined;
  let cuts: number[] | undefined;
  for (const [ms, iso] of bounds)
    if (iso !== undefined && startedAt < iso && iso <= lastEventAt) (cuts ??= []).push(ms);
  return cuts;
}

/** A time as the digests write theirs; undefined outside the years ISO text orders (0000-9999). */
export function isoOf(ms: number): string | undefined {
  const iso = new Date(ms).toISOString();
  return iso.length === 24 ? iso : undefined;
}
