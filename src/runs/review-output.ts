// A review's findings, as Codex recorded them in the session log when it left review mode. The `--json`
// stream carries only the rendered text; the log keeps the structure (codex-rs `protocol/src/protocol.rs`,
// ReviewOutputEvent): 0.169 as an `item_completed` event whose item is `ExitedReviewMode`, earlier versions
// as an `exited_review_mode` event. The log may have been written by anyone: every field is bounded and
// optional, a line that does not fit is skipped.
import { constants, createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { z } from "zod";
import { inline, quoted } from "../shared/text.js";

const text = (max: number) => z.string().transform((value) => value.slice(0, max));

/** One finding as this server answers it. */
export const reviewFindingSchema = z.object({
  title: z.string(),
  body: z.string(),
  file: z.string().nullable().describe("The file the finding is about (absolute, as Codex reported it)."),
  line_start: z.number().int().nullable(),
  line_end: z.number().int().nullable(),
  priority: z.number().int().nullable().describe("0 (most urgent) to 3, as the reviewer rated it; null where absent."),
  confidence: z.number().nullable().describe("The reviewer's confidence, 0 to 1; null where absent."),
});

export const reviewSchema = z
  .object({
    findings: z.array(reviewFindingSchema),
    verdict: z
      .string()
      .nullable()
      .describe(
        'The reviewer\'s overall verdict, e.g. "patch is correct" or "patch is incorrect"; null where it gave none.',
      ),
    explanation: z.string().nullable(),
    confidence: z.number().nullable(),
  })
  .describe("The review Codex recorded in the session log when it left review mode (findings, verdict, explanation).");
export type Review = z.infer<typeof reviewSchema>;

/** Codex's ReviewOutputEvent, leniently: whatever fits is taken. */
const rawFinding = z.object({
  title: text(1000).catch(""),
  body: text(20_000).catch(""),
  confidence_score: z.number().finite().optional().catch(undefined),
  priority: z.number().int().optional().catch(undefined),
  code_location: z
    .object({
      absolute_file_path: text(4096).optional().catch(undefined),
      line_range: z.object({ start: z.number().int(), end: z.number().int() }).optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
});
const rawOutput = z.object({
  findings: z.array(z.unknown()).max(1000).catch([]),
  overall_correctness: text(200).optional().catch(undefined),
  overall_explanation: text(20_000).optional().catch(undefined),
  overall_confidence_score: z.number().finite().optional().catch(undefined),
});

/** A rollout larger than this is not read for its review (a review session's own log is far smaller). */
const MAX_ROLLOUT_BYTES = 256 * 1024 * 1024;
const MAX_LINE = 8 * 1024 * 1024;

/** The last review output in the rollout at `path`, or null (none recorded, unreadable, or not a regular file). */
export async function readReviewOutput(path: string): Promise<Review | null> {
  // a FIFO planted there would block a plain open until someone writes to it: opened without waiting, then judged by fstat
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    () => undefined,
  );
  if (!handle) return null;
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > MAX_ROLLOUT_BYTES) return null;
    let found: unknown;
    const lines = createInterface({
      input: createReadStream("", { fd: handle.fd, autoClose: false }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (line.length > MAX_LINE || !(line.includes("ExitedReviewMode") || line.includes("exited_review_mode")))
        continue;
      const output = reviewOutputOfLine(line);
      if (output !== undefined) found = output;
    }
    return found === undefined ? null : toReview(found);
  } finally {
    await handle.close();
  }
}

/** The review_output a log line carries, in either generation's shape. */
export function reviewOutputOfLine(line: string): unknown {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  const payload = (record as { type?: unknown; payload?: Record<string, unknown> } | null)?.payload;
  if ((record as { type?: unknown }).type !== "event_msg" || !payload) return undefined;
  if (payload.type === "exited_review_mode") return payload.review_output ?? undefined;
  const item = payload.item as Record<string, unknown> | undefined;
  if (payload.type === "item_completed" && item?.type === "ExitedReviewMode") return item.review_output ?? undefined;
  return undefined;
}

export function toReview(raw: unknown): Review | null {
  const output = rawOutput.safeParse(raw);
  if (!output.success) return null;
  const findings = output.data.findings.flatMap((item) => {
    const finding = rawFinding.safeParse(item);
    if (!finding.success) return [];
    const { title, body, confidence_score, priority, code_location } = finding.data;
    return [
      {
        title,
        body,
        file: code_location?.absolute_file_path ?? null,
        line_start: code_location?.line_range?.start ?? null,
        line_end: code_location?.line_range?.end ?? null,
        priority: priority ?? null,
        confidence: confidence_score ?? null,
      },
    ];
  });
  const { overall_correctness, overall_explanation, overall_confidence_score } = output.data;
  return {
    findings,
    verdict: overall_correctness || null,
    explanation: overall_explanation || null,
    confidence: overall_confidence_score ?? null,
  };
}

/** A review as readable text: the verdict, the explanation, then each finding with where and how sure. */
export function renderReview(review: Review): string {
  const lines = [
    `Review: ${review.verdict ? inline(review.verdict) : "no verdict"}${review.confidence !== null ? ` (confidence ${review.confidence})` : ""} · ${review.findings.length} finding${review.findings.length === 1 ? "" : "s"}`,
  ];
  if (review.explanation) lines.push(`Explanation: ${quoted(review.explanation, 1500)}`);
  review.findings.slice(0, 50).forEach((finding, index) => {
    const where = finding.file
      ? ` · ${inline(finding.file)}${finding.line_start !== null ? `:${finding.line_start}${finding.line_end !== null && finding.line_end !== finding.line_start ? `-${finding.line_end}` : ""}` : ""}`
      : "";
    const rated = [
      finding.priority !== null ? `P${finding.priority}` : undefined,
      finding.confidence !== null ? `confidence ${finding.confidence}` : undefined,
    ]
      .filter(Boolean)
      .join(", ");
    lines.push(
      `${index + 1}. ${quoted(finding.title, 200)}${where}${rated ? ` (${rated})` : ""}: ${quoted(finding.body, 800)}`,
    );
  });
  if (review.findings.length > 50)
    lines.push(`… and ${review.findings.length - 50} more in structuredContent.review.findings`);
  return lines.join("\n");
}
