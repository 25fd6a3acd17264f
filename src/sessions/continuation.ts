// Which command goes on with a session's task: a resume of the session itself, the same review run again (a
// review that did not finish), or a resume of the parent (a spawned sub-agent that did not finish). Only UUIDs
// and checked targets are printed (resume-command.ts).
import { SESSION_UUID } from "../shared/ids.js";
import type { ReviewTarget } from "./events.js";
import {
  printableProvider,
  resumeCommandLine,
  reviewCommandLine,
  reviewTargetOfPrompt,
  type ResumeTarget,
} from "./resume-command.js";
import type { SessionModel } from "./session-model.js";
import { turnStatus } from "./statuses.js";
import type { TaskOwner } from "./family.js";

/** A spawned sub-agent's parent, and the session its task goes on in. */
export interface ResumedParent {
  /** The sub-agent's own parent. */
  id: string;
  /** The session resumed: the nearest ancestor that is no sub-agent (the parent, unless it is one too). */
  resumed?: string;
  /** The first ancestor whose log is not in CODEX_HOME: the sub-agent itself is resumed then. */
  missing?: string;
}

const MODEL_LEFT_OUT =
  "(The log names the session's model in a form that is not a plain model name, so the command does not repeat it: Codex resumes on the home's default model; put `--model <the session's model>` before `resume` to keep it.)";

const PROVIDER_LEFT_OUT =
  "(The log names the session's model provider in a form that is not a plain provider id, so the command does not repeat it: Codex resumes with the provider the home selects, and 0.171 refuses to change a session's provider (\"Cannot change this thread's model provider\"); put `-c model_provider=\"<the session's provider>\"` before `resume`.)";

export class Continuation {
  /** Set by resume() when it resumes a spawned sub-agent's parent, for the diagnosis to say why. */
  private resumedParent: ResumedParent | undefined;
  /** Set by a resume() that left the session's model out (known, but its name cannot be printed), until taken. */
  private modelLeftOut = false;
  /** Set by a resume() that left the session's provider out (it must be named, but cannot be printed), until taken. */
  private providerLeftOut = false;

  constructor(
    private readonly model: SessionModel,
    private readonly target: ResumeTarget,
    /** false: nobody reads the next step, so no command line is made. */
    private readonly commandLines: boolean,
    /** Where a sub-agent's task goes on, as the other logs say (family.ts); undefined: its parent. */
    private readonly taskOwner?: TaskOwner,
  ) {}

  /** The command that goes on with the task, with `extra` (another sandbox, options, a prompt) over the session's. */
  resume(extra: Partial<ResumeTarget> = {}): string {
    const spawned = this.spawnedBy();
    const parent: ResumedParent | undefined = spawned ? { id: spawned.id, ...this.ownerOf(spawned.id) } : undefined;
    this.resumedParent = parent;
    // the session's own model, known but not printable (the target has none then), and no other model asked for;
    // kept until taken: a step's second resume naming another model on purpose does not clear the first's
    this.modelLeftOut ||=
      this.model.lastContext?.model !== undefined &&
      this.target.model === undefined &&
      !("model" in extra) &&
      parent?.resumed === undefined;
    const provider = "provider" in extra ? extra.provider : this.target.provider;
    this.providerLeftOut ||= provider !== undefined && printableProvider(provider) === undefined;
    if (!this.commandLines) return "";
    // a review that did not finish is run again: resuming it with a prompt asks for ordinary work instead
    const review = this.unfinishedReview();
    if (review) {
      const { prompt: _prompt, sessionId: _id, ...rest } = this.merged(extra);
      const command = reviewCommandLine({ ...rest, target: review });
      if (command !== null) return command;
    }
    if (spawned && parent?.resumed !== undefined) {
      const { nickname, id } = spawned.child;
      return resumeCommandLine({
        ...this.merged(extra),
        // the sub-agent's model is not its parent's (spawn_agent may name one): the parent's is in its own log
        model: extra.model,
        sessionId: parent.resumed,
        prompt: `Your sub-agent ${nickname ? `${nickname} (${id})` : id} did not finish its task; what stopped it is dealt with now: start a sub-agent on that task again, or do it yourself.`,
      });
    }
    return resumeCommandLine(this.merged(extra));
  }

