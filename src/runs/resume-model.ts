// The model a resume_session run asks for. Without `--model` (exec) or thread/resume's `model` (app-server), Codex
// 0.171 resumes a session on the home's default model (it warns "This session was recorded with model `X` but is
// resuming with `Y`"): a session that ran `-m X` went on with another model. Unless the caller names one, the
// session's last turn's model goes on. That name is read from a log: it reaches Codex's argv only when it is a name
// a caller could pass (run-policy.ts nameProblem). Pure: tested on plain values.
import { callerValue } from "../shared/text.js";
import { nameProblem } from "./run-policy.js";

export interface ResumeModel {
  /** What the run passes to Codex; undefined: none, Codex's default. */
  model: string | undefined;
  /** Why the run goes on with Codex's default model though the caller named none; null when a model is passed. */
  note: string | null;
}

/** `asked`: the caller's model; `recorded`: the model of the session's last turn_context, as the log says. */
export function resumeModelOf(asked: string | undefined, recorded: string | undefined): ResumeModel {
  if (asked !== undefined) return { model: asked, note: null };
  const choose = "pass model to choose one";
  if (recorded === undefined)
    return {
      model: undefined,
      note: `the session's log names no model, so it goes on with Codex's default model; ${choose}.`,
    };
  const problem = nameProblem(recorded);
  if (problem === undefined) return { model: recorded, note: null };
  return {
    model: undefined,
    note: `the session's last turn names model "${callerValue(recorded, 80)}", which ${problem}: it is not passed to Codex, and the session goes on with Codex's default model; ${choose}.`,
  };
}
