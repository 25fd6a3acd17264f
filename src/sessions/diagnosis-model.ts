// The step for a model the provider does not serve. Codex 0.171 marks it `codex_error_info: "model_not_found"`
// (an HTTP 404 or 400 whose body's error code is model_not_found: "The model `gpt-nope` does not exist or you do
// not have access to it."), and a plain resume asks for the same model again: the step says to change it.

import { printableModel } from "./resume-command.js";

/**
 * The plain resume's model: the session's own, except for a model the provider does not serve, where it runs the
 * `model` the step says to fix in config.toml (a `--model` of the log's would override that fix).
 */
export function plainResumeModel(info: string | null): { model?: undefined } {
  return info === "model_not_found" ? { model: undefined } : {};
}

/**
 * `session`: its last turn_context names the model; `command`: the plain resume; `resumeWith`: the resume with
 * another model (made only when asked).
 */
export function modelErrorStep(
  info: string | null,
  session: { lastContext?: { model?: string | undefined } | undefined },
  command: string,
  resumeWith: (model: string) => string,
): string {
  if (info !== "model_not_found") return `Fix what the error names (model, provider, request), then: ${command}`;
  const model = session.lastContext?.model;
  const named = printableModel(model) !== undefined ? `the model "${model}"` : "the session's model";
  return `The provider does not serve ${named} (model_not_found: a wrong name, or one this account may not use), so resuming as is fails again: resume with a model it serves: ${resumeWith("<a model the provider serves>")} — or fix \`model\` where it is set (config.toml, the profile), then run: ${command}`;
}

/** The step for a failure on the provider's side; for a model at capacity, another model too. */
export function serverErrorStep(info: string | null, command: string, resumeWith: (model: string) => string): string {
  const wait = `The provider failed on its side; resume (if it fails again, wait a few minutes): ${command}`;
  return info === "server_overloaded"
    ? `${wait} — the model is at capacity, so another may answer now: ${resumeWith("<another model>")}`
    : wait;
}
