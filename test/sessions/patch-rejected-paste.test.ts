// A patch Codex rejected outside the writable roots, as the model writes patches (paths relative to the turn's
// cwd, Codex's own instructions), read back and the printed step pasted: the --add-dir it names must let the
// same patch through. Real CLI 0.171 with the fake model (`-m gpt-5.5` is offered apply_patch).
import { access } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionSummary } from "../../src/sessions/index.js";
import { codexEnv } from "../support/codex-home.js";
import { PINNED_CODEX } from "../support/codex-versions.js";
import { execCodex } from "../support/exec-codex.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";
import { pasted } from "../support/pasted.js";

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => model.close());

// /tmp, where the test's root is, stays writable under workspace-write unless config.toml says otherwise
const NO_TMP = "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true";
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The printed command with the script `prompt` (no single quote) in place of its own last word, run as pasted:
 * it names the session's `--model gpt-5.5` (offered apply_patch; the fake home's own mock-model is offered none).
 */
function pasteWith(command: string, prompt: string, home: string) {
  const again = command
    .replace(/'[^']*'$/, `'${prompt}'`)
    .replace(/(^|&& )codex exec /, `$1${process.execPath} ${PINNED_CODEX} exec `);
  return pasted(again, codexEnv(home));
}

describe("a rejected patch's relative paths are the turn cwd's", () => {
  it("../outside.txt: the refused write is the root's file, --add-dir names the root, and then the patch applies", async () => {
    const script = "STEPS: PATCH:../outside.txt ;; SAY:tried";
    const run = await execCodex(model, script, { args: ["-m", "gpt-5.5", "-s", "workspace-write"], config: NO_TMP });
    const id = run.sessionIds[0] ?? "";
    const { diagnosis } = await sessionSummary(run.home, id, { reasoningLimit: 10 });
    expect(diagnosis.category).toBe("sandbox_blocked");
    expect(diagnosis.sandbox_denials.map(({ target }) => target)).toEqual([`${run.root}/outside.txt`]);
    expect(diagnosis.next_command).toContain(` --add-dir ${run.root} resume ${id} `);
    const ran = await pasteWith(diagnosis.next_command ?? "", script, run.home);
    expect(ran.code).toBe(0);
    expect(await exists(`${run.root}/outside.txt`)).toBe(true);
  }, 60_000);

  it("a patch to a file inside and two outside (one in a folder with a space and a quote): the outside ones, each folder added", async () => {
    const patch = 'PATCH:in.txt\n+x\n*** Add File: ../o"q dir/o.txt\n+y\n*** Add File: ../other.txt';
    const script = `STEPS: ${patch} ;; SAY:tried`;
    const run = await execCodex(model, script, {
      args: ["-m", "gpt-5.5", "-s", "workspace-write"],
      config: NO_TMP,
    });
    const id = run.sessionIds[0] ?? "";
    const { diagnosis } = await sessionSummary(run.home, id, { reasoningLimit: 10 });
    expect(diagnosis.category).toBe("sandbox_blocked");
    expect(diagnosis.sandbox_denials.map(({ target }) => target)).toEqual([`${run.root}/o"q dir/o.txt`]);
    expect(diagnosis.evidence).toContain(
      `blocked: "apply_patch": the sandbox (workspace-write) refused a write to ${run.root}/o"q dir/o.txt`,
    );
    expect(diagnosis.next_command).toContain(` --add-dir '${run.root}/o"q dir' --add-dir ${run.root} resume ${id} `);
    // 0.171 with an --add-dir of a folder that does not exist yet fails the whole patch (in.txt too: "Failed to
    // create parent directories"): the printed command makes the folders first
    expect(diagnosis.next_command?.startsWith(`mkdir -p '${run.root}/o"q dir' ${run.root} && `)).toBe(true);
    expect(await exists(`${run.root}/o"q dir`)).toBe(false);
    const ran = await pasteWith(diagnosis.next_command ?? "", script, run.home);
    expect(ran.code).toBe(0);
    expect(await exists(`${run.root}/o"q dir/o.txt`)).toBe(true);
    expect(await exists(`${run.root}/other.txt`)).toBe(true);
  }, 60_000);
});

describe("a patch rejected under read-only: the printed workspace-write resume lets it through", () => {
  it("apply_patch", async () => {
    const script = "STEPS: PATCH:a.txt ;; SAY:tried";
    const run = await execCodex(model, script, { args: ["-m", "gpt-5.5", "-s", "read-only"] });
    const id = run.sessionIds[0] ?? "";
    const { diagnosis } = await sessionSummary(run.home, id, { reasoningLimit: 10 });
    expect(diagnosis.sandbox_denials.map(({ target }) => target)).toEqual([`${run.workdir}/a.txt`]);
    expect(diagnosis.next_command).toContain(" --sandbox workspace-write ");
    const ran = await pasteWith(diagnosis.next_command ?? "", script, run.home);
    expect(ran.code).toBe(0);
    expect(await exists(`${run.workdir}/a.txt`)).toBe(true);
  }, 60_000);

  it("a code-mode script's patch", async () => {
    const patch = "*** Begin Patch\\n*** Add File: c.txt\\n+c\\n*** End Patch\\n";
    const script = `STEPS: CODE:text(await tools.apply_patch("${patch}")); ;; SAY:coded`;
    const run = await execCodex(model, script, {
      args: ["-m", "gpt-5.5", "-s", "read-only"],
      config: "[features]\ncode_mode = true",
    });
    const id = run.sessionIds[0] ?? "";
    const { diagnosis } = await sessionSummary(run.home, id, { reasoningLimit: 10 });
    expect(diagnosis.category).toBe("sandbox_blocked");
    const ran = await pasteWith(diagnosis.next_command ?? "", script, run.home);
    expect(ran.code).toBe(0);
    expect(await exists(`${run.workdir}/c.txt`)).toBe(true);
  }, 60_000);
});
