// doctor with CODEX_API_KEY and no login: exec runs pass the credentials check, but a call may ask for engine
// "app-server", which reads only a login (credentials-engines.test.ts): doctor says so before a run is refused.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { doctor } from "../../src/doctor/doctor.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "../support/mcp.js";

async function report(login: boolean) {
  const home = await mkdtemp(join(tmpdir(), "doctor-app-"));
  await writeFile(join(home, "config.toml"), 'model = "m"\n');
  if (login) await writeFile(join(home, "auth.json"), JSON.stringify({ OPENAI_API_KEY: "sk-login" }));
  const config = testConfig({ codexHome: home, childEnv: { CODEX_API_KEY: "sk-env", OPENAI_API_KEY: "" } });
  return { home, checks: (await doctor(config, new RunManager(config.runner), { probe: false })).checks };
}

describe("doctor and engine app-server's credentials", () => {
  it("warns when only CODEX_API_KEY is there: app-server runs would be refused", async () => {
    const { home, checks } = await report(false);
    expect(checks.find((check) => check.name === "credentials")?.level).toBe("ok");
    // before: no such check; the first app-server run was refused
    expect(checks.find((check) => check.name === "credentials (app-server)")).toEqual({
      name: "credentials (app-server)",
      level: "warn",
      found: `runs with engine "app-server" would be refused: no login in ${home}/auth.json`,
      fix: `Log Codex in once: \`CODEX_HOME=${home} codex login\` (an API key: \`codex login --with-api-key\`, the key on stdin); engine "app-server" reads no key from the environment.`,
    });
  });

  it("says nothing more with a login (the control)", async () => {
    const { checks } = await report(true);
    expect(checks.filter((check) => check.name.startsWith("credentials")).map((check) => check.level)).toEqual(["ok"]);
  });
});
