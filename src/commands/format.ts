// Terminal output: aligned columns, and color only when stdout is a terminal and NO_COLOR is not set.
import { inline } from "../shared/text.js";

const COLORS: Record<string, number> = {
  completed: 32,
  failed: 31,
  timeout: 31,
  aborted: 33,
  incomplete: 33,
  cancelled: 33,
  running: 36,
};

export function useColor(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}

/** A status word (or `text`) in the status's color, when color is on. */
export function paint(status: string, text = status): string {
  const code = COLORS[status];
  return code !== undefined && useColor() ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** Columns padded to their widest cell; the last column is cut to fit `width`. */
export function table(header: string[], rawRows: string[][], options: { width: number; paintColumn?: number }): string {
  // cells hold ids, paths and names read from logs and state files: each stays on its line
  const rows = rawRows.map((row) => row.map(inline));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const used = widths.slice(0, -1).reduce((sum, width) => sum + width + 2, 0);
  const lastWidth = Math.max(10, options.width - used);
  const line = (cells: string[], painted: boolean) =>
    cells
      .map((cell, column) => {
        if (column === cells.length - 1) return cell.length > lastWidth ? `${cell.slice(0, lastWidth - 1)}…` : cell;
        const padded = cell.padEnd(widths[column] ?? 0);
        return painted && column === options.paintColumn ? padded.replace(cell, paint(cell)) : padded;
      })
      .join("  ")
      .trimEnd();
  return [line(header, false), ...rows.map((row) => line(row, true))].join("\n");
}
