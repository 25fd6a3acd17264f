// A session bus this server has but `--env-allow` keeps from its Codex runs: the keyring answers in the user's shell,
// not in the runs. The check refused such runs (right) but printed "log Codex in" / "set auto and log in": a
// `codex login` in that shell, where the keyring answers, keeps the login in the keyring (codex-rs AutoAuthStorage
// saves there first), which the runs still cannot reach, so the next run was refused again. The fix passes the
// variable on.
import { describe, expect, it } from "vitest";
import { assessCredentials } from "../../src/codex/credentials.js";

const BUS = { DBUS_SESSION_BUS_ADDRESS: "unix:path=/tmp/no-such-bus" };
const ALLOW =
  "This server has DBUS_SESSION_BUS_ADDRESS but hands Codex only allowlisted variables: add `--env-allow DBUS_SESSION_BUS_ADDRESS` to the server's arguments.";

function assess(store: string, serverEnv: NodeJS.ProcessEnv, authJson: string | null = null) {
  return assessCredentials({
    runEnv: {},
    serverEnv,
    codexHome: "/h",
    configToml: `cli_auth_credentials_store = "${store}"\n`,
    authJson,
    defaultBus: false,
  });
}

describe("a session bus narrowed away from Codex runs", () => {
  it('"auto" with no auth.json: the fix passes the bus on first', () => {
    // before: "Log Codex in once: …", which stores the login where the runs cannot read it
    expect(assess("auto", BUS).fix).toBe(
      `${ALLOW} Log Codex in once: \`CODEX_HOME=/h codex login\` (an API key: \`codex login --with-api-key\`, the key on stdin). Or pass the key as CODEX_API_KEY: Add CODEX_API_KEY to the \`env\` of this server's entry in your MCP host's configuration (or start the host from a shell that has it).`,
    );
  });

  it('"keyring" with a login in auth.json: the fix passes the bus on', () => {
    // before: 'Set cli_auth_credentials_store = "auto" …', while the login Codex was told to use is in the keyring
    expect(assess("keyring", BUS, '{"OPENAI_API_KEY":"sk-1"}').fix).toBe(ALLOW);
  });

  it("XDG_RUNTIME_DIR alone is no bus to pass on: with /run/user/<uid>/bus absent, $XDG_RUNTIME_DIR/bus is that path", () => {
    // zbus tries $XDG_RUNTIME_DIR/bus only without DBUS_SESSION_BUS_ADDRESS; the server's shell has no bus either, so
    // a `codex login` there writes auth.json, which "auto" reads: the login fix stands
    expect(assess("auto", { XDG_RUNTIME_DIR: "/run/user/1000" }).fix?.startsWith("Log Codex in once")).toBe(true);
  });

  it("control: a server without a bus of its own keeps the login fixes", () => {
    expect([
      assess("auto", {}).fix?.startsWith("Log Codex in once"),
      assess("keyring", {}).fix?.startsWith("Set"),
    ]).toEqual([true, true]);
  });
});
