import {
  type ColumnSpec,
  type CsvRecord,
  type FieldProblem,
  openCsv,
  type RowError,
} from "./csv-records.js";

/** How one kind of row is read from its CSV values: pure, so it can run on any thread. */
export type RowParser<Row> = {
  readonly columns: ColumnSpec;
  parse(values: Readonly<Record<string, string>>): ParsedRow<Row>;
  /**
   * A compact form of many rows, for handing them to another thread (see parse-in-worker.ts);
   * `pack` may decline (undefined), and the rows are then posted as they are.
   */
  readonly codec?: RowCodec<Row>;
};

export type RowCodec<Row> = {
  pack(rows: readonly Row[]): unknown;
  unpack(packed: unknown): Row[];
};

export type ParsedRow<Row> =
  | { readonly ok: true; readonly row: Row }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/**
 * Up to BATCH_ROWS consecutive records of a file, validated: the good rows with their lines,
 * and the problems of the bad ones (fields by our column names), in file order.
 */
export type ParsedBatch<Row> = {
  /** Lines of the good rows, in the order of `rows`. */
  readonly lines: readonly number[];
  readonly rows: readonly Row[];
  readonly errors: readonly RowError[];
  /** Records in this batch, good and bad. */
  readonly records: number;
  /** Bytes of the source read when the batch was complete, for progress. */
  readonly bytesRead: number;
};

/** Rows per write batch: big enough to amortize statements, small enough for flat memory. */
export const BATCH_ROWS = 1000;

/**
 * Reads and validates a CSV source a batch at a time, on this thread. Throws CsvFileError when
 * the file cannot be read as CSV at all (its header, its quoting).
 */
export async function* parsedBatches<Row>(
  source: AsyncIterable<Buffer | string>,
  parser: RowParser<Row>,
  columnMap: ReadonlyMap<string, string>,
): AsyncGenerator<ParsedBatch<Row>> {
  const reader = await openCsv(source, parser.columns, columnMap);
  let lines: number[] = [];
  let rows: Row[] = [];
  let errors: RowError[] = [];
  let records = 0;
  const take = (): ParsedBatch<Row> => {
    const batch = { lines, rows, errors, records, bytesRead: reader.bytesRead() };
    lines = [];
    rows = [];
    errors = [];
    records = 0;
    return batch;
  };
  for await (const chunk of reader.batches) {
    for (const record of chunk) {
      records += 1;
      const parsed = parseRecord(parser, record);
      if (parsed.ok) {
        lines.push(record.line);
        rows.push(parsed.row);
      } else {
        for (const p of parsed.problems) errors.push({ line: record.line, ...p });
      }
      if (rows.length + errors.length >= BATCH_ROWS) yield take();
    }
  }
  yield take();
}

function parseRecord<Row>(parser: RowParser<Row>, record: CsvRecord): ParsedRow<Row> {
  if (record.shapeProblem) {
    return { ok: false, problems: [{ field: "row", problem: record.shapeProblem }] };
  }
  return parser.parse(record.values);
}
