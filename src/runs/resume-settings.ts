// The model and reasoning effort a resume_session run asks for. Without them (`--model`, `-c
// model_reasoning_effort=…`, or thread/resume's), Codex 0.171 resumes a session on the home's defaults (it warns
// "This session was recorded with model `X` but is resuming with `Y`"; the effort goes back to the model's default
// silently): a session that ran `-m X` at high effort went on with another model, at medium. Unless the caller
// names them, the session's last turn's go on. They are read from a log: the model reaches Codex's argv only when
// it is a name a caller could pass (run-policy.ts nameProblem), the effort only when it is one of
// REASONING_EFFORTS. Pure: tested on plain values.
import { REASONING_EFFORTS, type ReasoningEffort } from "../codex/run-modes.js";
import { printableProvider } from "../sessions/index.js";
import { callerValue } from "../shared/text.js";
import { flattenConfig, nameProblem } from "./run-policy.js";

export interface ResumeSettings {
  /** What the run passes to Codex; undefined: none, Codex's default. */
  model: string | undefined;
  reasoningEffort: ReasoningEffort | undefined;
  /**
   * The session's own model provider (session_meta), passed as `-c model_provider="<id>"`: 0.171 refuses to resume
   * a thread on another provider than its own ("Cannot change this thread's model provider from `other` to `mock`
   * on resume"), which is the home's selected one without it. Undefined: the caller names one, or none is known.
   */
  provider: string | undefined;
  /** What of the session's settings does not go on, and why; null when nothing is left out. */
  note: string | null;
}

/**
 * `asked`: the caller's, its `config` included (`model` and `model_reasoning_effort` are keys any caller may set:
 * `--model` would win over its `-c model=…`); `recorded`: the session's last turn_context, as the log says.
 */
export function resumeSettingsOf(
  asked: {
    model?: string | undefined;
    reasoningEffort?: ReasoningEffort | undefined;
    config?: Record<string, unknown> | undefined;
  },
  recorded: { model?: string | undefined; effort?: string | undefined } | undefined,
  recordedProvider?: string | undefined,
): ResumeSettings {
  const configured = new Set(flattenConfig(asked.config ?? {}).map(([key]) => key));
  const notes: string[] = [];
  let model = asked.model;
  if (model === undefined && !configured.has("model")) {
    const logged = recorded?.model;
    const problem = logged === undefined ? undefined : nameProblem(logged);
    if (logged === undefined)
      notes.push(
        "The session's log names no model, so it goes on with Codex's default model; pass model to choose one.",
      );
    else if (problem !== undefined)
      notes.push(
        `The session's last turn names model "${callerValue(logged, 80)}", which ${problem}: it is not passed to Codex, and the session goes on with Codex's default model; pass model to choose one.`,
      );
    else model = logged;
  }
  let reasoningEffort = asked.reasoningEffort;
  // a log naming no effort is a model without reasoning efforts, or a Codex that did not record it: nothing to say
  const effort = recorded?.effort;
  // the effort was the session's model's: another model may not take it (0.171 sends it as is, and a model
  // without that effort is refused by the provider), so it goes on at that model's default
  const other = asked.model ?? (configured.has("model") ? asked.config?.model : undefined);
  const sameModel = other === undefined ? model !== undefined : other === recorded?.model;
  if (reasoningEffort === undefined && effort !== undefined && !configured.has("model_reasoning_effort")) {
    if (!sameModel)
      notes.push(
        `The session's last turn ran ${recorded?.model === undefined ? "its model" : `model "${callerValue(recorded.model, 80)}"`} at reasoning effort "${callerValue(effort, 40)}", which is not passed to ${other === undefined ? "Codex's default model" : `model "${callerValue(String(other), 80)}"`} (another model may not take it): it goes on at that model's default effort; pass reasoning_effort to choose one.`,
      );
    else if (isReasoningEffort(effort)) reasoningEffort = effort;
    else
      notes.push(
        `The session's last turn names reasoning effort "${callerValue(effort, 40)}", not one of ${REASONING_EFFORTS.join(", ")}: it is not passed to Codex, and the session goes on with the model's default effort; pass reasoning_effort to choose one.`,
      );
  }
  let provider: string | undefined;
  // a caller's own model_provider wins; the log's id reaches the argv only in a shape no option or TOML can hide in
  if (!configured.has("model_provider") && recordedProvider !== undefined) {
    if (printableProvider(recordedProvider) !== undefined) provider = recordedProvider;
    else
      notes.push(
        `The session's log names model provider "${callerValue(recordedProvider, 80)}", which is not a plain provider id (letters, digits, _ and -): it is not passed to Codex, which resumes with the provider the home selects and refuses if that is another ("Cannot change this thread's model provider"); pass config.model_provider to name it.`,
      );
  }
  return { model, reasoningEffort, provider, note: notes.length > 0 ? notes.join(" ") : null };
}

function isReasoningEffort(value: string): value is ReasoningEffort {
  return (REASONING_EFFORTS as readonly string[]).includes(value);
}
