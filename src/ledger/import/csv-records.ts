import { Readable } from "node:stream";
import { CsvError, parse } from "csv-parse";
import { OverdueError } from "../../kernel/errors.js";

export type ColumnSpec = {
  readonly required: readonly string[];
  readonly optional: readonly string[];
};

/**
 * One data row, with values under our column names and the file line it starts on.
 * `shapeProblem` is set (and `values` empty) when the row has more or fewer fields than the header.
 */
export type CsvRecord = {
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
  readonly shapeProblem?: string;
};

/** Problems with a row as a whole or with one of its fields, by our column name. */
export type FieldProblem = { readonly field: string; readonly problem: string };

export type RowError = { readonly line: number; readonly field: string; readonly problem: string };

/** `invoice_id=Number,amount=Total`: our column name = the file's header. */
export function parseColumnMap(text: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (!text) return map;
  for (const pair of text.split(",")) {
    const at = pair.indexOf("=");
    const ours = pair.slice(0, at).trim();
    const theirs = pair.slice(at + 1).trim();
    if (at <= 0 || !ours || !theirs) {
      throw new OverdueError("bad_map", `--map: "${pair}" is not of the form column=Header`);
    }
    map.set(ours, theirs);
  }
  return map;
}

/** Raised when the file cannot be read as CSV at all (bad header, broken quoting). */
export class CsvFileError extends OverdueError {
  readonly errors: readonly RowError[];
  constructor(errors: readonly RowError[]) {
    super("csv_unreadable", errors.map((e) => `${e.line}: ${e.field}: ${e.problem}`).join("\n"));
    this.errors = errors;
  }
}

export type CsvReader = {
  /** Our column name → the header as written in the file, for error messages. */
  readonly label: (column: string) => string;
  readonly records: AsyncIterable<CsvRecord>;
  /** Bytes read from the source so far, for progress. */
  readonly bytesRead: () => number;
};

/**
 * Streams records from a CSV source without holding more than the current chunk. The first
 * line is the header; `,`, `;` and tab delimiters are told apart from it.
 */
export async function openCsv(
  source: AsyncIterable<Buffer | string>,
  spec: ColumnSpec,
  columnMap: ReadonlyMap<string, string>,
): Promise<CsvReader> {
  let bytes = 0;
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  const delimiter = detectDelimiter(first.done ? "" : chunkText(first.value));
  async function* counted() {
    for (let next = first; !next.done; next = await iterator.next()) {
      bytes += typeof next.value === "string" ? Buffer.byteLength(next.value) : next.value.length;
      yield next.value;
    }
  }
  const parser = Readable.from(counted()).pipe(
    parse({ bom: true, delimiter, info: true, relax_column_count: true, skip_empty_lines: true }),
  );
  const rows = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;

  const header = await nextRow(rows);
  if (!header) throw new CsvFileError([{ line: 1, field: "header", problem: "the file is empty" }]);
  const headerNames = header.record.map((name) => name.trim());
  for (const theirs of columnMap.values()) {
    if (!headerNames.includes(theirs)) {
      throw new CsvFileError([
        { line: 1, field: theirs, problem: "--map names a column the header does not have" },
      ]);
    }
  }
  const fileName = (column: string) => columnMap.get(column) ?? column;
  const positions: [string, number][] = [];
  const missing: RowError[] = [];
  for (const column of [...spec.required, ...spec.optional]) {
    const index = headerNames.indexOf(fileName(column));
    if (index >= 0) positions.push([column, index]);
    else if (spec.required.includes(column)) {
      missing.push({ line: 1, field: fileName(column), problem: "required column is missing" });
    }
  }
  if (missing.length > 0) throw new CsvFileError(missing);
  const width = headerNames.length;

  async function* records(): AsyncGenerator<CsvRecord> {
    for (let row = await nextRow(rows); row; row = await nextRow(rows)) {
      const { record, info } = row;
      const line = info.lines - newlinesIn(record);
      if (record.length !== width) {
        yield {
          line,
          values: {},
          shapeProblem: `has ${record.length} fields, the header has ${width}`,
        };
        continue;
      }
      const values: Record<string, string> = {};
      for (const [column, index] of positions) values[column] = record[index] ?? "";
      yield { line, values };
    }
  }
  return { label: fileName, records: records(), bytesRead: () => bytes };
}

async function nextRow<T extends { info: { lines: number } }>(
  rows: AsyncIterator<T>,
): Promise<T | undefined> {
  try {
    const next = await rows.next();
    return next.done ? undefined : next.value;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? 0;
      throw new CsvFileError([{ line, field: "file", problem: error.message }]);
    }
    throw error;
  }
}

function chunkText(chunk: Buffer | string): string {
  return typeof chunk === "string" ? chunk : chunk.toString("utf8");
}

function detectDelimiter(head: string): string {
  const firstLine = head.split(/\r?\n/, 1)[0] ?? "";
  const counts = [",", ";", "\t"].map((d) => [d, firstLine.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]?.[0] ?? ",";
}

function newlinesIn(record: readonly string[]): number {
  let count = 0;
  for (const field of record) {
    if (field.includes("\n")) count += field.split("\n").length - 1;
  }
  return count;
}
