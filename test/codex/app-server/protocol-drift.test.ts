// Every field our schemas require of an app-server message is in the protocol the pinned CLI prints
// (`codex app-server generate-json-schema`): upgrading the CLI to one that renamed or dropped a field we rely on
// fails here, by name, before any run meets it.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  APPROVAL_SCHEMAS,
  NOTIFICATION_SCHEMAS,
  rateLimitsReadResultSchema,
  threadStartResultSchema,
  turnStartResultSchema,
  turnSteerResultSchema,
} from "../../../src/codex/app-server/protocol.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema;
  definitions?: Record<string, JsonSchema>;
};

let dir: string;
beforeAll(async () => {
  const { home } = await makeCodexHome("http://127.0.0.1:9", "drift");
  dir = await mkdtemp(join(tmpdir(), "ccm-protocol-"));
  await promisify(execFile)(process.execPath, [PINNED_CODEX, "app-server", "generate-json-schema", "--out", dir], {
    env: codexEnv(home),
  });
});

/** Their object schemas at a node: a $ref resolved, each branch of a union or intersection. */
function objectsOf(node: JsonSchema, root: JsonSchema): JsonSchema[] {
  if (node.$ref) {
    const name = node.$ref.replace("#/definitions/", "");
    const target = root.definitions?.[name];
    return target ? objectsOf(target, root) : [];
  }
  const branches = [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
  const own = node.properties ? [node] : [];
  return [...own, ...branches.flatMap((branch) => objectsOf(branch, root))];
}

/** The fields ours requires that theirs lacks, as dotted paths. */
function missing(ours: JsonSchema, theirs: JsonSchema, root: JsonSchema, path: string): string[] {
  const candidates = objectsOf(theirs, root);
  if (!ours.properties || candidates.length === 0) return [];
  const gaps: string[] = [];
  for (const name of ours.required ?? []) {
    const here = candidates.filter((candidate) => candidate.properties?.[name] !== undefined);
    if (here.length === 0) {
      gaps.push(`${path}${name}`);
      continue;
    }
    const mine = ours.properties[name] ?? {};
    const nested = [mine, ...(mine.anyOf ?? [])].find((branch) => branch.properties);
    if (nested) gaps.push(...missing(nested, here[0]!.properties![name]!, root, `${path}${name}.`));
  }
  return gaps;
}

function gapsOf(schema: z.ZodType, file: string): string[] {
  const theirs = JSON.parse(readFileSync(join(dir, file), "utf8")) as JsonSchema;
  const ours = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return missing(ours, theirs, theirs, "");
}

describe("the app-server messages we rely on, against the pinned CLI's protocol", () => {
  const pairs: Array<[string, z.ZodType, string]> = [
    ["thread/start", threadStartResultSchema, "v2/ThreadStartResponse.json"],
    ["turn/start", turnStartResultSchema, "v2/TurnStartResponse.json"],
    ["turn/steer", turnSteerResultSchema, "v2/TurnSteerResponse.json"],
    ["account/rateLimits/read", rateLimitsReadResultSchema, "v2/GetAccountRateLimitsResponse.json"],
    ["turn/started", NOTIFICATION_SCHEMAS["turn/started"], "v2/TurnStartedNotification.json"],
    ["turn/completed", NOTIFICATION_SCHEMAS["turn/completed"], "v2/TurnCompletedNotification.json"],
    ["item/started", NOTIFICATION_SCHEMAS["item/started"], "v2/ItemStartedNotification.json"],
    ["item/completed", NOTIFICATION_SCHEMAS["item/completed"], "v2/ItemCompletedNotification.json"],
    [
      "thread/tokenUsage/updated",
      NOTIFICATION_SCHEMAS["thread/tokenUsage/updated"],
      "v2/ThreadTokenUsageUpdatedNotification.json",
    ],
    [
      "account/rateLimits/updated",
      NOTIFICATION_SCHEMAS["account/rateLimits/updated"],
      "v2/AccountRateLimitsUpdatedNotification.json",
    ],
    ["error", NOTIFICATION_SCHEMAS.error, "v2/ErrorNotification.json"],
    [
      "serverRequest/resolved",
      NOTIFICATION_SCHEMAS["serverRequest/resolved"],
      "v2/ServerRequestResolvedNotification.json",
    ],
    [
      "item/commandExecution/requestApproval",
      APPROVAL_SCHEMAS["item/commandExecution/requestApproval"],
      "CommandExecutionRequestApprovalParams.json",
    ],
    [
      "item/fileChange/requestApproval",
      APPROVAL_SCHEMAS["item/fileChange/requestApproval"],
      "FileChangeRequestApprovalParams.json",
    ],
    [
      "mcpServer/elicitation/request",
      APPROVAL_SCHEMAS["mcpServer/elicitation/request"],
      "McpServerElicitationRequestParams.json",
    ],
  ];

  for (const [method, schema, file] of pairs)
    it(`${method}: every field we require is there`, () => expect(gapsOf(schema, file)).toEqual([]));

  it("would name a field the CLI dropped (the control)", () => {
    const renamed = z.looseObject({ thread: z.looseObject({ id: z.string(), rolloutFile: z.string() }) });
    expect(gapsOf(renamed, "v2/ThreadStartResponse.json")).toEqual(["thread.rolloutFile"]);
    const deeper = z.looseObject({ tokenUsage: z.looseObject({ total: z.looseObject({ totalTokenz: z.number() }) }) });
    expect(gapsOf(deeper, "v2/ThreadTokenUsageUpdatedNotification.json")).toEqual(["tokenUsage.total.totalTokenz"]);
  });
});
