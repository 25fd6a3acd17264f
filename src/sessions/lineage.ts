// Forks and sub-agents: which lines of a child's file are its parent's history, replayed or copied in.
//
// Markers, per generation (../shared/codex-formats.md §2.7):
// - `subagent_history_start_ordinal` (sub-agents, 0.145+): lines with a lower `ordinal` are the parent's;
// - the parent's `session_meta` copied in after the child's (legacy forks, ≤0.147; sub-agents of 0.14x):
//   what follows is the parent's history, written at fork time;
// - fork-time timestamps: a replayed history is written in one burst, stamped with (about) the time of
//   the child's own session_meta line, while the child's own work comes later;
// - `history_base` (paginated forks, 0.169): the parent's history is referenced, not copied: nothing to skip.
// A child's token counter either continues from the parent's total (the inherited total is subtracted) or
// restarts from zero (then it is the child's own count, not a resumed segment to add to the parent's).
import type { EventOf, SessionEvent, SessionKind, TokenTotals } from "./events.js";
import type { ChildView, InheritedView } from "./views/summary.js";

/** Lines written within this long after the child's session_meta, before any later line, are the replay. */
export const FORK_BURST_MS = 100;
/** Lines below a history marker kept for taking back: a longer replay is taken as proven. */
const MAX_UNPROVEN = 10_000;

export interface Inherited {
  parentId: string | null;
  /** Lines of the parent's history in this file. */
  lines: number;
  turns: number;
  calls: number;
  /** The parent's cumulative usage at the fork, as replayed into this file. */
  tokens: TokenTotals | null;
  /** The parent's log is gone and an earlier sibling fork copied the same prefix: that sibling is charged with it. */
  chargedTo: string | null;
  /**
   * The model of the newest turn_context in the parent's history: what the child ran on where it wrote none of
   * its own (a fork goes on with its parent's settings; a trimmed child's only turn_context is the copied one).
   * Absent in a fold saved before it was kept.
   */
  model?: string;
}

export interface Lineage {
  kind: SessionKind;
  parentId: string | null;
  agentNickname: string | null;
  inherited: Inherited;
}

/** Decides line by line whether an event belongs to the parent's history; keeps the inherited tally. */
export class LineageTracker {
  lineage: Lineage | undefined;
  private meta: EventOf<"meta"> | undefined;
  private forkTimeMs: number | undefined;
  /** The replay window is over: every later line is the child's own. */
  private closed = false;
  private copyingParent = false;
  private lastLine = -1;
  private prompts = 0;
  private turnStarts = 0;
  /** Counters matched so far against the parent's, from the start; -1 once one differs. */
  private matched = 0;
  /** A sub-agent's own turn has begun (its task_started or prompt): its counters from then on are its own. */
  private ownTurn = false;
  /** Lines below `subagent_history_start_ordinal` taken as the parent's, until the marker is proven (or not). */
  private belowMarker: SessionEvent[] | undefined = [];
  private markerDisproven = false;
  /** The lines wrongly taken as the parent's, for the fold to take back (takeDisowned). */
  private disowned: SessionEvent[] | undefined;

  constructor(
    private readonly parentCounters?: readonly number[],
    private readonly inheritedTokens?: TokenTotals,
    private readonly prefixOwner?: string,
  ) {}

  /** True when the event is the parent's: the caller must not fold it into the child's model. */
  inherited(event: SessionEvent): boolean {
    if (!this.meta) {
      if (event.kind === "meta") this.start(event);
      return false;
    }
    const lineage = this.lineage as Lineage;
    if (event.kind === "meta" && event.id !== this.meta.id) {
      // the parent's session_meta, copied in: its history follows
      if (!this.closed) this.copyingParent = true;
      lineage.parentId ??= event.id;
      lineage.inherited.parentId ??= event.id;
      if (lineage.kind === "session") lineage.kind = "fork";
      return this.count(event);
    }
    if (this.meta.historyStartOrdinal !== undefined && event.ordinal !== undefined && !this.markerDisproven) {
      if (event.ordinal >= this.meta.historyStartOrdinal) {
        this.belowMarker = undefined; // the marker held: what came below it was the parent's
        return false;
      }
      if (this.copyingParent || this.belowMarker === undefined) return this.count(event);
      // Below the marker with no copied parent meta: a replay is written in the burst at spawn time. A
      // line below it written later is the sub-agent's own work (a guardian of 0.155 marks its history as
      // starting past its last line while copying nothing): the marker is wrong, and so was the inheritance.
      if (this.inForkBurst(event)) {
        if (this.belowMarker.length < MAX_UNPROVEN) this.belowMarker.push(event);
        else this.belowMarker = undefined;
        return this.count(event);
      }
      this.markerDisproven = true;
      this.disowned = this.belowMarker;
      this.belowMarker = undefined;
      this.closed = true;
      this.reset();
      return false;
    }
    // A paginated log (0.150+: every line has an `ordinal`) marks what it copied (the marker above, the
    // parent's session_meta, `history_base`): its counters are its own even where they equal the parent's (a
    // fresh sub-agent of 0.171 whose model answers cost what the parent's first ones did).
    if (
      this.parentCounters &&
      event.ordinal === undefined &&
      lineage.kind !== "session" &&
      event.kind === "token_count" &&
      event.total &&
      this.matched >= 0
    ) {
      // a fork that copied its parent's counters without any marker (fixtures of CodexBar's shape):
      // the counters that repeat the parent's, from the first on, are the parent's
      if (this.parentCounters[this.matched] === event.total.total) {
        this.matched += 1;
        if (this.prefixOwner !== undefined) lineage.inherited.chargedTo = this.prefixOwner;
        return this.count(event);
      }
      this.matched = -1;
    }
    if (this.closed || this.meta.historyByReference || (lineage.kind === "session" && !this.copyingParent))
      return false;
    const at = event.timestamp !== undefined ? Date.parse(event.timestamp) : undefined;
    const inBurst = at === undefined || this.forkTimeMs === undefined || at - this.forkTimeMs <= FORK_BURST_MS;
    if (!inBurst) {
      this.closed = true;
      return false;
    }
    // A fresh sub-agent's own first lines come within the burst too. A counter in the burst is replayed only
    // with proof that it is not the sub-agent's own: it comes before the sub-agent's own turn began, and it
    // does not count a single response from zero (a guardian/reviewer sub-agent that copied nothing answers
    // within the burst; its counter's total equals its last response). Other lines are replayed only in a fork.
    const replaysHistory = this.copyingParent || this.meta.forkedFromId !== undefined;
    if (replaysHistory) return this.count(event);
    if (event.kind === "turn_started" || (event.kind === "user_message" && !event.copy)) this.ownTurn = true;
    return event.kind === "token_count" && !this.ownTurn && !countsFromZero(event) && this.count(event);
  }

