// The attacks of issue 9, tried as a manipulated caller would: through the MCP tools only, against the real
// pinned Codex CLI and the fake model, on a server without --allow-full-access. An escape writes a marker
// file; the marker must not appear, and a refused call names the fix.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, realpath, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ignoredStateFiles, RunLedger, MAX_RECORD_BYTES } from "../../../src/contract/index.js";
import { CALLER_CONFIG_KEYS } from "../../../src/runs/run-policy.js";
import { RUN_MARKER } from "../../../src/codex/processes.js";
import type { RunView } from "../../../src/runs/run-manager.js";
import { makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { PIXEL_PNG, startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { textOf, type Connected, type TestConfig, withCodexServer, seedSession } from "../../support/mcp.js";

let model: FakeModel;
let home: string;
let workdir: string;
/** Where escaped processes would write their markers: outside every workspace. */
let markers: string;
let sessionId: string;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "security"));
  markers = await realpath(await mkdtemp(join(tmpdir(), "ccm-markers-")));
  sessionId = await seedSession(home, workdir);
});
afterAll(async () => model.close());

const withServer = (settings: Partial<TestConfig>, body: (mcp: Connected) => Promise<void>) =>
  withCodexServer(home, settings, body);

const refusedKey = (key: string) =>
  `config key ${JSON.stringify(key)} cannot be set by a caller: only settings that cannot start a process, widen the sandbox, change the model endpoint or credentials, or read a file are allowed (${CALLER_CONFIG_KEYS.join(", ")}). The operator can allow it with --allow-config-key ${key} (or CODEX_CONTROL_ALLOW_CONFIG_KEYS).`;

/** An MCP server "command" that leaves a marker when Codex starts it. */
const markerServer = (marker: string) => ({ command: "bash", args: ["-c", `touch ${marker}; exit 1`] });

describe("caller config cannot start a process, widen the sandbox, redirect credentials or read a file", () => {
  const attacks: Array<[string, (marker: string) => Record<string, unknown>, string]> = [
    ["notify", (marker) => ({ notify: ["bash", "-c", `touch ${marker}`] }), "notify"],
    [
      "mcp_servers, dotted",
      (marker) => ({ "mcp_servers.x.command": "bash", "mcp_servers.x.args": ["-c", `touch ${marker}`] }),
      "mcp_servers.x.command",
    ],
    ["mcp_servers, as a table", (marker) => ({ mcp_servers: { x: markerServer(marker) } }), "mcp_servers.x.command"],
    [
      "writable_roots",
      () => ({ "sandbox_workspace_write.writable_roots": ["/"] }),
      "sandbox_workspace_write.writable_roots",
    ],
    [
      "network_access",
      () => ({ sandbox_workspace_write: { network_access: true } }),
      "sandbox_workspace_write.network_access",
    ],
    [
      "exclude_slash_tmp",
      () => ({ "sandbox_workspace_write.exclude_slash_tmp": true }),
      "sandbox_workspace_write.exclude_slash_tmp",
    ],
    [
      "approval_policy + sandbox_mode",
      () => ({ approval_policy: "on-request", sandbox_mode: "danger-full-access" }),
      "approval_policy",
    ],
    [
      "a credential sent elsewhere",
      () => ({
        model_provider: "evil",
        model_providers: { evil: { name: "evil", base_url: "http://127.0.0.1:9/v1", env_key: "OPENAI_API_KEY" } },
      }),
      "model_provider",
    ],
    ["a file outside the roots", () => ({ model_instructions_file: "/etc/passwd" }), "model_instructions_file"],
  ];

  it.each(attacks)("%s is refused in every mode and on resume, and nothing runs", async (name, config, key) => {
    await withServer({}, async (mcp) => {
      const marker = join(markers, name.replace(/\W+/g, "-"));
      const calls: Array<[string, Record<string, unknown>]> = [
        [
          "run_codex",
          {
            cwd: workdir,
            skip_git_repo_check: true,
            prompt: "please say hi",
            mode: "read-only",
            config: config(marker),
          },
        ],
        [
          "run_codex",
          {
            cwd: workdir,
            skip_git_repo_check: true,
            prompt: "please say hi",
            mode: "sandboxed",
            config: config(marker),
          },
        ],
        ["resume_session", { session_id: sessionId, prompt: "please say hi", config: config(marker) }],
      ];
      for (const [tool, args] of calls) {
        const result = await mcp.call(tool, args);
        expect([tool, result.isError, textOf(result)]).toEqual([tool, true, refusedKey(key)]);
      }
      expect((await new RunLedger(mcp.config.runner.stateDir).runs()).length).toBe(0);
      expect(existsSync(marker)).toBe(false);
    });
  });

  it("the marker test can fail: with the operator's --allow-config-key the same MCP server does start", async () => {
    const marker = join(markers, "allowed-by-operator");
    await withServer({ allowConfigKeys: ["mcp_servers"] }, async (mcp) => {
      const result = await mcp.call("run_codex", {
        cwd: workdir,
        skip_git_repo_check: true,
        prompt: "please say hi",
        mode: "read-only",
        config: { mcp_servers: { x: markerServer(marker) } },
      });
      expect(result.isError).toBeFalsy();
      expect(existsSync(marker)).toBe(true);
    });
  });

  it("profile needs --allow-profile", async () => {
    await withServer({}, async (mcp) => {
      const result = await mcp.call("run_codex", { cwd: workdir, prompt: "please say hi", profile: "evil" });
      expect(textOf(result)).toBe(
        'profile "evil" cannot be chosen by a caller: a Codex profile can set anything, including commands Codex starts and the sandbox. The operator can allow profiles with --allow-profile (or CODEX_CONTROL_ALLOW_PROFILE=1).',
      );
    });
  });

  it("the safe keys still reach Codex", async () => {
    await withServer({}, async (mcp) => {
      const before = model.requests.length;
      const view = (
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          prompt: "please say hi",
          mode: "read-only",
          config: { model: "mock-model-2", hide_agent_reasoning: true },
        })
      ).structuredContent as unknown as RunView;
      expect(view).toMatchObject({ status: "completed", effective: { model: "mock-model-2", mismatch: false } });
      expect(model.requests[before]?.model).toBe("mock-model-2");
    });
  });
});

