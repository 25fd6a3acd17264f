// Which app-server protocol the installed CLI speaks, read from its own `codex app-server generate-json-schema`
// (no model, no network, no login needed): the client methods, server requests and notifications it knows.
// A CLI without the app-server (before ~0.40) or without a method we call is refused with what to do.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExplainedError } from "../../shared/errors.js";
import { tryParseJson, isRecord } from "../../shared/json.js";
import { loadExeca } from "../execa.js";
import { APPROVAL_METHODS, CLIENT_METHODS, NOTIFICATION_SCHEMAS } from "./protocol.js";

export interface AppServerProtocol {
  version: string;
  clientMethods: Set<string>;
  serverRequests: Set<string>;
  notifications: Set<string>;
}

export class AppServerUnavailableError extends ExplainedError {
  override readonly name = "AppServerUnavailableError";
}

/** The `method` names of a generated `ClientRequest.json` / `ServerRequest.json` / `ServerNotification.json`. */
export function methodsOfSchema(schema: unknown): Set<string> {
  const methods = new Set<string>();
  const variants = isRecord(schema) && Array.isArray(schema.oneOf) ? schema.oneOf : [];
  for (const variant of variants) {
    if (!isRecord(variant) || !isRecord(variant.properties)) continue;
    const method = variant.properties.method;
    if (isRecord(method) && Array.isArray(method.enum))
      for (const name of method.enum) if (typeof name === "string") methods.add(name);
  }
  return methods;
}

/** What is missing for the engine: client methods we call, approval requests we answer, notifications we read. */
export function missingMethods(protocol: Omit<AppServerProtocol, "version">): string[] {
  return [
    ...CLIENT_METHODS.filter((m) => !protocol.clientMethods.has(m)),
    ...APPROVAL_METHODS.filter((m) => !protocol.serverRequests.has(m)),
    ...Object.keys(NOTIFICATION_SCHEMAS).filter((m) => !protocol.notifications.has(m)),
  ];
}

export async function probeAppServer(codexBin: string, env: Record<string, string>): Promise<AppServerProtocol> {
  const { execa } = await loadExeca();
  const run = (args: string[]) =>
    execa(codexBin, args, { env, stdin: "ignore", reject: false, timeout: 30_000, extendEnv: false });
  const versionRun = await run(["--version"]);
  if (versionRun.exitCode !== 0)
    throw new AppServerUnavailableError(
      `cannot run \`${codexBin} --version\` (${versionRun.shortMessage}). Install the Codex CLI (\`npm install -g @openai/codex\`) or set CODEX_BIN.`,
    );
  const version = /(\d+\.\d+\.\d+(?:-[\w.]+)?)/.exec(String(versionRun.stdout))?.[1] ?? "unknown";
  const dir = await mkdtemp(join(tmpdir(), "ccm-app-server-schema-"));
  try {
    const generated = await run(["app-server", "generate-json-schema", "--out", dir]);
    if (generated.exitCode !== 0) {
      throw new AppServerUnavailableError(
        `Codex CLI ${version} has no usable \`codex app-server\` (\`app-server generate-json-schema\` exited ${generated.exitCode ?? generated.shortMessage}). The app-server engine needs a newer CLI: \`npm install -g @openai/codex@latest\`, or use engine "exec".`,
      );
    }
    const read = async (name: string): Promise<Set<string>> =>
      methodsOfSchema(tryParseJson(await readFile(join(dir, name), "utf8").catch(() => "")));
    const protocol = {
      version,
      clientMethods: await read("ClientRequest.json"),
      serverRequests: await read("ServerRequest.json"),
      notifications: await read("ServerNotification.json"),
    };
    const missing = missingMethods(protocol);
    if (missing.length > 0) {
      throw new AppServerUnavailableError(
        `Codex CLI ${version}'s app-server lacks ${missing.map((m) => `\`${m}\``).join(", ")}, which the app-server engine uses. Upgrade it (\`npm install -g @openai/codex@latest\`), or use engine "exec".`,
      );
    }
    return protocol;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
