// The cwd filter: a session in the directory or below it, on POSIX and on Windows paths.
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
});
