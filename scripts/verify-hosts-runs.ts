// npm run verify:hosts, the part about runs in a host (scripts/verify-hosts.ts runs it): approvals through Claude
// Code's Elicitation hook, live numbers and steer_run, and stopping what a check left running.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { FakeModel } from "../test/support/fake-model.js";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`the host handed its model a tool result that is not JSON: ${text.slice(0, 2000)}`);
  }
}

/**
 * The runs the host's model left running (the slow calls on a model that never answers, or any run of a check
 * that failed), stopped with the CLI the README gives people, in the environment the host gave the server.
 */
export async function cancelRuns(home: string, codexHome: string): Promise<number> {
  const env = { PATH: process.env.PATH ?? "", HOME: home, CODEX_HOME: codexHome };
  const cli = join(root, "dist", "cli.js");
  const { stdout } = await run(process.execPath, [cli, "runs", "-n", "100", "--json"], { env });
  const { runs } = JSON.parse(stdout) as { runs: Array<{ run_id: string; status: string }> };
  const running = runs.filter((entry) => entry.status === "running");
  for (const entry of running)
    await run(process.execPath, [cli, "cancel", entry.run_id, "--json"], { env, timeout: 60_000 });
  return running.length;
}

export type ClaudeAsk = (
  tool: string,
  args: string,
  extraEnv?: Record<string, string>,
  flags?: string[],
) => Promise<{ result: string; toolResult: string }>;

/** The run object as Claude Code handed it to its model (structuredContent as JSON). */
interface HostRunView {
  run_id: string;
  status: string;
  engine?: string;
  recent_events?: Array<{ message: string }>;
  approvals?: Array<{
    approval_id: string;
    kind: string;
    summary: string;
    status: string;
    decision?: string;
    answered_by?: string;
  }>;
  live?: {
    usage?: { total_tokens?: number; context_window?: number; context_used_percent?: number };
    rate_limits?: { primary?: { used_percent?: number; window_minutes?: number } };
  } | null;
  steered_turn_id?: string;
}

/** A run_codex call (engine app-server, mode ask) whose run asks to touch `name` in a folder outside its workspace. */
async function escalation(name: string, waitMs: number) {
  const workdir = await realpath(await mkdtemp(join(tmpdir(), "ccm-verify-ask-")));
  const outside = join(await realpath(await mkdtemp(join(tmpdir(), "ccm-verify-outside-"))), name);
  const args = {
    prompt: `please STEPS: ESCALATE:touch ${outside} ;; SAY:finished`,
    cwd: workdir,
    skip_git_repo_check: true,
    engine: "app-server",
    mode: "ask",
    wait_ms: waitMs,
    allow_concurrent: true,
  };
  return { outside, args };
}

/**
 * Approvals in Claude Code: its model delegates with engine "app-server" and mode "ask", Codex asks to touch a
 * file outside the workspace, the server asks Claude Code's user with elicitation/create. In `-p` there is no
 * dialog: Claude Code runs its `Elicitation` hooks (settings "hooks"), whose answer stands for the user's. Our
 * hook records what it was asked and answers approve, then (the control) decline.
 */
