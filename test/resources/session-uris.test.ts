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
