import type { Database } from "../../db/database.js";
import { customerImporter } from "./customer-import.js";
import { type ImportKind, type ImportOptions, type ImportReport, importCsv } from "./import-csv.js";
import { invoiceImporter } from "./invoice-import.js";
import { paymentImporter } from "./payment-import.js";

/** Imports one ledger CSV file of the given kind; see importCsv for the all-or-nothing rule. */
export function importLedgerFile(
  database: Database,
  kind: ImportKind,
  source: AsyncIterable<Buffer | string>,
  options: ImportOptions,
): Promise<ImportReport> {
  switch (kind) {
    case "customers":
      return importCsv(database, customerImporter, source, options);
    case "invoices":
      return importCsv(database, invoiceImporter(), source, options);
    case "payments":
      return importCsv(database, paymentImporter(), source, options);
  }
}
