// Lines of a byte stream without ever holding more than a bound of one unfinished line: what exceeds it is
// dropped up to the next newline, so garbage on a pipe cannot exhaust memory.

export function boundedLines(
  max: number,
  onLine: (line: string) => void,
): { push: (chunk: Buffer) => void; end: () => void } {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let dropping = false;
  const push = (chunk: Buffer): void => {
    let from = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, from)) {
      if (!dropping) onLine(Buffer.concat([...pending, chunk.subarray(from, newline)]).toString("utf8"));
      pending = [];
      pendingBytes = 0;
      dropping = false;
      from = newline + 1;
    }
    if (from >= chunk.length || dropping) return;
    pendingBytes += chunk.length - from;
    if (pendingBytes > max) {
      pending = [];
      pendingBytes = 0;
      dropping = true;
      return;
    }
    pending.push(chunk.subarray(from));
  };
  // a last line without a newline still counts
  const end = (): void => {
    if (!dropping && pendingBytes > 0) onLine(Buffer.concat(pending).toString("utf8"));
    pending = [];
    pendingBytes = 0;
  };
  return { push, end };
}