describe("effective lists every widening the operator let through", () => {
  it("network access and an extra writable root are differences", async () => {
    const extra = await realpath(await mkdtemp(join(tmpdir(), "ccm-extra-root-")));
    await withServer({ allowConfigKeys: ["sandbox_workspace_write"] }, async (mcp) => {
      const view = (
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          prompt: "please say hi",
          config: { sandbox_workspace_write: { network_access: true, writable_roots: [extra] } },
        })
      ).structuredContent as unknown as RunView;
      expect(view.effective).toMatchObject({
        sandbox: "workspace-write",
        mismatch: true,
        differences: [
          `writable root ${JSON.stringify(extra)} was not asked for`,
          "sandbox network_access is true, asked for the default",
        ],
      });
      expect(textOf(await mcp.call("run_status", { run_id: view.run_id }))).toContain(
        "Warning: Codex ran with other settings than asked:",
      );
    });
  });
});

describe("workspaces cannot reach the server's own state", () => {
  it("/, the home directory, CODEX_HOME, the state dir, inside them or above them are refused", async () => {
    const why =
      "a run there could change Codex's configuration or this server's own state. Pass the project directory itself.";
    const userHome = await realpath(await mkdtemp(join(tmpdir(), "ccm-user-home-")));
    const stateDir = join(userHome, ".local", "state", "codex-control-mcp");
    await mkdir(stateDir, { recursive: true });
    await withServer({ stateDir, childEnv: { HOME: userHome } }, async (mcp) => {
      await mkdir(join(home, "sessions"), { recursive: true });
      const cases: Array<[string, string]> = [
        ["/", `cwd / is the root directory: ${why}`],
        [userHome, `cwd ${userHome} is the home directory: ${why}`],
        [home, `cwd ${home} is CODEX_HOME: ${why}`],
        [join(home, "sessions"), `cwd ${join(home, "sessions")} is inside CODEX_HOME (${home}): ${why}`],
        [dirname(home), `cwd ${dirname(home)} contains CODEX_HOME (${home}): ${why}`],
        [stateDir, `cwd ${stateDir} is the server's state dir: ${why}`],
        [
          join(userHome, ".local"),
          `cwd ${join(userHome, ".local")} contains the server's state dir (${stateDir}): ${why}`,
        ],
      ];
      for (const [cwd, message] of cases) {
        for (const mode of ["read-only", "sandboxed"]) {
          const result = await mcp.call("run_codex", {
            cwd,
            prompt: "please RUN:touch planted",
            mode,
            skip_git_repo_check: true,
          });
          expect([cwd, mode, result.isError, textOf(result)]).toEqual([cwd, mode, true, message]);
        }
      }
      // a project in the home directory is fine
      const project = join(userHome, "project");
      await mkdir(project);
      expect(
        (
          (await mcp.call("run_codex", { cwd: project, prompt: "please say hi", skip_git_repo_check: true }))
            .structuredContent as unknown as RunView
        ).status,
      ).toBe("completed");
    });
  });

  it("resume_session refuses a session whose workspace is CODEX_HOME", async () => {
    const userHome = await realpath(await mkdtemp(join(tmpdir(), "ccm-user-home-")));
    await withServer({ childEnv: { HOME: userHome } }, async (mcp) => {
      const source =
        (await readdir(join(home, "sessions"), { recursive: true })).find((name) =>
          name.endsWith(`${sessionId}.jsonl`),
        ) ?? "";
      const planted = "01a20a99-0000-7000-8000-0000000000bb";
      const text = (await readFile(join(home, "sessions", source), "utf8"))
        .split(sessionId)
        .join(planted)
        .split(`"cwd":"${workdir}"`)
        .join(`"cwd":"${home}"`);
      await writeFile(join(home, "sessions", dirname(source), `rollout-2026-11-23T00-00-00-${planted}.jsonl`), text);
      const result = await mcp.call("resume_session", { session_id: planted, prompt: "please say hi" });
      expect(textOf(result)).toBe(
        `cwd ${home} is CODEX_HOME: a run there could change Codex's configuration or this server's own state. Pass the project directory itself.`,
      );
    });
  });
});

