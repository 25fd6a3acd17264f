// A session run on a provider config.toml defines but does not select (`-c model_provider="other"`): 0.171
// refuses to resume it on the home's provider ("Cannot change this thread's model provider from `other` to `mock`
// on resume"), so a printed resume without the session's provider failed. It names it now, as a TOML string
// (`-c 'model_provider="other"'`), only where the home selects another, and only a plain id. Real CLI 0.171, two
// fake model servers: the home's (mock) and the other provider's, each recording the requests it gets.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose } from "../../src/sessions/diagnosis.js";
import { sessionSummary } from "../../src/sessions/index.js";
import { normalizeLine } from "../../src/sessions/normalize.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { providerToRepeat } from "../../src/sessions/resume-command.js";
import { codexEnv } from "../support/codex-home.js";
import { PINNED_CODEX } from "../support/codex-versions.js";
import { execCodex } from "../support/exec-codex.js";
import { requestInputs, startFakeModel, type FakeModel } from "../support/fake-model.js";
import { pasted } from "../support/pasted.js";

let home: FakeModel;
let other: FakeModel;
beforeAll(async () => {
  home = await startFakeModel();
  other = await startFakeModel();
});
afterAll(async () => {
  await home.close();
  await other.close();
});

/** The other provider's table, beside the home's selected mock. */
const otherProvider = () =>
  [
    "[model_providers.other]",
    'name = "other"',
    `base_url = "${other.url}"`,
    'wire_api = "responses"',
    "request_max_retries = 0",
    "stream_max_retries = 0",
  ].join("\n");

async function rolloutLines(codexHome: string): Promise<string[]> {
  const [file] = (await readdir(join(codexHome, "sessions"), { recursive: true })).filter((f) => f.endsWith(".jsonl"));
  const text = await readFile(join(codexHome, "sessions", file ?? ""), "utf8");
  return text.split("\n").filter((line) => line !== "");
}

const onCli = (command: string) => command.replace(/^codex /, `${process.execPath} ${PINNED_CODEX} `);

describe("a resume step of a session run on another provider than the home selects", () => {
  it("names the session's provider, and pasted, the resumed turn reaches that provider's server", async () => {
    const run = await execCodex(home, "please say hi", {
      args: ["-c", 'model_provider="other"', "-m", "llama-other"],
      config: otherProvider(),
    });
    const id = run.sessionIds[0] ?? "";
    expect([run.exitCode, other.requests.length > 0]).toEqual([0, true]);
    const { diagnosis } = await sessionSummary(run.home, id, { reasoningLimit: 10, invocation: {} });
    const command = `codex exec --cd ${run.workdir} --dangerously-bypass-approvals-and-sandbox --model llama-other -c 'model_provider="other"' resume ${id} 'Continue where you left off.'`;
    expect([diagnosis.category, diagnosis.next_command]).toEqual(["completed", command]);
    const [homeBefore, otherBefore] = [home.requests.length, other.requests.length];
    const ran = await pasted(onCli(command), codexEnv(run.home));
    expect([ran.code, ran.stderr.includes("Cannot change this thread's model provider")]).toEqual([0, false]);
    expect(other.requests.slice(otherBefore).map((request) => requestInputs(request).model)).toEqual(["llama-other"]);
    expect(home.requests.length).toBe(homeBefore);
  }, 90_000);

  it("control: the step as printed before (no provider) is refused by 0.171", async () => {
    const run = await execCodex(home, "please say hi", {
      args: ["-c", 'model_provider="other"', "-m", "llama-other"],
      config: otherProvider(),
    });
    const id = run.sessionIds[0] ?? "";
    const before = `codex exec --cd ${run.workdir} --dangerously-bypass-approvals-and-sandbox --model llama-other resume ${id} 'Continue where you left off.'`;
    const [homeBefore, otherBefore] = [home.requests.length, other.requests.length];
    const ran = await pasted(onCli(before), codexEnv(run.home));
    expect([
      ran.code === 0,
      ran.stderr.includes("Cannot change this thread's model provider from `other` to `mock`"),
    ]).toEqual([false, true]);
    expect([home.requests.length, other.requests.length]).toEqual([homeBefore, otherBefore]);
  }, 90_000);

  it("a session on the home's own provider: no -c model_provider (nothing changes for it)", async () => {
    const run = await execCodex(home, "please say hi");
    const id = run.sessionIds[0] ?? "";
    const { diagnosis } = await sessionSummary(run.home, id, { reasoningLimit: 10, invocation: {} });
    expect(diagnosis.next_command).toBe(
      `codex exec --cd ${run.workdir} --dangerously-bypass-approvals-and-sandbox --model mock-model resume ${id} 'Continue where you left off.'`,
    );
  }, 90_000);

  it("a provider id that is no plain id is left out, and the step says so", async () => {
    const run = await execCodex(home, "please say hi", {
      args: ["-c", 'model_provider="other"', "-m", "llama-other"],
      config: otherProvider(),
    });
    const id = run.sessionIds[0] ?? "";
    const lines = (await rolloutLines(run.home)).map((line) =>
      line.replaceAll('"model_provider":"other"', '"model_provider":"other\\" $(touch x)"'),
    );
    const session = await foldEvents(
      lines.flatMap((line, index) => normalizeLine(JSON.parse(line), index + 1)).filter((event) => event !== undefined),
    );
    const bad = 'other" $(touch x)';
    expect(session.meta?.modelProvider).toBe(bad);
    const diagnosis = diagnose(session, {
      sessionId: id,
      cwd: "/home/user/proj",
      config: {
        mcpServers: [],
        disabledMcpServers: [],
        mcpToolFilters: [],
        excludeSlashTmp: false,
        selectedProvider: "mock",
        modelProviders: { mock: { files: ["config.toml"] }, [bad]: { files: ["config.toml"] } },
      },
    });
    const command = `codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model llama-other resume ${id} 'Continue where you left off.'`;
    expect(diagnosis.next_command).toBe(command);
    expect(diagnosis.next_step).toBe(
      `Nothing to repair. To continue the work: ${command} (The log names the session's model provider in a form that is not a plain provider id, so the command does not repeat it: Codex resumes with the provider the home selects, and 0.171 refuses to change a session's provider ("Cannot change this thread's model provider"); put \`-c model_provider="<the session's provider>"\` before \`resume\`.)`,
    );
  }, 90_000);
});

describe("providerToRepeat", () => {
  it("the session's provider only where the home's config is known, selects another, and has it", () => {
    const own = { other: { files: ["config.toml"] }, project: { files: [] } };
    expect([
      providerToRepeat("other", { selectedProvider: "mock", modelProviders: own }),
      providerToRepeat("mock", { selectedProvider: "mock", modelProviders: own }),
      providerToRepeat("openai", {}),
      providerToRepeat("openai", { selectedProvider: "mock" }),
      providerToRepeat("ollama", {}),
      providerToRepeat("other", undefined),
      providerToRepeat(undefined, { selectedProvider: "mock" }),
      // no table of it here (another home's log), or a project's only (ignored by 0.171)
      providerToRepeat("mock", {}),
      providerToRepeat("project", { modelProviders: own }),
      providerToRepeat("toString", {}),
    ]).toEqual([
      "other",
      undefined,
      undefined,
      "openai",
      "ollama",
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
