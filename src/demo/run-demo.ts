import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { sealAuditLog } from "../audit/seal-audit-log.js";
import { agingJson, agingText } from "../cli/aging-command.js";
import { isPostgresUrl, openDatabase } from "../db/database.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import { OverdueError } from "../kernel/errors.js";
import { agingReport } from "../ledger/aging-report.js";
import type { ImportKind } from "../ledger/import/import-csv.js";
import { importLedgerFile } from "../ledger/import/import-ledger-file.js";
import { demoLedger } from "./demo-company.js";

export const DEMO_DATABASE = "./overdue-demo.db";

export type DemoOptions = {
  /** Where to build the demo; by default a fresh ./overdue-demo.db, never the real ledger. */
  url: string | undefined;
  asOf: CalendarDate;
  seed: number;
  customers: number;
  force: boolean;
  json?: boolean;
  print: (text: string) => void;
};

/** Builds the demo company through the same CSV import a user runs, then prints its aging. */
export async function runDemo(options: DemoOptions): Promise<void> {
  const url = options.url ?? DEMO_DATABASE;
  if (url === DEMO_DATABASE) {
    for (const suffix of ["", "-wal", "-shm"]) await rm(`${url}${suffix}`, { force: true });
  }
  const database = await openDatabase(url);
  try {
    const existing = await database.db
      .selectFrom("customers")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    if (Number(existing.n) > 0) {
      if (!options.force) {
        throw new OverdueError(
          "demo_needs_empty_ledger",
          `${database.location} already holds a ledger; the demo will not mix with it (use --force to replace it${isPostgresUrl(url) ? "" : ", or leave out --db"})`,
        );
      }
      await database.db.transaction().execute(async (trx) => {
        for (const table of [
          "allocations",
          "payments",
          "invoices",
          "customers",
          "imports",
        ] as const) {
          await trx.deleteFrom(table).execute();
        }
      });
    }
    const ledger = demoLedger(options);
    const now = new Date().toISOString();
    for (const kind of [
      "customers",
      "invoices",
      "payments",
    ] as const satisfies readonly ImportKind[]) {
      const report = await importLedgerFile(database, kind, Readable.from([ledger[kind]]), {
        file: `demo ${kind}`,
        now,
        onError: (e) => {
          throw new OverdueError(
            "demo_broken",
            `demo ${kind} line ${e.line}: ${e.field}: ${e.problem}`,
          );
        },
      });
      if (!options.json) options.print(`Imported ${report.rows} ${kind}.`);
    }
    // The imports' audit entries join the chain, as after any command that logs.
    await sealAuditLog(database);
    const report = await agingReport(database, options.asOf);
    options.print(
      options.json ? JSON.stringify(agingJson(report), null, 2) : `\n${agingText(report, 10)}`,
    );
    if (!options.json) {
      options.print(
        [
          `\nThe demo ledger is in ${database.location}. Try:`,
          `  npx overdue --db ${url} aging --as-of ${options.asOf} --all`,
          `  npx overdue --db ${url} run --as-of ${options.asOf} --dry-run   # who the daily run would chase`,
          `  npx overdue --db ${url} preview --customer C0009 --as-of ${options.asOf}`,
        ].join("\n"),
      );
    }
  } finally {
    await database.close();
  }
}
