// resume_session of a session run on a provider config.toml defines but does not select (`-c
// model_provider="other"`): 0.171 resumes on the home's provider without it and refuses ("Cannot change this
// thread's model provider from `other` to `mock` on resume"). It passes the session's own provider now, unless the
// caller names one. Real CLI 0.171, two fake model servers recording the requests each gets.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { RunLedger } from "../../../src/contract/index.js";
import { codexEnv } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { execCodex, type ExecResult } from "../../support/exec-codex.js";
import { requestInputs, startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";

let home: FakeModel;
let other: FakeModel;
let mcp: Connected;
let run: ExecResult;

beforeAll(async () => {
  home = await startFakeModel();
  other = await startFakeModel();
  run = await execCodex(home, "please say hi", {
    args: ["-c", 'model_provider="other"', "-m", "llama-other"],
    config: [
      "[model_providers.other]",
      'name = "other"',
      `base_url = "${other.url}"`,
      'wire_api = "responses"',
      "request_max_retries = 0",
      "stream_max_retries = 0",
    ].join("\n"),
  });
  mcp = await connect(testConfig({ codexHome: run.home, codexBin: PINNED_CODEX, childEnv: codexEnv(run.home) }));
}, 60_000);
afterAll(async () => {
  await mcp.close();
  await home.close();
  await other.close();
});

const resume = (engine: "exec" | "app-server", extra: Record<string, unknown> = {}) =>
  mcp.call("resume_session", {
    session_id: run.sessionIds[0] ?? "",
    prompt: "please say more",
    mode: "sandboxed",
    skip_git_repo_check: true,
    engine,
    ...extra,
  });

describe("resume_session of a session on another provider than the home selects", () => {
  it.each(["exec", "app-server"] as const)(
    "goes on with the session's provider (%s)",
    async (engine) => {
      expect([run.exitCode, run.sessionIds.length]).toEqual([0, 1]);
      const [homeBefore, otherBefore] = [home.requests.length, other.requests.length];
      const result = await resume(engine);
      expect(result.isError, textOf(result)).toBeFalsy();
      const view = result.structuredContent as unknown as RunView & { resume_note: string | null };
      // exec before: failed, "Cannot change this thread's model provider from `other` to `mock` on resume"; 0.171's
      // app-server resumed on the recorded provider already (passed before), and is asked for it all the same
      expect([view.status, view.resume_note]).toEqual(["completed", null]);
      expect(other.requests.slice(otherBefore).map((request) => requestInputs(request).model)).toEqual(["llama-other"]);
      expect(home.requests.length).toBe(homeBefore);
      if (engine === "exec") {
        const ledger = await new RunLedger(mcp.config.runner.stateDir).find(view.run_id);
        expect(ledger?.start.argv).toContain('--config=model_provider="other"');
      }
    },
    120_000,
  );
});

describe("resume_session's credentials check, for a session on another provider than the home selects", () => {
  it("asks for the session's provider's key, not the home's", async () => {
    const keyless = await execCodex(home, "please say hi", {
      args: ["-c", 'model_provider="other"', "-m", "llama-other"],
      config: ["[model_providers.other]", 'name = "other"', `base_url = "${other.url}"`, 'wire_api = "responses"'].join(
        "\n",
      ),
    });
    // the home now selects a provider whose key no run has: a run on it would fail, a resume on `other` does not
    const file = join(keyless.home, "config.toml");
    const selected = (await readFile(file, "utf8")).replace('model_provider = "mock"', 'model_provider = "keyed"');
    await writeFile(
      file,
      `${selected}\n[model_providers.keyed]\nname = "keyed"\nbase_url = "${home.url}"\nenv_key = "KEYED_TEST_KEY"\n`,
    );
    const server = await connect(
      testConfig({ codexHome: keyless.home, codexBin: PINNED_CODEX, childEnv: codexEnv(keyless.home) }),
    );
    try {
      const before = other.requests.length;
      const result = await server.call("resume_session", {
        session_id: keyless.sessionIds[0] ?? "",
        prompt: "please say more",
        mode: "sandboxed",
        skip_git_repo_check: true,
      });
      // before: refused, "model provider "keyed" reads its key from KEYED_TEST_KEY, which is not in the environment…"
      expect(result.isError, textOf(result)).toBeFalsy();
      expect((result.structuredContent as unknown as RunView).status).toBe("completed");
      expect(other.requests.slice(before).map((request) => requestInputs(request).model)).toEqual(["llama-other"]);
    } finally {
      await server.close();
    }
  }, 120_000);
});
