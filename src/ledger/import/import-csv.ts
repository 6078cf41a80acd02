import { sql, type Transaction } from "kysely";
import type { Database } from "../../db/database.js";
import type { StoreDialect } from "../../db/dialects.js";
import { createIndex, dropIndex, type LedgerIndex } from "../../db/indexes.js";
import type { LedgerSchema } from "../../db/schema.js";
import { CsvFileError, type RowError } from "./csv-records.js";
import { parserThread } from "./parse-in-worker.js";
import { parsedBatches, type RowParser } from "./parsed-batches.js";
import { chunksFor } from "./write-rows.js";

export const IMPORT_KINDS = ["customers", "invoices", "payments"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export type BatchRow<Row> = { readonly line: number; readonly row: Row };

/** Which import last wrote a stored row, and from which line: how a repeated id is caught. */
export type ImportMark = { readonly import_id: bigint | null; readonly import_line: bigint | null };

export type BatchOutcome<Row> = {
  readonly errors: readonly RowError[];
  readonly inserted: number;
  readonly updated: number;
  /** Rows equal to what is stored: not written, so their ids are remembered apart. */
  readonly unchanged: readonly BatchRow<Row>[];
};

export type ImportContext = {
  readonly trx: Transaction<LedgerSchema>;
  readonly importId: bigint;
  /** ISO 8601 instant stamped on created/updated rows. */
  readonly now: string;
  readonly dialect: StoreDialect;
};

/** How one kind of row is read (pure) and written (a batch inside the import's transaction). */
export type RowImporter<Row, Stored extends ImportMark> = RowParser<Row> & {
  readonly kind: ImportKind;
  readonly table: "customers" | "invoices" | "payments";
  /**
   * Whether the importer itself checks, in the import's transaction, every foreign key of the
   * rows it writes (turning a missing parent into a row error): the store may then skip its own
   * per-row check (StoreDialect.foreignKeySwitch).
   */
  readonly checksReferences?: boolean;
  /** Indexes the batches never read, which a large import may drop and rebuild at the end. */
  readonly bulkIndexes: readonly LedgerIndex[];
  /** The column holding the row's id; an id may appear once per file. */
  readonly idColumn: string;
  idOf(row: Row): string;
  /** The stored rows with these ids. */
  load(
    trx: Transaction<LedgerSchema>,
    ids: readonly string[],
  ): Promise<ReadonlyMap<string, Stored>>;
  /** Writes rows whose ids appear for the first time in the file; new and changed rows carry the import's mark. */
  applyBatch(
    context: ImportContext,
    batch: readonly BatchRow<Row>[],
    stored: ReadonlyMap<string, Stored>,
  ): Promise<BatchOutcome<Row>>;
  /** Work that needs the whole file in, run once after the last batch and before commit. */
  finish?(context: ImportContext): Promise<void>;
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
  /**
   * Runs in the import's transaction once every row is in, just before commit: for what must
   * be stored with the import or not at all (its audit entry).
   */
  readonly beforeCommit?: (trx: Transaction<LedgerSchema>, report: ImportReport) => Promise<void>;
};

class ImportRejected extends Error {}

/**
 * Imports one CSV file all-or-nothing: every row is validated and written inside one
 * transaction, and a single bad row anywhere rolls the whole file back. Memory stays flat:
 * only a few batches of rows are held at a time. The file is parsed and validated on a worker
 * thread where there is one (parse-in-worker.ts), while this thread writes.
 */
export async function importCsv<Row, Stored extends ImportMark>(
  database: Database,
  importer: RowImporter<Row, Stored>,
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
  const columnMap = options.columnMap ?? new Map<string, string>();
  /** Our column name → the header as written in the file, for error messages. */
  const label = (column: string) => columnMap.get(column) ?? column;
  const emit = (errors: RowError[]) => {
    errors.sort((a, b) => a.line - b.line);
    let lastLine = -1;
    for (const error of errors) {
      if (error.line !== lastLine) counts.failedRows += 1;
      lastLine = error.line;
      options.onError?.({ ...error, field: label(error.field) });
    }
  };

  try {
    const thread = parserThread(importer.kind, source, columnMap, importer.codec);
    const batches = thread?.batches ?? parsedBatches(source, importer, columnMap);
    const switchKeys = importer.checksReferences ? database.dialect.foreignKeySwitch : undefined;
    try {
      if (switchKeys) await sql.raw(switchKeys.off).execute(database.db);
      await database.db.transaction().execute(async (trx) => {
        const { id } = await trx
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
          importId: BigInt(id),
          now: options.now,
          dialect: database.dialect,
        };
        const fileIds = await FileIds.start(trx, context.importId);
        const indexes = await BulkIndexes.start(trx, database.dialect, importer);
        const writeBatch = async (batch: readonly BatchRow<Row>[], errors: RowError[]) => {
          const stored = await importer.load(
            trx,
            batch.map((b) => importer.idOf(b.row)),
          );
          const first = await fileIds.firstOccurrences(
            batch,
            (b) => importer.idOf(b.row),
            stored,
            (line, id, firstLine) =>
              errors.push({
                line,
                field: importer.idColumn,
                problem: `"${id}" appears again (first on line ${firstLine})`,
              }),
          );
          if (first.length > 0) {
            const outcome = await importer.applyBatch(context, first, stored);
            counts.inserted += outcome.inserted;
            counts.updated += outcome.updated;
            counts.unchanged += outcome.unchanged.length;
            errors.push(...outcome.errors);
            await fileIds.rememberUnchanged(
              outcome.unchanged.map((u) => ({ line: u.line, id: importer.idOf(u.row) })),
            );
          }
        };
        for await (const parsed of batches) {
          counts.rows += parsed.records;
          const errors = [...parsed.errors];
          if (parsed.rows.length > 0) {
            await writeBatch(
              parsed.rows.map((row, i) => ({ line: parsed.lines[i] ?? 0, row })),
              errors,
            );
          }
          await indexes.afterBatch(counts.rows);
          emit(errors);
          options.onProgress?.(counts.rows, parsed.bytesRead);
        }
        if (counts.failedRows > 0) throw new ImportRejected();
        await indexes.rebuild();
        await importer.finish?.(context);
        await trx
          .updateTable("imports")
          .set({
            finished_at: options.now,
            rows: BigInt(counts.rows),
            inserted: BigInt(counts.inserted),
            updated: BigInt(counts.updated),
            unchanged: BigInt(counts.unchanged),
          })
          .where("id", "=", context.importId)
          .execute();
        await options.beforeCommit?.(trx, report(true));
      });
    } finally {
      await thread?.stop();
      if (switchKeys) await sql.raw(switchKeys.on).execute(database.db);
    }
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

/** Rows an import must have read, and outnumber the table by, before it drops indexes. */
const BULK_ROWS = 50_000;

/**
 * Drops the importer's secondary indexes once an import turns out large next to its table, and
 * builds them again before commit (inside the transaction, so a failed import leaves them as
 * they were). Sorting a million keys once is several times cheaper than a million random inserts.
 */
class BulkIndexes {
  private dropped = false;
  private constructor(
    private readonly trx: Transaction<LedgerSchema>,
    private readonly names: readonly LedgerIndex[],
    private readonly tableRows: number,
    private readonly around?: StoreDialect["aroundIndexRebuild"],
  ) {}

  static async start(
    trx: Transaction<LedgerSchema>,
    dialect: StoreDialect,
    importer: { table: keyof LedgerSchema; bulkIndexes: readonly LedgerIndex[] },
  ): Promise<BulkIndexes> {
    if (!dialect.rebuildsIndexesOnBulkLoad || importer.bulkIndexes.length === 0) {
      return new BulkIndexes(trx, [], 0);
    }
    const { rows } = await trx
      .selectFrom(importer.table)
      .select((eb) => eb.fn.countAll().as("rows"))
      .executeTakeFirstOrThrow();
    return new BulkIndexes(trx, importer.bulkIndexes, Number(rows), dialect.aroundIndexRebuild);
  }

  async afterBatch(rowsRead: number): Promise<void> {
    if (this.dropped || this.names.length === 0) return;
    if (rowsRead < BULK_ROWS || rowsRead < this.tableRows) return;
    for (const name of this.names) await dropIndex(this.trx, name);
    this.dropped = true;
  }

  async rebuild(): Promise<void> {
    if (!this.dropped) return;
    if (this.around) await sql.raw(this.around.before).execute(this.trx);
    try {
      for (const name of this.names) await createIndex(this.trx, name);
    } finally {
      if (this.around) await sql.raw(this.around.after).execute(this.trx);
    }
    this.dropped = false;
  }
}

/**
 * Catches an id that appears twice in one file. New and changed rows carry the import's id
 * and line, so a repeat of them is seen on the stored row at no extra cost; rows that were
 * unchanged are not written, so their ids go to a temporary table (on disk: memory stays flat).
 */
class FileIds {
  private constructor(
    private readonly trx: Transaction<LedgerSchema>,
    private readonly importId: bigint,
  ) {}

  static async start(trx: Transaction<LedgerSchema>, importId: bigint): Promise<FileIds> {
    await sql`create temporary table if not exists import_unchanged (id text primary key, line bigint not null)`.execute(
      trx,
    );
    await sql`delete from import_unchanged`.execute(trx);
    return new FileIds(trx, importId);
  }

  async firstOccurrences<T extends { line: number }>(
    entries: readonly T[],
    idOf: (entry: T) => string,
    stored: ReadonlyMap<string, ImportMark>,
    repeat: (line: number, id: string, firstLine: number) => void,
  ): Promise<T[]> {
    const inBatch = new Map<string, number>();
    const storedBefore: { id: string }[] = [];
    if (stored.size > 0) {
      for (const entry of entries) {
        const id = idOf(entry);
        const mark = stored.get(id);
        if (mark && mark.import_id !== this.importId) storedBefore.push({ id });
      }
    }
    const unchangedEarlier = await this.unchangedLines(storedBefore);
    const first: T[] = [];
    for (const entry of entries) {
      const id = idOf(entry);
      const mark = stored.get(id);
      const earlier =
        inBatch.get(id) ??
        (mark?.import_id === this.importId ? Number(mark.import_line) : undefined) ??
        unchangedEarlier.get(id);
      if (earlier === undefined) {
        inBatch.set(id, entry.line);
        first.push(entry);
      } else {
        repeat(entry.line, id, earlier);
      }
    }
    return first;
  }

  async rememberUnchanged(entries: readonly { line: number; id: string }[]): Promise<void> {
    for (const chunk of chunksFor(entries, 2, 10_000)) {
      await sql`insert into import_unchanged (id, line) values ${sql.join(
        chunk.map((e) => sql`(${e.id}, ${e.line})`),
      )}`.execute(this.trx);
    }
  }

  private async unchangedLines(entries: readonly { id: string }[]): Promise<Map<string, number>> {
    const lines = new Map<string, number>();
    for (const chunk of chunksFor(entries, 1, 10_000)) {
      const { rows } = await sql<{ id: string; line: unknown }>`
        select id, line from import_unchanged where id in (${sql.join(chunk.map((e) => e.id))})`.execute(
        this.trx,
      );
      for (const row of rows) lines.set(row.id, Number(row.line));
    }
    return lines;
  }
}
