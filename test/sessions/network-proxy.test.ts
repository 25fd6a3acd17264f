// requirements.toml's network proxy (`[experimental_network] enabled = true`, or `[network_proxy]`,
// `[permissions.network]`) was not read. Checked with the 0.171 CLI, /etc bound over in a private mount
// namespace: with it, `codex exec -s workspace-write -c sandbox_workspace_write.network_access=true` reaches only
// the hosts its `allowed_domains` lists; the command to another host answers `exec_command failed: ProcessFailed
// { message: "Network access to \"http://notlisted.invalid:80\" was blocked by policy." }` (the fixture, that
// run scrubbed). That refusal was read as a plain failed command ("exited with -1 (killed when the turn ended)")
// and the network step offered `-c …network_access=true`, which the proxy blocks again. danger-full-access
// bypasses the proxy (the printed full-access command, pasted, ran); `enabled = false` changes nothing.
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCodexConfig } from "../../src/sessions/codex-config.js";
import { hostOf, proxyAllows } from "../../src/sessions/codex-config-network.js";
import { diagnose } from "../../src/sessions/diagnosis.js";
import { normalizeLine } from "../../src/sessions/normalize.js";
import { sandboxStep } from "../../src/sessions/sandbox-step.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { parseToolOutput } from "../../src/sessions/tool-output.js";
import { SHAPES, shapeIdOf } from "../support/shape-home.js";

let root: string;
let home: string;
let files: { config: string; managed: string; requirements: string };
beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-network-proxy-")));
  home = join(root, "home");
  await mkdir(join(root, "etc"));
  await mkdir(home);
  await writeFile(join(home, "config.toml"), "");
  files = {
    config: join(root, "etc", "config.toml"),
    managed: join(root, "etc", "managed_config.toml"),
    requirements: join(root, "etc", "requirements.toml"),
  };
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function factsWith(requirements: string) {
  await writeFile(files.requirements, requirements);
  return readCodexConfig(home, null, files);
}

const PROXY = '[experimental_network]\nenabled = true\nallowed_domains = ["example.com", "*.pypi.org"]\n';

