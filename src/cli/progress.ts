export type Progress = {
  readonly update: ((rows: number, bytes: number) => void) | undefined;
  readonly finish: () => void;
};

/**
 * Progress for long imports, on a terminal only (never in pipes or logs): one line,
 * redrawn at most four times a second and cleared at the end.
 */
export function progressReporter(label: string): Progress {
  if (!process.stderr.isTTY) return { update: undefined, finish: () => {} };
  let last = Date.now();
  let drawn = false;
  return {
    update(rows, bytes) {
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      drawn = true;
      const mb = (bytes / 1_048_576).toFixed(1);
      process.stderr.write(`\r${label}: ${rows.toLocaleString("en")} rows read (${mb} MB)\x1b[K`);
    },
    finish() {
      if (drawn) process.stderr.write("\r\x1b[K");
    },
  };
}