/** A `codex` that runs `swap` (bash) right before handing an `exec` to the real CLI: the race made deterministic. */
async function swappingCodex(swap: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ccm-swap-"));
  const path = join(dir, "codex");
  await writeFile(
    path,
    `#!/usr/bin/env bash\nif [ "$1" = "exec" ] && [ "$2" != "--help" ] && [ "$3" != "--help" ]; then ${swap}; fi\nexec node ${JSON.stringify(PINNED_CODEX)} "$@"\n`,
  );
  await chmod(path, 0o755);
  return path;
}

describe("Codex acts on what was checked", () => {
  it("a relative image path is refused", async () => {
    await withServer({}, async (mcp) => {
      expect(textOf(await mcp.call("run_codex", { cwd: workdir, prompt: "x", images: ["pixel.png"] }))).toBe(
        'image "pixel.png" must be an absolute path.',
      );
    });
  });

  it("an image symlink swapped after the check: Codex still sends the checked bytes", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "ccm-root-")));
    const project = join(root, "project");
    await mkdir(project);
    const secret = join(await realpath(await mkdtemp(join(tmpdir(), "ccm-secret-"))), "secret.png");
    await writeFile(secret, "SECRET-BYTES-OUTSIDE-THE-ROOT");
    const image = join(project, "pixel.png");
    const pixel = PIXEL_PNG;
    await writeFile(join(project, "real.png"), pixel);
    await symlink(join(project, "real.png"), image);
    const codex = await swappingCodex(
      `rm -f ${JSON.stringify(image)}; ln -s ${JSON.stringify(secret)} ${JSON.stringify(image)}`,
    );
    await withServer({ codexBin: codex, allowedRoots: [root] }, async (mcp) => {
      const before = model.requests.length;
      const view = (
        await mcp.call("run_codex", {
          cwd: project,
          skip_git_repo_check: true,
          prompt: "please describe",
          images: [image],
        })
      ).structuredContent as unknown as RunView;
      expect(view.status).toBe("completed");
      expect(await realpath(image)).toBe(secret); // the swap happened
      const sent = JSON.stringify(model.requests[before]);
      expect(sent).toContain(pixel.toString("base64"));
      expect(sent).not.toContain(Buffer.from("SECRET-BYTES-OUTSIDE-THE-ROOT").toString("base64"));
      // swapped before the call: the link is followed to its target, which is checked
      const refused = await mcp.call("run_codex", { cwd: project, prompt: "please describe", images: [image] });
      expect(textOf(refused)).toBe(
        `image ${secret} is outside the allowed roots of this server (${root}); the operator sets them with --allowed-root.`,
      );
    });
  });

  it("a workspace swapped after the check stops the run and says so", async () => {
    const project = join(await realpath(await mkdtemp(join(tmpdir(), "ccm-swapped-"))), "project");
    await mkdir(project);
    const codex = await swappingCodex(
      `mv ${JSON.stringify(project)} ${JSON.stringify(`${project}.checked`)}; mkdir ${JSON.stringify(project)}`,
    );
    await withServer({ codexBin: codex }, async (mcp) => {
      const view = (await mcp.call("run_codex", { cwd: project, skip_git_repo_check: true, prompt: "please HANG" }))
        .structuredContent as unknown as RunView;
      expect(view.status).toBe("failed");
      expect(view.error).toMatch(
        new RegExp(
          `^Codex worked in ${project}, which is not the directory that was checked \\(${project}, device \\d+ inode \\d+; it is now device \\d+ inode \\d+\\): it was swapped after the check; the run was stopped\\.$`,
        ),
      );
      expect(view.effective?.mismatch).toBe(true);
    });
  });

  it("a cwd symlink swapped after the call changes nothing: Codex got the resolved path", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "ccm-link-")));
    await mkdir(join(root, "a"));
    await mkdir(join(root, "b"));
    const link = join(root, "link");
    await symlink(join(root, "a"), link);
    const codex = await swappingCodex(
      `rm ${JSON.stringify(link)}; ln -s ${JSON.stringify(join(root, "b"))} ${JSON.stringify(link)}`,
    );
    await withServer({ codexBin: codex }, async (mcp) => {
      const view = (
        await mcp.call("run_codex", { cwd: link, skip_git_repo_check: true, prompt: "please RUN:touch here" })
      ).structuredContent as unknown as RunView;
      expect(view).toMatchObject({
        status: "completed",
        cwd: join(root, "a"),
        effective: { cwd: join(root, "a"), mismatch: false },
      });
      expect(existsSync(join(root, "a", "here"))).toBe(true);
      expect(existsSync(join(root, "b", "here"))).toBe(false);
    });
  });
});

