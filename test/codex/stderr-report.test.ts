// Why Codex stopped, from its stderr: the shapes below are what codex 0.171.0 printed (the worktree failure,
// with and without RUST_BACKTRACE=1) and what Rust prints for a panic and for a report with several causes.
import { describe, expect, it } from "vitest";
import { lastLines, stderrReason } from "../../src/codex/stderr-report.js";

const WARNING =
  'WARNING: proceeding, even though we could not create PATH aliases: Refusing to create helper binaries under temporary dir "/tmp"';
const WORKTREE_REPORT = [
  WARNING,
  "Error: cannot create managed worktree",
  "",
  "Caused by:",
  "    git command failed: fatal: failed to read .git/worktrees/proj/commondir: Success",
];
const FRAMES = ["Stack backtrace:", ...Array.from({ length: 11 }, (_, n) => `  ${String(n).padStart(2)}: <unknown>`)];
const WORKTREE_REASON =
  "Error: cannot create managed worktree: git command failed: fatal: failed to read .git/worktrees/proj/commondir: Success";

/** What the supervisor took before: the last line that is neither blank nor routine. */
const lastLine = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("WARNING: proceeding"))
    .at(-1);

describe("stderrReason", () => {
  it("reads an anyhow report as its chain, with or without the backtrace RUST_BACKTRACE=1 adds", () => {
    const withBacktrace = [...WORKTREE_REPORT, "", ...FRAMES, ""].join("\n");
    expect(stderrReason(withBacktrace)).toBe(WORKTREE_REASON);
    expect(stderrReason(`${WORKTREE_REPORT.join("\n")}\n`)).toBe(WORKTREE_REASON);
    // control: the last line of the same stderr is a stack frame
    expect(lastLine(withBacktrace)).toBe("10: <unknown>");
  });

  it("joins numbered causes in order and keeps the last report of several", () => {
    const text = [
      "Error: an earlier failure",
      "",
      "Error: cannot resume session",
      "",
      "Caused by:",
      "    0: failed to read rollout",
      "    1: No such file or directory (os error 2)",
    ].join("\n");
    expect(stderrReason(text)).toBe(
      "Error: cannot resume session: failed to read rollout: No such file or directory (os error 2)",
    );
  });

  it("reads a panic as where and what, not Rust's note", () => {
    const plain = [
      "thread 'main' panicked at codex-rs/exec/src/lib.rs:120:9:",
      "no model provider named fake",
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
    ].join("\n");
    expect(stderrReason(plain)).toBe("Codex panicked at codex-rs/exec/src/lib.rs:120:9: no model provider named fake");
    expect(lastLine(plain)).toMatch(/^note: run with `RUST_BACKTRACE=1`/);
    const traced = [
      "thread 'tokio-runtime-worker' panicked at codex-rs/core/src/codex.rs:88:14:",
      "called `Option::unwrap()` on a `None` value",
      "stack backtrace:",
      "   0: rust_begin_unwind",
      "             at /rustc/abc/library/std/src/panicking.rs:665:5",
      "   1: <unknown>",
      "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.",
    ].join("\n");
    expect(stderrReason(traced)).toBe(
      "Codex panicked at codex-rs/core/src/codex.rs:88:14: called `Option::unwrap()` on a `None` value",
    );
  });

  it("otherwise takes the last meaningful line, past routine lines and a tail cut inside a backtrace", () => {
    expect(
      stderrReason(
        [
          "2026-12-05T07:20:01Z ERROR codex_core::client: stream disconnected",
          "Reading additional input from stdin...",
          "",
        ].join("\n"),
      ),
    ).toBe("2026-12-05T07:20:01Z ERROR codex_core::client: stream disconnected");
    expect(stderrReason("   7: <unknown>\n   8: <unknown>\nsomething went wrong\n")).toBe("something went wrong");
    expect(stderrReason(`${WARNING}\n\n`)).toBeUndefined();
    expect(stderrReason("")).toBeUndefined();
  });

  it("takes the later of a report and a panic, and ends a report's causes at its first unindented line", () => {
    const panicLater = ["Error: failed to refresh token", "", "thread 'main' panicked at src/lib.rs:1:1:", "boom"];
    expect(stderrReason(panicLater.join("\n"))).toBe("Codex panicked at src/lib.rs:1:1: boom");
    const reportLater = ["thread 'main' panicked at src/lib.rs:1:1:", "boom", "", ...WORKTREE_REPORT];
    expect(stderrReason(reportLater.join("\n"))).toBe(WORKTREE_REASON);
    const runOn = ["Error: a", "", "Caused by:", "    b", "2026-12-05T08:00:00Z ERROR codex_core: c"];
    expect(stderrReason(runOn.join("\n"))).toBe("Error: a: b");
  });

  it("keeps a tail from the start of a line, so a backtrace cut inside a frame is still skipped", () => {
    const text = [...WORKTREE_REPORT, "", ...FRAMES, "note: Some details are omitted."].join("\n");
    // a tail of 4000 characters begins wherever the 4000th from the end falls: here inside frame 8
    const max = text.length - (text.lastIndexOf("   8: <unknown>") + "   8: <u".length);
    const cut = text.slice(-max);
    expect(cut.split("\n")[0]).toBe("nknown>");
    // nothing but frames and Rust's note is left: no reason, rather than a frame
    expect(stderrReason(lastLines(text, max))).toBeUndefined();
    // control: the raw cut keeps the fragment, and the frames after it are no longer recognised
    expect(stderrReason(cut)).toBe("10: <unknown>");
    expect(lastLines("short\n", 60)).toBe("short\n");
    // one line longer than the tail: its end is kept
    expect(lastLines(`${"x".repeat(100)}\n`, 60)).toBe(`${"x".repeat(59)}\n`);
  });

  it("reads a config Codex cannot load as the error with the key or place it names", () => {
    // codex 0.171.0, `-c model_reasoning_summary="bogus"`
    const variant = [
      WARNING,
      "Error loading config.toml: unknown variant `bogus`, expected one of `auto`, `concise`, `detailed`, `none`",
      "in `model_reasoning_summary`",
      "",
    ].join("\n");
    expect(stderrReason(variant)).toBe(
      "Error loading config.toml: unknown variant `bogus`, expected one of `auto`, `concise`, `detailed`, `none` in `model_reasoning_summary`",
    );
    // control: the last line alone names the key, not what is wrong with it
    expect(lastLine(variant)).toBe("in `model_reasoning_summary`");
    // codex 0.171.0, a config.toml holding `model=`: the caret drawing is left out
    const parse = [
      WARNING,
      "Error loading config.toml:",
      "/home/dev/.codex/config.toml:1:7: string values must be quoted, expected literal string",
      "  |",
      "1 | model=",
      "  |       ^",
      "",
    ].join("\n");
    expect(stderrReason(parse)).toBe(
      "Error loading config.toml: /home/dev/.codex/config.toml:1:7: string values must be quoted, expected literal string",
    );
  });

  it("bounds the reason, keeping its end", () => {
    const reason = stderrReason(`Error: ${"x".repeat(2000)}\n\nCaused by:\n    the cause`);
    expect(reason).toBe(`…${"x".repeat(489)}: the cause`);
  });
});
