import { createReadStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { importLedgerFile } from "../../src/ledger/import/import-ledger-file.js";
import { agingInProcess, importInProcess, seedLedger } from "../support/in-process.js";
import { type FreshStore, freshStore } from "../support/stores.js";

/**
 * A large import into a small SQLite table drops the invoice index and builds it again before
 * commit (BulkIndexes). SQLite only: PostgreSQL keeps its indexes, and the other store tests
 * cover it at small sizes.
 */
describe("sqlite bulk import", () => {
  let store: FreshStore | undefined;
  afterEach(async () => {
    await store?.drop();
    store = undefined;
  });

  const ROWS = 60_000;

  function writeFiles(dir: string, badLine?: number) {
    writeFileSync(
      join(dir, "c.csv"),
      `customer_id,name,kind,country\n${Array.from({ length: 50 }, (_, i) => `K${i},Kund ${i},business,SE`).join("\n")}\n`,
    );
    const lines = ["invoice_id,customer_id,issue_date,due_date,currency,amount"];
    for (let i = 0; i < ROWS; i++) {
      const customer = (i * 7919) % 50;
      const due = `2026-0${1 + (i % 3)}-${String(1 + (i % 28)).padStart(2, "0")}`;
      const line = lines.length + 1;
      const amount = line === badLine ? "1.234" : `${1 + (i % 500)}.25`;
      lines.push(`B${i},K${customer},2025-12-01,${due},SEK,${amount}`);
    }
    writeFileSync(join(dir, "i.csv"), `${lines.join("\n")}\n`);
  }

  function indexes(url: string): string[] {
    const db = new BetterSqlite3(url, { readonly: true });
    try {
      return db
        .prepare(
          "select name from sqlite_master where type = 'index' and tbl_name = 'invoices' and sql is not null order by name",
        )
        .all()
        .map((r) => (r as { name: string }).name);
    } finally {
      db.close();
    }
  }

  it("keeps the invoice index and every row after a large import", async () => {
    store = await freshStore("sqlite");
    writeFiles(store.dir);
    await seedLedger(store.url, [["customers", join(store.dir, "c.csv")]]);
    const result = await importInProcess(store.url, "invoices", join(store.dir, "i.csv"));
    expect(result).toMatchObject({ ok: true, inserted: ROWS });
    expect(indexes(store.url)).toEqual(["invoices_chase", "invoices_customer_open"]);
    // Sum of (1 + i % 500) + 0.25 over 60,000 rows: 120 full cycles of 1..500, each 125,250.
    const aging = await agingInProcess(store.url, "2026-06-30");
    expect(aging.totals).toEqual([
      expect.objectContaining({ currency: "SEK", total: "15045000.00" }),
    ]);
  });

  it("leaves the index in place when a bad row late in a large file rolls it back", async () => {
    store = await freshStore("sqlite");
    writeFiles(store.dir, 59_990);
    await seedLedger(store.url, [["customers", join(store.dir, "c.csv")]]);
    const result = await importInProcess(store.url, "invoices", join(store.dir, "i.csv"));
    expect(result.ok).toBe(false);
    expect(result.errors.map((e) => [e.line, e.field])).toEqual([[59_990, "amount"]]);
    expect(indexes(store.url)).toEqual(["invoices_chase", "invoices_customer_open"]);
  });

  it("checks foreign keys again once an invoice import, good or rejected, is over", async () => {
    store = await freshStore("sqlite");
    writeFiles(store.dir, 59_990);
    await seedLedger(store.url, [["customers", join(store.dir, "c.csv")]]);
    const database = await openDatabase(store.url);
    try {
      const file = join(store.dir, "i.csv");
      const report = await importLedgerFile(database, "invoices", createReadStream(file), {
        file,
        now: "2026-01-01T00:00:00.000Z",
      });
      expect(report.ok).toBe(false);
      const { rows } = await sql<{ foreign_keys: unknown }>`pragma foreign_keys`.execute(
        database.db,
      );
      expect(Number(rows[0]?.foreign_keys)).toBe(1);
      await expect(
        sql`insert into invoices (id, customer_id, number, issue_date, due_date, currency, amount_minor, open_minor, status, created_at, updated_at)
            values ('X', 'nobody', 'X', '2026-01-01', '2026-01-31', 'SEK', 1, 1, 'open', 'now', 'now')`.execute(
          database.db,
        ),
      ).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await database.close();
    }
  });
});
