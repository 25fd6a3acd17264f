// Every session resources/list shows can be read back through its own URI, even when the id the log states
// (session_meta) is not the UUID in the file's name: the reader finds sessions by that file name.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { copyFixtureHome } from "../support/fixtures.js";
import { connect, type Connected } from "../support/mcp.js";

const FILE_ID = "eeeeeeee-7e83-7bc0-9f86-924b24ffd1da";
const LOG_ID = "weird id/x?y#z";

let mcp: Connected;

beforeAll(async () => {
  const { home, fixtures } = await copyFixtureHome();
  const source = fixtures.find((entry) => entry.rollout.endsWith("01a20a2b-7e83-7bc0-9f86-924b24ffd1da.jsonl"));
  const text = await readFile(source?.path ?? "", "utf8");
  const day = join(home, "sessions", "2026", "11", "26");
  await mkdir(day, { recursive: true });
  // the newest session, so it heads the list; its log names it something its file does not
  await writeFile(
    join(day, `rollout-2026-11-26T10-00-00-${FILE_ID}.jsonl`),
    text.replace('"id":"01a20a2b-7e83-7bc0-9f86-924b24ffd1da"', `"id":${JSON.stringify(LOG_ID)}`),
  );
  mcp = await connect({ codexHome: home });
});
afterAll(async () => mcp.close());

it("lists a session under a URI that reads it", async () => {
  const { resources } = await mcp.client.listResources();
  const first = resources[0];
  expect(first?.name).toBe(LOG_ID);
  expect(first?.uri).toBe(`codex://sessions/${FILE_ID}`);
  for (const resource of resources) {
    const read = await mcp.client.readResource({ uri: resource.uri });
    const summary = JSON.parse((read.contents[0] as { text: string }).text) as { path: string };
    expect(summary.path.endsWith(".jsonl") || summary.path.endsWith(".json")).toBe(true);
  }
  const read = await mcp.client.readResource({ uri: first?.uri ?? "" });
  const summary = JSON.parse((read.contents[0] as { text: string }).text) as { session_id: string; path: string };
  expect(summary.session_id).toBe(LOG_ID);
  expect(summary.path.endsWith(`${FILE_ID}.jsonl`)).toBe(true);
});

it("answers a URI naming no session as the caller's mistake (invalid params), with the fix", async () => {
  const read = mcp.client.readResource({ uri: "codex://sessions/nope" });
  await expect(read).rejects.toMatchObject({
    code: -32602,
    message: expect.stringMatching(
      /^MCP error -32602: "nope" is not a session id: pass a session UUID, a unique prefix of 8\+ characters, `last`/,
    ) as unknown,
  });
});

// The template's {id} arrives as written in the URI, percent-encoded (RFC 6570 encodes a reserved character
// such as `/`): before, a rollout's absolute path, which session_summary takes, was refused as no session id,
// and a refusal quoted "last%0Ax" rather than what the caller named. The id is decoded once now; an encoding
// that does not decode (`%ZZ`) is looked up as written.
it("reads a percent-encoded id as the id it encodes", async () => {
  const listed = (await mcp.call("list_sessions", { limit: 1 })).structuredContent as {
    sessions: Array<{ path: string }>;
  };
  const path = listed.sessions[0]?.path ?? "";
  const read = await mcp.client.readResource({ uri: `codex://sessions/${encodeURIComponent(path)}` });
  expect((JSON.parse((read.contents[0] as { text: string }).text) as { path: string }).path).toBe(path);
  const refusals = [];
  for (const id of ["last%0Ax", "%ZZ"]) {
    const error = await mcp.client.readResource({ uri: `codex://sessions/${id}` }).catch((failure: unknown) => failure);
    refusals.push(String((error as Error).message).split(" is not a session id")[0]);
  }
  expect(refusals).toEqual(['MCP error -32602: "last\\u000ax"', 'MCP error -32602: "%ZZ"']);
});