describe("requirements.toml's network proxy", () => {
  it("is a fact when a table turns it on, with every table's allowed_domains; off or absent: none", async () => {
    expect((await factsWith(PROXY))?.requirements).toEqual({
      file: files.requirements,
      networkProxy: { table: "experimental_network", allowedDomains: ["example.com", "*.pypi.org"] },
    });
    expect((await factsWith("[permissions.network]\nenabled = true\n"))?.requirements?.networkProxy).toEqual({
      table: "permissions.network",
      allowedDomains: [],
    });
    expect(
      (await factsWith('[experimental_network]\nenabled = false\nallowed_domains = ["a.b"]\n'))?.requirements,
    ).toBe(undefined);
    expect((await factsWith('[network_proxy]\nallowed_domains = ["a.b"]\n'))?.requirements).toBe(undefined);
  });

  it("lets through only listed hosts: exact, *.x for subdomains, **.x for x and them", () => {
    const proxy = {
      table: "experimental_network",
      allowedDomains: ["example.com", "*.pypi.org", "**.npmjs.org", "127.0.0.1"],
    };
    expect(hostOf("http://notlisted.invalid:80")).toBe("notlisted.invalid");
    expect(hostOf("127.0.0.1:35637")).toBe("127.0.0.1");
    expect(hostOf(null)).toBe(undefined);
    expect(
      [
        "EXAMPLE.com",
        "a.example.com",
        "files.pypi.org",
        "pypi.org",
        "npmjs.org",
        "r.npmjs.org",
        "127.0.0.1:80",
        "http://x.y:80",
        null,
      ].map((target) => proxyAllows(proxy, target)),
    ).toEqual([true, false, true, false, true, true, true, false, undefined]);
  });

  it("follows Codex's own matching: denied_domains over allowed_domains, patterns normalized as hosts are", async () => {
    // 0.171, allowed_domains ["**.example.com"] and denied_domains ["secret.example.com"]: `curl
    // http://secret.example.com/` got "Network access to \"secret.example.com\" was blocked: domain is explicitly
    // denied by policy and cannot be approved from this prompt." Patterns are trimmed, lower-cased, their port
    // and trailing dots dropped (codex-rs network-proxy policy.rs normalize_pattern), hosts the same.
    const facts = await factsWith(
      '[experimental_network]\nenabled = true\nallowed_domains = ["**.example.com", " Docs.Rs. ", "crates.io:443", "a?.x"]\ndenied_domains = ["secret.example.com", 7]\n',
    );
    const proxy = facts!.requirements!.networkProxy!;
    expect(proxy.deniedDomains).toEqual(["secret.example.com"]);
    expect(
      ["secret.example.com", "SECRET.example.com.", "ok.example.com", "docs.rs", "crates.io", "ab.x", "b.y"].map(
        (target) => proxyAllows(proxy, target),
      ),
      // before: [true, false, true, false, false, false, false]
    ).toEqual([false, false, true, true, true, undefined, undefined]);
    // a seccomp refusal of a denied host: -c network_access would be refused by the proxy; before, it was the step
    const work = {
      failed: [],
      denials: [
        {
          call_id: "c",
          command: "curl x",
          kind: "network" as const,
          target: "secret.example.com",
          mode: "workspace-write",
        },
      ],
      refusedWrites: [],
      gaveUp: false,
      lastCallFailed: true,
    };
    const step = sandboxStep("workspace-write", work, "/p", undefined, (mode) => mode, facts);
    expect(step.resume).toEqual({
      sandbox: "danger-full-access",
      prompt: "The sandbox is off now; run the blocked commands again.",
    });
    expect(step.how).toBe(
      `${files.requirements}'s [experimental_network] sends the sandbox's network through Codex's proxy, which reaches only its allowed_domains ("**.example.com", " Docs.Rs. ", "crates.io:443", "a?.x"; a local or private address only when listed), never its denied_domains ("secret.example.com"): have the host taken off its denied_domains, or: Only running without the sandbox allows this: it needs the operator's consent (this server: --allow-full-access, then resume_session full-access). By hand`,
    );
  });

  it("a hostile file: patterns no host can match (half a megabyte) and a thousand of them are not carried into the step", async () => {
    const long = "a".repeat(500_000);
    const many = Array.from({ length: 1000 }, (_, index) => `"h${index}.x"`).join(", ");
    const proxy = (await factsWith(
      `[experimental_network]\nenabled = true\nallowed_domains = ["${long}", ${many}]\ndenied_domains = ["${long}"]\n`,
    ))!.requirements!.networkProxy!;
    // before: the long pattern was kept, and printed into the step's words
    expect([
      proxy.allowedDomains.length,
      proxy.allowedDomains[0],
      proxy.allowedDomains.at(-1),
      proxy.deniedDomains,
    ]).toEqual([64, "h0.x", "h63.x", undefined]);
  });

  it("a refusal for another reason than allowed_domains says that reason, not 'not in its allowed_domains'", async () => {
    // 0.171's own words (allowed_domains ["**.example.com"], denied_domains ["secret.example.com"]): a denied host,
    // and a listed name the proxy found local or private
    const text = await readFile(join(SHAPES, "network-proxy-blocked-by-policy.jsonl"), "utf8");
    const said = async (message: string) => {
      const lines = text
        .replaceAll(
          '\\\\\\"http://notlisted.invalid:80\\\\\\" was blocked by policy.',
          message.replaceAll('"', '\\\\\\"'),
        )
        .replaceAll('\\"http://notlisted.invalid:80\\" was blocked by policy.', message.replaceAll('"', '\\"'))
        .split("\n")
        .filter((line) => line !== "");
      const model = await foldEvents(
        lines
          .flatMap((line, index) => normalizeLine(JSON.parse(line), index + 1))
          .filter((event) => event !== undefined),
      );
      const diagnosis = diagnose(model, {
        sessionId: shapeIdOf(1301),
        cwd: "/home/user/proj",
        config: await factsWith(PROXY),
      });
      // the step's ask: what the requirements' owner must change for that reason
      const ask = /\): (have [^:]*), or: Only running/.exec(diagnosis.next_step ?? "")?.[1];
      return [diagnosis.failed_commands[0]?.meaning, diagnosis.evidence.at(-1), ask];
    };
    const curl =
      'blocked: "curl -sS -m 3 http://notlisted.invalid/ ; echo rc2=$?": Codex\'s network proxy refused network access to';
    expect(
      await said(
        '"secret.example.com" was blocked: domain is explicitly denied by policy and cannot be approved from this prompt.',
      ),
    ).toEqual([
      "refused by Codex's network proxy (in its denied_domains); the command never ran",
      `${curl} secret.example.com (in its denied_domains)`,
      // before: "have the host added there", which a denied host does not need
      "have the host taken off its denied_domains",
    ]);
    // before: "(not in its allowed_domains)", though **.example.com lists it
    expect(
      await said('"ok.example.com" was blocked: local/private network addresses are blocked by the sandbox policy.'),
    ).toEqual([
      "refused by Codex's network proxy (a local or private address); the command never ran",
      `${curl} ok.example.com (a local or private address)`,
      "have its owner allow local or private addresses there (a listed name that resolves to one is still refused)",
    ]);
  });

  it("its refusal is a network denial of the proxy's, and the step asks for the host or full access, not -c network_access", async () => {
    expect(
      parseToolOutput(
        'exec_command failed: ProcessFailed { message: "Network access to \\"http://notlisted.invalid:80\\" was blocked by policy." }',
      ).denial,
    ).toEqual({ kind: "network", target: "http://notlisted.invalid:80", explicit: true, proxied: "not allowed" });
    const text = await readFile(join(SHAPES, "network-proxy-blocked-by-policy.jsonl"), "utf8");
    const lines = text.split("\n").filter((line) => line !== "");
    const model = await foldEvents(
      lines.flatMap((line, index) => normalizeLine(JSON.parse(line), index + 1)).filter((event) => event !== undefined),
    );
    const id = shapeIdOf(1301);
    const diagnosis = diagnose(model, {
      sessionId: id,
      cwd: "/home/user/proj",
      config: await factsWith(PROXY),
    });
    expect(diagnosis.category).toBe("sandbox_blocked");
    expect(diagnosis.failed_commands).toEqual([
      {
        call_id: "call_27",
        command: "curl -sS -m 3 http://notlisted.invalid/ ; echo rc2=$?",
        exit_code: -1,
        meaning: "refused by Codex's network proxy (not in its allowed_domains); the command never ran",
      },
    ]);
    // before: "the sandbox (workspace-write) refused network access to …": the sandbox had network access
    expect(diagnosis.evidence.at(-1)).toBe(
      'blocked: "curl -sS -m 3 http://notlisted.invalid/ ; echo rc2=$?": Codex\'s network proxy refused network access to http://notlisted.invalid:80 (not in its allowed_domains)',
    );
    expect(diagnosis.next_step).toBe(
      `${files.requirements}'s [experimental_network] sends the sandbox's network through Codex's proxy, which reaches only its allowed_domains ("example.com", "*.pypi.org"; a local or private address only when listed): have the host added to its allowed_domains, or: Only running without the sandbox allows this: it needs the operator's consent (this server: --allow-full-access, then resume_session mode "full-access", skip_git_repo_check true). By hand: codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --skip-git-repo-check --model mock-model resume ${id} 'The sandbox is off now; run the blocked commands again.'`,
    );
  });

  it("a seccomp refusal of a listed host: -c network_access, saying where it reaches", async () => {
    const work = {
      failed: [],
      denials: [
        { call_id: "c", command: "curl x", kind: "network" as const, target: "example.com", mode: "workspace-write" },
      ],
      refusedWrites: [],
      gaveUp: false,
      lastCallFailed: true,
    };
    const step = sandboxStep("workspace-write", work, "/p", undefined, (mode) => mode, await factsWith(PROXY));
    expect(step.resume.options).toEqual(["-c", "sandbox_workspace_write.network_access=true"]);
    expect(step.how).toBe(
      `Resume with network access in the workspace-write sandbox (\`-c sandbox_workspace_write.network_access=true\`; it needs the operator's consent; ${files.requirements}'s [experimental_network] sends the sandbox's network through Codex's proxy, which reaches only its allowed_domains ("example.com", "*.pypi.org"; a local or private address only when listed))`,
    );
    // a host it does not list: that step would be blocked again
    const other = { ...work, denials: [{ ...work.denials[0]!, target: "github.com:443" }] };
    expect(
      sandboxStep("workspace-write", other, "/p", undefined, (mode) => mode, await factsWith(PROXY)).resume,
    ).toEqual({
      sandbox: "danger-full-access",
      prompt: "The sandbox is off now; run the blocked commands again.",
    });
  });
});
