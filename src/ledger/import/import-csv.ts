import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database.js";
import type { LedgerSchema } from "../../db/schema.js";
import {
  type ColumnSpec,
  CsvFileError,
  type CsvRecord,
  type FieldProblem,
  openCsv,
  type RowError,
} from "./csv-records.js";

export const IMPORT_KINDS = ["customers", "invoices", "payments"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export type ParsedRow<Row> =
  | { readonly ok: true; readonly row: Row }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

export type BatchRow<Row> = { readonly line: number; readonly row: Row };

export type BatchOutcome = {
  readonly errors: readonly RowError[];
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
};

export type ImportContext = {
  readonly trx: Transaction<LedgerSchema>;
  readonly importId: bigint;
  /** ISO 8601 instant stamped on created/updated rows. */
  readonly now: string;
  readonly maxParameters: number;
};

/** How one kind of row is read (pure) and written (a batch inside the import's transaction). */
export type RowImporter<Row> = {
  readonly kind: ImportKind;
  readonly columns: ColumnSpec;
  parse(values: Readonly<Record<string, string>>): ParsedRow<Row>;
  applyBatch(context: ImportContext, batch: readonly BatchRow<Row>[]): Promise<BatchOutcome>;
};

export type ImportReport = {
  readonly kind: ImportKind;
  readonly file: string;
  readonly ok: boolean;
  readonly rows: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Rows with at least one error. */
  readonly failedRows: number;
};

export type ImportOptions = {
  readonly file: string;
  readonly columnMap?: ReadonlyMap<string, string>;
  readonly now: string;
  /** Called for every error, in file order, with the field named as in the file's header. */
  readonly onError?: (error: RowError) => void;
  readonly onProgress?: (rows: number, bytesRead: number) => void;
};

/** Rows written per statement batch: big enough to amortize round trips, small enough for memory. */
const BATCH_ROWS = 1000;

class ImportRejected extends Error {}

/**
 * Imports one CSV file all-or-nothing: every row is validated and written inside one
 * transaction, and a single bad row anywhere rolls the whole file back. Memory stays flat:
 * only one batch of rows is held at a time.
 */
export async function importCsv<Row>(
  database: Database,
  importer: RowImporter<Row>,
  source: AsyncIterable<Buffer | string>,
  options: ImportOptions,
): Promise<ImportReport> {
  const counts = { rows: 0, inserted: 0, updated: 0, unchanged: 0, failedRows: 0 };
  const report = (ok: boolean): ImportReport => ({
    kind: importer.kind,
    file: options.file,
    ok,
    ...counts,
  });
  const reader = await openCsv(source, importer.columns, options.columnMap ?? new Map());
  const emit = (errors: RowError[]) => {
    errors.sort((a, b) => a.line - b.line);
    let lastLine = -1;
    for (const error of errors) {
      if (error.line !== lastLine) counts.failedRows += 1;
      lastLine = error.line;
      options.onError?.({ ...error, field: reader.label(error.field) });
    }
  };

  try {
    await database.db.transaction().execute(async (trx) => {
      const { id: importId } = await trx
        .insertInto("imports")
        .values({
          kind: importer.kind,
          file: options.file,
          started_at: options.now,
          rows: 0n,
          inserted: 0n,
          updated: 0n,
          unchanged: 0n,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const context: ImportContext = {
        trx,
        importId: BigInt(importId),
        now: options.now,
        maxParameters: database.dialect.maxParameters,
      };
      let batch: BatchRow<Row>[] = [];
      let batchErrors: RowError[] = [];
      const flush = async () => {
        const outcome = batch.length > 0 ? await importer.applyBatch(context, batch) : undefined;
        if (outcome) {
          counts.inserted += outcome.inserted;
          counts.updated += outcome.updated;
          counts.unchanged += outcome.unchanged;
          batchErrors.push(...outcome.errors);
        }
        emit(batchErrors);
        batch = [];
        batchErrors = [];
        options.onProgress?.(counts.rows, reader.bytesRead());
      };
      for await (const record of reader.records) {
        counts.rows += 1;
        const parsed = parseRecord(importer, record);
        if (parsed.ok) batch.push({ line: record.line, row: parsed.row });
        else batchErrors.push(...parsed.problems.map((p) => ({ line: record.line, ...p })));
        if (batch.length + batchErrors.length >= BATCH_ROWS) await flush();
      }
      await flush();
      if (counts.failedRows > 0) throw new ImportRejected();
      await finishImport(trx, importId, counts, options.now);
    });
  } catch (error) {
    if (error instanceof ImportRejected) return report(false);
    if (error instanceof CsvFileError) {
      emit([...error.errors]);
      return report(false);
    }
    throw error;
  }
  return report(true);
}

function parseRecord<Row>(importer: RowImporter<Row>, record: CsvRecord): ParsedRow<Row> {
  if (record.shapeProblem) {
    return { ok: false, problems: [{ field: "row", problem: record.shapeProblem }] };
  }
  return importer.parse(record.values);
}

async function finishImport(
  trx: Kysely<LedgerSchema>,
  importId: bigint,
  counts: { rows: number; inserted: number; updated: number; unchanged: number },
  now: string,
) {
  await trx
    .updateTable("imports")
    .set({
      finished_at: now,
      rows: BigInt(counts.rows),
      inserted: BigInt(counts.inserted),
      updated: BigInt(counts.updated),
      unchanged: BigInt(counts.unchanged),
    })
    .where("id", "=", importId)
    .execute();
}

/** Splits `items` into chunks that keep a statement under the store's parameter limit. */
export function chunksFor<T>(items: readonly T[], parametersEach: number, maxParameters: number) {
  const size = Math.max(1, Math.floor(maxParameters / parametersEach));
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
