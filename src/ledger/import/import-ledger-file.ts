import { digesting, logImportedFile } from "../../audit/record-file-import.js";
import type { Database } from "../../db/database.js";
import { SYSTEM_ACTOR } from "../../dunning/contact-log.js";
import { customerImporter } from "./customer-import.js";
import { type ImportKind, type ImportOptions, type ImportReport, importCsv } from "./import-csv.js";
import { invoiceImporter } from "./invoice-import.js";
import { paymentImporter } from "./payment-import.js";

export type LedgerFileOptions = Omit<ImportOptions, "beforeCommit"> & {
  /** Who runs the import, for the audit log; the system when not given. */
  readonly by?: string;
};

/**
 * Imports one ledger CSV file of the given kind; see importCsv for the all-or-nothing rule.
 * The import is logged as one audit entry with the file's SHA-256, committed with its rows.
 */
export function importLedgerFile(
  database: Database,
  kind: ImportKind,
  source: AsyncIterable<Buffer | string>,
  options: LedgerFileOptions,
): Promise<ImportReport> {
  const read = digesting(source);
  const audited: ImportOptions = {
    ...options,
    beforeCommit: (trx, report) =>
      logImportedFile(trx, {
        at: options.now,
        by: options.by ?? SYSTEM_ACTOR,
        rule: `import-${kind}`,
        file: options.file,
        sha256: read.sha256(),
        rows: report.rows,
        outcome: `${report.inserted} new, ${report.updated} updated, ${report.unchanged} unchanged`,
      }),
  };
  switch (kind) {
    case "customers":
      return importCsv(database, customerImporter, read.source, audited);
    case "invoices":
      return importCsv(database, invoiceImporter(), read.source, audited);
    case "payments":
      return importCsv(database, paymentImporter(), read.source, audited);
  }
}
