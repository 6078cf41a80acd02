import { CsvError, type Parser, parse } from "csv-parse";
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

/** A problem with one field of a row, by our column name. */
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
  /** The data rows, a chunk's worth at a time (a promise per row would cost more than parsing it). */
  readonly batches: AsyncIterable<CsvRecord[]>;
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
  const rows = new RecordStream(source);
  const header = await rows.next();
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

  const toRecord = ({ record, line }: { record: string[]; line: number }): CsvRecord => {
    if (record.length !== width) {
      return {
        line,
        values: {},
        shapeProblem: `has ${record.length} fields, the header has ${width}`,
      };
    }
    const values: Record<string, string> = {};
    for (const [column, index] of positions) values[column] = record[index] ?? "";
    return { line, values };
  };
  async function* batches(): AsyncGenerator<CsvRecord[]> {
    for (
      let chunk: LinedRecord[] | undefined = rows.drain();
      chunk;
      chunk = await rows.nextChunk()
    ) {
      if (chunk.length > 0) yield chunk.map(toRecord);
    }
  }
  return { label: fileName, batches: batches(), bytesRead: () => rows.bytes };
}

type LinedRecord = { record: string[]; line: number };

/**
 * Feeds the source to csv-parse chunk by chunk and takes out every record the chunk completed,
 * numbering lines itself (csv-parse's `info` option costs a tenth of the parse). Empty lines
 * are skipped but counted.
 */
class RecordStream {
  bytes = 0;
  private parser: Parser | undefined;
  private readonly source: AsyncIterator<Buffer | string>;
  private failure: unknown;
  private ended = false;
  private nextLine = 1;
  private pending: LinedRecord[] = [];

  constructor(source: AsyncIterable<Buffer | string>) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** Made at the first chunk, whose header line tells the delimiter. */
  private parserFor(chunk: Buffer | string): Parser {
    if (!this.parser) {
      const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
      this.parser = parse({
        bom: true,
        delimiter: detectDelimiter(text),
        relax_column_count: true,
      });
      this.parser.on("error", (error) => {
        this.failure = error;
      });
    }
    return this.parser;
  }

  /** The next record, for the header. */
  async next(): Promise<LinedRecord | undefined> {
    while (this.pending.length === 0) {
      const chunk = await this.nextChunk();
      if (!chunk) return undefined;
      this.pending = chunk;
    }
    return this.pending.shift();
  }

  /** Records already parsed and not yet handed out. */
  drain(): LinedRecord[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** Reads one more chunk of the source; the records it completed, or undefined at the end. */
  async nextChunk(): Promise<LinedRecord[] | undefined> {
    if (this.ended) return undefined;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      this.parser?.end();
      await new Promise((resolve) => setImmediate(resolve));
    } else {
      this.bytes +=
        typeof next.value === "string" ? Buffer.byteLength(next.value) : next.value.length;
      this.parserFor(next.value).write(next.value);
    }
    const records = this.take();
    if (this.failure) throw this.unreadable(this.failure);
    return records;
  }

  private take(): LinedRecord[] {
    const out: LinedRecord[] = [];
    const parser = this.parser;
    if (!parser) return out;
    for (let record = parser.read(); record !== null; record = parser.read()) {
      const fields = record as string[];
      const line = this.nextLine;
      this.nextLine += 1 + newlinesIn(fields);
      if (fields.length > 1 || fields[0] !== "") out.push({ record: fields, line });
    }
    return out;
  }

  private unreadable(error: unknown): unknown {
    if (!(error instanceof CsvError)) return error;
    const line = (error as CsvError & { lines?: number }).lines ?? this.nextLine;
    return new CsvFileError([{ line, field: "file", problem: error.message }]);
  }
}

/** Lines a record spans beyond its first: quoted fields may hold line breaks. */
export function newlinesIn(record: readonly string[]): number {
  let count = 0;
  for (const field of record) {
    if (field.includes("\n")) count += field.split("\n").length - 1;
  }
  return count;
}

function detectDelimiter(head: string): string {
  const firstLine = head.split(/\r?\n/, 1)[0] ?? "";
  const counts = [",", ";", "\t"].map((d) => [d, firstLine.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]?.[0] ?? ",";
}
