// A changed file is named once, as an absolute path against the cwd it was named in.
import { expect, it } from "vitest";
import type { SessionEvent } from "../../src/sessions/events.js";
import { foldEvents } from "../../src/sessions/session-model.js";

const at = (line: number) => ({ line, timestamp: `2026-12-05T10:00:0${line}.000Z` });

it("the patch's relative name and the FileChange's absolute one are one file; a later cwd's same name is another", async () => {
  const events: SessionEvent[] = [
    { ...at(1), kind: "turn_context", cwd: "/a" },
    { ...at(2), kind: "files_changed", paths: ["x.txt"] },
    { ...at(3), kind: "files_changed", paths: ["/a/x.txt", "/a/sub/../y.txt"] },
    { ...at(4), kind: "turn_context", cwd: "/b" },
    { ...at(5), kind: "files_changed", paths: ["/a/x.txt", "x.txt"] },
  ];
  expect((await foldEvents(events)).filesChanged).toEqual(["/a/x.txt", "/a/y.txt", "/b/x.txt"]);
});