  /** What the step says when the last resume() left the session's model or provider out (not printable), once. */
  takeLeftOutNotes(): string[] {
    const notes = [
      ...(this.modelLeftOut ? [MODEL_LEFT_OUT] : []),
      ...(this.providerLeftOut ? [PROVIDER_LEFT_OUT] : []),
    ];
    this.modelLeftOut = false;
    this.providerLeftOut = false;
    return notes;
  }

  /** The parent the last resume() went on in, once: only the diagnosis that made that command says so. */
  takeResumedParent(): ResumedParent | undefined {
    const parent = this.resumedParent;
    this.resumedParent = undefined;
    return parent;
  }

  /**
   * The parent of a spawned sub-agent whose last turn did not complete: the task is the parent's. Resumed, the
   * sub-agent answers into its own log only, which the parent does not read (0.171 checked); a resumed parent
   * can start a new sub-agent. A sub-agent whose log kept only token counts (sanitized) is one whose end is not
   * known: the same.
   */
  private spawnedBy(): { id: string; child: { id: string; nickname: string | null } } | undefined {
    const lineage = this.model.lineage;
    const turn = this.model.turns.at(-1);
    if (this.model.meta?.source !== "subagent" || lineage?.kind !== "subagent" || !lineage.parentId) return undefined;
    if (!SESSION_UUID.test(lineage.parentId) || !SESSION_UUID.test(this.target.sessionId)) return undefined;
    // no turn at all: a sanitized log that kept only token counts (its task is the parent's all the same)
    if (turn !== undefined && turnStatus(turn) === "completed") return undefined;
    if (turn === undefined && (this.model.tokens.total()?.total ?? 0) === 0) return undefined;
    const nickname =
      lineage.agentNickname !== null && /^[\w .-]{1,40}$/.test(lineage.agentNickname) ? lineage.agentNickname : null;
    return { id: lineage.parentId, child: { id: this.target.sessionId, nickname } };
  }

  /** The session a sub-agent's task goes on in, or the ancestor with no log (then the sub-agent itself). */
  private ownerOf(parentId: string): { resumed: string } | { missing: string } {
    const owner = this.taskOwner;
    if (owner === undefined) return { resumed: parentId };
    if ("missing" in owner) return { missing: owner.missing };
    return { resumed: SESSION_UUID.test(owner.owner) ? owner.owner : parentId };
  }

  /** `extra` over the session's target; options are added to the target's (its own --add-dir roots), not replacing them. */
  private merged(extra: Partial<ResumeTarget>): ResumeTarget {
    // a sandbox other than workspace-write has no writable roots to repeat
    const sandbox = extra.sandbox ?? this.target.sandbox;
    const own = sandbox === "workspace-write" ? (this.target.options ?? []) : [];
    const added = extra.options ?? [];
    // a `-c` the step adds that the session's own options already hold (its network access) is said once
    const again = (word: string, index: number) =>
      own[index - 1] === "-c" ? added.includes(word) : word === "-c" && added.includes(own[index + 1] ?? "");
    return { ...this.target, ...extra, options: [...own.filter((word, index) => !again(word, index)), ...added] };
  }

  /**
   * The same review run again, for a review that finished (its verdict asks for fixes first); null: no review,
   * or its target cannot be printed. "" where no command line is made.
   */
  reviewAgain(): string | null {
    const target = this.reviewTarget();
    if (target === undefined) return null;
    if (!this.commandLines) return "";
    const { prompt: _prompt, sessionId: _id, ...rest } = this.merged({});
    return reviewCommandLine({ ...rest, target });
  }

  private unfinishedReview(): ReviewTarget | undefined {
    const turn = this.model.turns.at(-1);
    return turn === undefined || turnStatus(turn) === "completed" ? undefined : this.reviewTarget();
  }

  private reviewTarget(): ReviewTarget | undefined {
    const turn = this.model.turns.at(-1);
    if (turn === undefined) return undefined;
    if (turn.review !== undefined) return turn.review;
    // a review's own sub-agent: resumed, it answers into its own log and the review stays unfinished (0.171
    // checked); its one turn's prompt names what the review was of
    if (this.model.meta?.source === "subagent:review" && this.model.turns.length === 1 && turn.prompt)
      return reviewTargetOfPrompt(turn.prompt);
    return undefined;
  }
}
