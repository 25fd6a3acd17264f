// `codex-control-mcp review`: what the review_changes tool does, for a person at a terminal. Waits for the
// review to end (Ctrl-C cancels it) and prints the findings, or with --json the tool's structuredContent.
import { refuseReview, type ReviewRequest, type ReviewScope } from "../codex/review-argv.js";
import { ExplainedError } from "../shared/errors.js";
import { renderRun } from "../text/render.js";
import { renderReview } from "../runs/review-output.js";
import { RunManager } from "../runs/run-manager.js";
import type { RunView } from "../runs/run-view.js";
import { UsageError, type Command } from "./command.js";

export const reviewCommand: Command = {
  usage:
    'review (--uncommitted | --base BRANCH | --commit SHA) [--cwd DIR] [--title T] [--prompt TEXT] [--model M] [--json]\n  Codex\'s code review of the changes (read-only sandbox): findings, verdict and explanation. Exits 3 when the review did not complete, 4 when the verdict is "patch is incorrect".',
  options: {
    uncommitted: { type: "boolean" },
    base: { type: "string" },
    commit: { type: "string" },
    cwd: { type: "string" },
    title: { type: "string" },
    prompt: { type: "string" },
    model: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
  positionals: 0,
  async run(values, _positionals, config) {
    const scopes: ReviewScope[] = [];
    if (values.uncommitted === true) scopes.push({ uncommitted: true });
    if (typeof values.base === "string") scopes.push({ base: values.base });
    if (typeof values.commit === "string") scopes.push({ commit: values.commit });
    const [scope] = scopes;
    if (scopes.length !== 1 || scope === undefined)
      throw new UsageError("pass exactly one of --uncommitted, --base BRANCH, --commit SHA");
    const str = (value: string | boolean | undefined) => (typeof value === "string" ? value : undefined);
    const review: ReviewRequest = { scope, prompt: str(values.prompt), title: str(values.title) };
    const refusal = refuseReview(review);
    if (refusal !== undefined) throw new UsageError(refusal);
    const runs = new RunManager({ ...config.runner, stopRunsOnExit: true });
    let runId: string;
    try {
      runId = await runs.start({
        prompt: "",
        cwd: str(values.cwd) ?? process.cwd(),
        mode: "read-only",
        // `codex exec review` is the only reviewer, whatever engine CODEX_CONTROL_ENGINE makes the default
        engine: "exec",
        review,
        model: str(values.model),
      });
    } catch (error) {
      if (!(error instanceof ExplainedError)) throw error;
      process.stderr.write(`codex-control-mcp: ${error.message}\n`);
      return 1;
    }
    let view: RunView | undefined;
    do view = await runs.registry.wait(runId, 60_000);
    while (view?.status === "running");
    if (!view) throw new Error(`run ${runId} is missing from the ledger`);
    const text = values.json
      ? JSON.stringify(view, null, 2)
      : `${renderRun(view, "person")}${view.review ? `\n${renderReview(view.review)}` : ""}`;
    process.stdout.write(`${text}\n`); // stdout-ok: the CLI's own output
    if (view.status !== "completed") return 3;
    return view.review?.verdict === "patch is incorrect" ? 4 : 0;
  },
};