  /** Events first taken as the parent's and then found to be this session's own, in order, once. */
  takeDisowned(): SessionEvent[] | undefined {
    const events = this.disowned;
    this.disowned = undefined;
    return events;
  }

  private inForkBurst(event: SessionEvent): boolean {
    const at = event.timestamp !== undefined ? Date.parse(event.timestamp) : undefined;
    return at === undefined || this.forkTimeMs === undefined || at - this.forkTimeMs <= FORK_BURST_MS;
  }

  /** Nothing was inherited after all. */
  private reset(): void {
    const lineage = this.lineage as Lineage;
    lineage.inherited = {
      parentId: lineage.inherited.parentId,
      lines: 0,
      turns: 0,
      calls: 0,
      tokens: this.inheritedTokens ?? null,
      chargedTo: null,
    };
    this.turnStarts = 0;
    this.prompts = 0;
    this.lastLine = -1;
  }

  private start(meta: EventOf<"meta">): void {
    this.meta = meta;
    const forkTime = meta.timestamp ?? meta.startedAt;
    this.forkTimeMs = forkTime !== undefined ? Date.parse(forkTime) : undefined;
    this.lineage = {
      kind: meta.sessionKind,
      parentId: meta.parentId ?? null,
      agentNickname: meta.agentNickname ?? null,
      inherited: {
        parentId: meta.parentId ?? null,
        lines: 0,
        turns: 0,
        calls: 0,
        tokens: this.inheritedTokens ?? null,
        chargedTo: null,
      },
    };
  }

  private count(event: SessionEvent): true {
    const inherited = (this.lineage as Lineage).inherited;
    if (event.line !== this.lastLine) {
      inherited.lines += 1;
      this.lastLine = event.line;
    }
    if (event.kind === "turn_started") this.turnStarts += 1;
    else if (event.kind === "user_message" && !event.copy) this.prompts += 1;
    else if (event.kind === "call") inherited.calls += 1;
    else if (event.kind === "token_count" && event.total) inherited.tokens = event.total;
    else if (event.kind === "turn_context" && event.model !== undefined) inherited.model = event.model;
    inherited.turns = this.turnStarts || this.prompts;
    return true;
  }
}

/** A cumulative counter equal to its own last response: it started from zero, so it holds nobody else's usage. */
function countsFromZero(event: EventOf<"token_count">): boolean {
  return (
    event.total !== undefined &&
    event.last !== undefined &&
    event.total.total === event.last.total &&
    event.total.total > 0
  );
}

export type { InheritedView } from "./views/summary.js";

export function inheritedView(lineage: Lineage | undefined): InheritedView | null {
  const inherited = lineage?.inherited;
  if (!inherited || (inherited.lines === 0 && inherited.tokens === null)) return null;
  return {
    parent_session_id: inherited.parentId,
    lines: inherited.lines,
    turns: inherited.turns,
    calls: inherited.calls,
    tokens: inherited.tokens,
    charged_to_session_id: inherited.chargedTo ?? null,
    model: inherited.model ?? null,
  };
}

/** A child whose parent's history is not marked in its own file: only its parent's counters can tell. */
export function needsParentCounters(lineage: Lineage | undefined): lineage is Lineage & { parentId: string } {
  return (
    lineage !== undefined &&
    lineage.kind !== "session" &&
    lineage.parentId !== null &&
    lineage.inherited.tokens === null
  );
}

export type { ChildView } from "./views/summary.js";

/** A child that failed or was aborted is a cause of what its parent did: the diagnosis names it. */
export function childEvidence(children: ChildView[]): string[] {
  return children
    .filter((child) => child.status === "failed" || child.status === "aborted")
    .map(
      (child) =>
        `${child.kind === "fork" ? "fork" : "sub-agent"} ${child.session_id} ended ${child.status}: see session_summary ${child.session_id}`,
    );
}
