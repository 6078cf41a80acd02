import { createReadStream } from "node:fs";
import { agingJson as agingJsonOf } from "../../src/cli/aging-command.js";
import { openDatabase } from "../../src/db/database.js";
import { calendarDate } from "../../src/kernel/calendar-date.js";
import { agingReport } from "../../src/ledger/aging-report.js";
import type { RowError } from "../../src/ledger/import/csv-records.js";
import { importLedgerFile } from "../../src/ledger/import/import-ledger-file.js";
import type { AgingJson } from "./ledger.js";

/**
 * The same import and aging the CLI runs, called in this process: for setting up a ledger
 * quickly and for checking many dates, where spawning the CLI each time would be slow.
 * What the CLI itself prints is tested through runCli.
 */

export type Kind = "customers" | "invoices" | "payments";

/** Imports files in order; throws if any row is rejected (this is setup, not the test). */
export async function seedLedger(url: string, files: readonly [Kind, string][]): Promise<void> {
  const database = await openDatabase(url);
  try {
    for (const [kind, file] of files) {
      const errors: RowError[] = [];
      const report = await importLedgerFile(database, kind, createReadStream(file), {
        file,
        now: new Date().toISOString(),
        onError: (e) => errors.push(e),
      });
      if (!report.ok) {
        throw new Error(
          `seeding ${kind} from ${file} failed: ${JSON.stringify(errors.slice(0, 5))}`,
        );
      }
    }
  } finally {
    await database.close();
  }
}

export type InProcessImport = {
  ok: boolean;
  errors: RowError[];
  inserted: number;
  updated: number;
  unchanged: number;
};

/** Imports one file in process and reports the outcome with every row error (line, field as in the file). */
export async function importInProcess(
  url: string,
  kind: Kind,
  file: string,
): Promise<InProcessImport> {
  const database = await openDatabase(url);
  try {
    const errors: RowError[] = [];
    const report = await importLedgerFile(database, kind, createReadStream(file), {
      file,
      now: new Date().toISOString(),
      onError: (e) => errors.push(e),
    });
    return {
      ok: report.ok,
      errors,
      inserted: report.inserted,
      updated: report.updated,
      unchanged: report.unchanged,
    };
  } finally {
    await database.close();
  }
}

/** The `aging --json` document, built in process. */
export async function agingInProcess(url: string, asOf: string): Promise<AgingJson> {
  const database = await openDatabase(url);
  try {
    const report = await agingReport(database, calendarDate(asOf));
    return JSON.parse(JSON.stringify(agingJsonOf(report))) as AgingJson;
  } finally {
    await database.close();
  }
}
