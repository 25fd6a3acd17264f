// The cwd filter: a session in the directory or below it, on POSIX and on Windows paths.
import { mkdir, mkdtemp, realpath, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkFilters, matches } from "../../../src/sessions/report/filters.js";
import type { SessionDigest } from "../../../src/sessions/report/digest.js";

const inside = (dir: string, cwds: string[]) => {
  const filters = checkFilters({ cwd: dir, includeArchived: false, groupBy: "cwd" });
  return cwds.filter((cwd) => matches({ cwd, model: null } as SessionDigest, filters));
};

describe("--cwd", () => {
  it("takes a POSIX directory and what is below it, not a sibling that starts alike", () => {
    expect(inside("/srv/proj/", ["/srv/proj", "/srv/proj/api", "/srv/project", "/srv", "C:\\srv\\proj"])).toEqual([
      "/srv/proj",
      "/srv/proj/api",
    ]);
    expect(inside("/", ["/srv", "/", "C:\\Users"])).toEqual(["/srv", "/"]);
  });

  it("takes a Windows directory in any case and with either slash, and what is below it", () => {
    const cwds = ["C:\\Users\\me", "C:\\Users\\me\\proj", "c:\\users\\ME\\api", "C:\\Users\\meg", "D:\\Users\\me"];
    const expected = ["C:\\Users\\me", "C:\\Users\\me\\proj", "c:\\users\\ME\\api"];
    expect(inside("C:\\Users\\me", cwds)).toEqual(expected);
    expect(inside("C:/Users/me/", cwds)).toEqual(expected);
    expect(inside("c:\\USERS\\me", cwds)).toEqual(expected);
    expect(inside("C:\\", cwds)).toEqual(cwds.slice(0, 4));
  });

  it("takes a directory named through a symlink: Codex logs the physical directory it ran in", async () => {
    // the real CLI, run from a symlinked directory, logs the link's target as its cwd (getcwd)
    const root = await realpath(await mkdtemp(join(tmpdir(), "ccm-cwd-")));
    await mkdir(join(root, "real", "api"), { recursive: true });
    await symlink(join(root, "real"), join(root, "link"));
    const cwds = [join(root, "real"), join(root, "real", "api"), join(root, "realm"), join(root, "link", "api")];
    // before: only the last, which Codex never records
    expect(inside(join(root, "link"), cwds)).toEqual(cwds.filter((cwd) => !cwd.endsWith("realm")));
    expect(inside(`${join(root, "link")}/`, cwds)).toEqual(cwds.filter((cwd) => !cwd.endsWith("realm")));
    // a directory that is not here (another machine's) is compared as given
    expect(inside(join(root, "gone"), [join(root, "gone", "x"), join(root, "real")])).toEqual([
      join(root, "gone", "x"),
    ]);
  });

  it("compares a POSIX directory without its doubled slashes and dot segments", () => {
    expect(inside("/srv//proj/./", ["/srv/proj", "/srv/proj/api", "/srv/project"])).toEqual([
      "/srv/proj",
      "/srv/proj/api",
    ]);
  });
});

describe("--model", () => {
  const chosen = (model: string, models: Array<string | null>) => {
    const filters = checkFilters({ model, includeArchived: false, groupBy: "model" });
    return models.filter((each) => matches({ cwd: null, model: each } as SessionDigest, filters));
  };
  const logged = ["gpt-5.5", "openai/gpt-5.5", "openrouter/openai/gpt-5.5", "gpt-5.5-pro", "azure/gpt-5.5-mini", null];

  it("takes the model under a router's provider prefix too (before: `gpt-5.5` missed `openai/gpt-5.5`)", () => {
    expect(chosen("gpt-5.5", logged)).toEqual(["gpt-5.5", "openai/gpt-5.5", "openrouter/openai/gpt-5.5"]);
  });

  it("takes a name given with its provider as that one only", () => {
    expect(chosen("openai/gpt-5.5", logged)).toEqual(["openai/gpt-5.5"]);
  });
});