export async function claudeApprovals(
  ask: ClaudeAsk,
  home: string,
  codexHome: string,
  scratch: string,
): Promise<string> {
  const hookLog = join(scratch, "elicitations.jsonl");
  const hook = join(scratch, "elicitation-hook.mjs");
  await writeFile(
    hook,
    [
      'import { appendFileSync, readFileSync } from "node:fs";',
      'const input = readFileSync(0, "utf8");',
      `appendFileSync(${JSON.stringify(hookLog)}, JSON.stringify(JSON.parse(input)) + "\\n");`,
      "const decision = process.argv[2];",
      'process.stdout.write(JSON.stringify(decision === "decline"',
      '  ? { hookSpecificOutput: { hookEventName: "Elicitation", action: "decline" } }',
      '  : { hookSpecificOutput: { hookEventName: "Elicitation", action: "accept", content: { decision } } }));',
      "",
    ].join("\n"),
  );
  const settingsPath = join(home, ".claude", "settings.json");
  const answering = async (decision: "approve" | "decline") => {
    await mkdir(dirname(settingsPath), { recursive: true });
    const command = `'${process.execPath}' '${hook}' ${decision}`;
    await writeFile(
      settingsPath,
      JSON.stringify({
        hooks: { Elicitation: [{ matcher: "codex-control", hooks: [{ type: "command", command, timeout: 60 }] }] },
      }),
    );
  };
  const hooked = async () =>
    (await readFile(hookLog, "utf8").catch(() => ""))
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as { hook_event_name?: string; mcp_server_name?: string; message?: string });
  const delegate = async (decision: "approve" | "decline") => {
    await answering(decision);
    const { outside, args } = await escalation(`${decision}.txt`, 180_000);
    const before = (await hooked()).length;
    const view = parseJson((await ask("run_codex", JSON.stringify(args))).toolResult) as HostRunView;
    const asked = (await hooked()).slice(before);
    const command = `/bin/bash -lc 'touch ${outside}'`;
    assert.equal(asked.length, 1, `Claude Code's Elicitation hook ran ${asked.length} times`);
    assert.equal(asked[0]?.hook_event_name, "Elicitation");
    assert.equal(asked[0]?.mcp_server_name, "codex-control");
    assert.ok(
      asked[0]?.message?.includes(`asks to run a command outside its sandbox: “${command}”`),
      `the hook was asked:\n${asked[0]?.message ?? ""}`,
    );
    assert.deepEqual(
      {
        status: view.status,
        engine: view.engine,
        approvals: (view.approvals ?? []).map(({ approval_id, kind, summary, status, decision, answered_by }) => ({
          approval_id,
          kind,
          summary,
          status,
          decision,
          answered_by,
        })),
        outside_exists: existsSync(outside),
      },
      {
        status: "completed",
        engine: "app-server",
        approvals: [
          { approval_id: "a1", kind: "command", summary: command, status: "answered", decision, answered_by: "user" },
        ],
        outside_exists: decision === "approve",
      },
    );
  };
  await delegate("approve");
  await delegate("decline");

  // no hook: `claude -p` has no dialog and cancels the elicitation; the approval stays pending for the others
  await writeFile(settingsPath, "{}");
  const { outside, args } = await escalation("operator.txt", 15_000);
  const before = (await hooked()).length;
  const debugFile = join(scratch, "claude-debug.txt");
  const waiting = parseJson(
    (await ask("run_codex", JSON.stringify(args), {}, ["--debug-file", debugFile])).toolResult,
  ) as HostRunView & {
    pending_approvals?: Array<{ approval_id: string; status: string }>;
  };
  assert.deepEqual(
    {
      status: waiting.status,
      pending: (waiting.pending_approvals ?? []).map((entry) => [entry.approval_id, entry.status]),
      hooked: (await hooked()).length - before,
    },
    { status: "running", pending: [["a1", "pending"]], hooked: 0 },
  );
  // Claude Code's debug log: the question arrived, and no hook resolved it (its answer is not logged)
  const elicitLines = (await readFile(debugFile, "utf8"))
    .split("\n")
    .filter((line) => /elicitation/i.test(line))
    .map((line) => line.replace(/^\S+ \[DEBUG\] /, ""));
  assert.deepEqual(elicitLines, [
    'MCP server "codex-control": Elicitation request received in print mode: mode=form fields=["decision"]',
  ]);
  const cli = (...words: string[]) =>
    run(process.execPath, [join(root, "dist", "cli.js"), ...words], {
      env: { PATH: process.env.PATH ?? "", HOME: home, CODEX_HOME: codexHome },
      timeout: 120_000,
    });
  await cli("approve", waiting.run_id, "a1", "approve", "--json");
  const operated = JSON.parse((await cli("status", waiting.run_id, "--wait", "--json")).stdout) as HostRunView;
  assert.deepEqual(
    {
      status: operated.status,
      answer: operated.approvals?.map((entry) => [entry.status, entry.decision, entry.answered_by]),
      outside_exists: existsSync(outside),
    },
    { status: "completed", answer: [["answered", "approve", "operator"]], outside_exists: true },
  );
  return 'engine "app-server" mode "ask": the escalation reached its Elicitation hook (settings "hooks"), answered as user: approve touched the file outside the workspace, decline (the control) did not; without a hook Claude Code received the question (its debug log) but nobody answered: the approval stayed pending past a 15 s wait and the CLI\'s `approve` answered it as operator';
}

/**
 * Steering and live numbers in Claude Code: one `-p` call starts a background app-server run, the next ones
 * (each a new server process sharing the state dir) read its live numbers while it runs, steer it, and wait
 * for its end; the steered text reaches Codex's model.
 */
export async function claudeSteer(ask: ClaudeAsk, model: FakeModel): Promise<string> {
  const workdir = await realpath(await mkdtemp(join(tmpdir(), "ccm-verify-steer-")));
  const before = model.requests.length;
  const started = parseJson(
    (
      await ask(
        "run_codex",
        JSON.stringify({
          // Codex reports a response's token usage once the commands it called have ended (the numbers of the
          // first response are live while the second one's command runs) and stops a command after 10 s: a turn
          // of short sleeps lasts long enough for three more `claude -p` calls
          prompt: `please STEPS: RUN:echo warming up ;; ${"RUN:sleep 8 ;; ".repeat(8)}SAY:first answer`,
          cwd: workdir,
          skip_git_repo_check: true,
          engine: "app-server",
          background: true,
          allow_concurrent: true,
        }),
      )
    ).toolResult,
  ) as HostRunView;
  assert.equal(started.status, "running");
  const running = parseJson(
    (await ask("run_status", JSON.stringify({ run_id: started.run_id }))).toolResult,
  ) as HostRunView;
  assert.deepEqual(
    {
      status: running.status,
      sleeping: running.recent_events?.some((event) => event.message.includes("sleep 8")),
      context_window: running.live?.usage?.context_window,
      rate_limits: running.live?.rate_limits?.primary,
    },
    {
      status: "running",
      sleeping: true,
      context_window: 258400,
      rate_limits: { used_percent: 13, window_minutes: 300, resets_at: "2026-11-24T06:00:00.000Z" },
    },
    `run_status while the run goes:\n${JSON.stringify(running).slice(0, 2000)}`,
  );
  const message = "STEERED: say which files you saw";
  const steered = parseJson(
    (await ask("steer_run", JSON.stringify({ run_id: started.run_id, message }))).toolResult,
  ) as HostRunView;
  assert.match(steered.steered_turn_id ?? "", /\S/, `steer_run answered:\n${JSON.stringify(steered).slice(0, 2000)}`);
  const ended = parseJson(
    (await ask("run_status", JSON.stringify({ run_id: started.run_id, wait_ms: 120_000 }))).toolResult,
  ) as HostRunView;
  assert.equal(ended.status, "completed");
  const reached = model.requests.slice(before).some((request) => JSON.stringify(request.input ?? []).includes(message));
  assert.ok(reached, "the steered message did not reach Codex's model");
  return `a background app-server run: run_status while it ran showed live numbers (context window ${running.live?.usage?.context_window}, ${running.live?.usage?.total_tokens} tokens, 5-hour window ${running.live?.rate_limits?.primary?.used_percent}% used), steer_run went into turn ${steered.steered_turn_id} and the message reached Codex's model; the run completed`;
}