describe("recovery kills only what it can prove is the run's", () => {
  it("a forged or stale ledger record naming a live process group kills nothing; a marked leftover is stopped", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-state-"));
    const victim = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
    const marked = spawn("sleep", ["60"], {
      detached: true,
      stdio: "ignore",
      env: { ...process.env, [RUN_MARKER]: "run_leftover000001" },
    });
    const exited = new Promise((resolve) => marked.once("exit", resolve));
    try {
      const ledger = new RunLedger(stateDir);
      const start = {
        type: "start" as const,
        at: new Date().toISOString(),
        argv: [],
        cwd: workdir,
        mode: "sandboxed" as const,
        server_pid: 2 ** 22 + 1,
        codex_version: "0.169.0",
        prompt_preview: "",
        resume_of: null,
      };
      await ledger.append({ ...start, run_id: "run_forged000001", pgid: victim.pid ?? 0 });
      await ledger.append({ ...start, run_id: "run_leftover000001", pgid: victim.pid ?? 0 });
      await ledger.append({ ...start, run_id: "", pgid: victim.pid ?? 0 });
      // an id that is a path: settling it must not create or remove anything outside the run directories
      await ledger.append({ ...start, run_id: "../outside", pgid: victim.pid ?? 0 });
      await withServer({ stateDir }, async (mcp) => {
        expect(await mcp.server.runs.recover()).toBe(1);
      });
      await exited;
      expect(marked.signalCode).toBe("SIGKILL");
      expect(victim.exitCode).toBe(null);
      expect(process.kill(victim.pid ?? 0, 0)).toBe(true);
      const ends = (await new RunLedger(stateDir).runs()).map((entry) => [entry.start.run_id, entry.end?.status]);
      // a leftover stopped for a dead follower is recorded failed (the supervisor design: nobody cancelled it);
      // records whose run id is not one (empty, a path) do not match the contract: ignored and reported, never believed
      expect(ends).toEqual([
        ["run_forged000001", "failed"],
        ["run_leftover000001", "failed"],
      ]);
      expect(
        ignoredStateFiles()
          .filter((file) => file.path === join(stateDir, "runs.jsonl"))
          .map((file) => file.why),
      ).toContain(
        "a record that does not match its schema (run_id: Invalid string: must match pattern /^run_[0-9a-z]{6,40}$/)",
      );
      expect(existsSync(join(stateDir, "outside"))).toBe(false);
    } finally {
      victim.kill("SIGKILL");
      marked.kill("SIGKILL");
    }
  });
});

