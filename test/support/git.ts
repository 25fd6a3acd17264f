// git as the tests run it: no user or system configuration, a fixed author, its output trimmed.
import { execFileSync } from "node:child_process";

export const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
};

/** Runs git in `repo`; its output, trimmed. */
export function gitIn(repo: string): (...args: string[]) => string {
  return (...args) =>
    execFileSync("git", ["-C", repo, ...args], { env: GIT_ENV })
      .toString()
      .trim();
}
