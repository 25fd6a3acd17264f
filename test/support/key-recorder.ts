// A loopback server in front of the fake model that records the Authorization header of every request (the key the
// real Codex CLI sends), answering 401 to a request without one and passing the others on to the fake model.
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { startFakeModel, type FakeModel } from "./fake-model.js";

export interface KeyRecorder {
  /** The base URL to give Codex (`…/v1`). */
  url: string;
  /** The Authorization header of each request, in order, "-" for none. */
  seen: string[];
  close(): Promise<void>;
}

export async function startKeyRecorder(model: FakeModel): Promise<KeyRecorder> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization ?? "-");
    if (req.headers.authorization === undefined) {
      req.resume();
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "no key", type: "invalid_request_error", code: "invalid_api_key" } }));
      return;
    }
    const target = new URL(req.url ?? "/", model.url);
    const forward = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A fake model and a key recorder in front of it, started before the file's tests and closed after them. */
export function useKeyRecorder(): { model: FakeModel; recorder: KeyRecorder } {
  const served = {} as { model: FakeModel; recorder: KeyRecorder };
  beforeAll(async () => {
    served.model = await startFakeModel();
    served.recorder = await startKeyRecorder(served.model);
  });
  afterAll(async () => {
    await served.recorder.close();
    await served.model.close();
  });
  return served;
}