/** What is left of runs' inputs and last-message files under `<state dir>/runs`, as `<run_id>/<path>`. */
async function runInputs(stateDir: string): Promise<string[]> {
  const left: string[] = [];
  for (const runId of await readdir(join(stateDir, "runs")).catch(() => [] as string[])) {
    for (const name of await readdir(join(stateDir, "runs", runId))) {
      if (name.endsWith("-last-message.txt")) left.push(`${runId}/${name}`);
      if (name === "inputs")
        left.push(...(await readdir(join(stateDir, "runs", runId, name))).map((file) => `${runId}/inputs/${file}`));
    }
  }
  return left.sort();
}

describe("bounded state", () => {
  it("the output_schema file and image copies are removed on refusal, on error and at the end", async () => {
    await withServer({ maxConcurrent: 1, queueWaitMs: 200 }, async (mcp) => {
      const stateDir = mcp.config.runner.stateDir;
      const image = join(workdir, "schema-pixel.png");
      await writeFile(image, PIXEL_PNG);
      const schema = {
        type: "object",
        properties: { ok: { type: "boolean" } },
        required: ["ok"],
        additionalProperties: false,
      };
      const done = (
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          prompt: "please answer",
          mode: "read-only",
          output_schema: schema,
          images: [image],
        })
      ).structuredContent as unknown as RunView;
      expect(done.status).toBe("completed");
      expect(await runInputs(stateDir)).toEqual([]);
      const first = (
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          prompt: "please HANG",
          mode: "read-only",
          background: true,
          output_schema: schema,
        })
      ).structuredContent as unknown as RunView;
      // (Codex's own last-message file of the live run may be there too: it is removed at the end)
      expect((await runInputs(stateDir)).filter((path) => path.includes("/inputs/"))).toEqual([
        `${first.run_id}/inputs/schema.json`,
      ]);
      for (let i = 0; i < 20; i++) {
        const refused = await mcp.call("run_codex", {
          cwd: workdir,
          prompt: "please say hi",
          mode: "read-only",
          output_schema: schema,
          images: [image],
        });
        expect(textOf(refused)).toMatch(/^1 runs are already running/);
      }
      // (Codex's own last-message file of the live run may be there too: it is removed at the end)
      expect((await runInputs(stateDir)).filter((path) => path.includes("/inputs/"))).toEqual([
        `${first.run_id}/inputs/schema.json`,
      ]);
      await mcp.call("cancel_run", { run_id: first.run_id });
      expect(await runInputs(stateDir)).toEqual([]);
      // images are copied once a slot is granted: a missing second image undoes the first one's copy
      const missing = await mcp.call("run_codex", {
        cwd: workdir,
        prompt: "x",
        mode: "read-only",
        output_schema: schema,
        images: [image, join(workdir, "missing.png")],
      });
      expect(textOf(missing)).toBe(`image ${join(workdir, "missing.png")} is not a readable file.`);
      expect(await runInputs(stateDir)).toEqual([]);
      // a refused run leaves no directory of its own: only the two runs that started have one
      expect((await readdir(join(stateDir, "runs"))).sort()).toEqual([done.run_id, first.run_id].sort());
      await unlink(image);
    });
  });

  it("a 3 MB config value makes a ledger line under 64 KB that notes the original length", async () => {
    await withServer({}, async (mcp) => {
      const huge = "v".repeat(3 * 1024 * 1024);
      const view = (
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          prompt: "p".repeat(900_000),
          mode: "read-only",
          config: { model_verbosity: huge },
        })
      ).structuredContent as unknown as RunView;
      expect(view.status).toBe("failed");
      const lines = (await readFile(new RunLedger(mcp.config.runner.stateDir).path, "utf8")).trimEnd().split("\n");
      for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThan(MAX_RECORD_BYTES);
      const start = (await new RunLedger(mcp.config.runner.stateDir).find(view.run_id))?.start;
      const entry = start?.argv.find((arg) => arg.startsWith("--config=model_verbosity="));
      expect(entry).toMatch(
        new RegExp(
          `^--config=model_verbosity="v+… \\[truncated: ${huge.length + '--config=model_verbosity=""'.length} chars\\]$`,
        ),
      );
    });
  });
});
