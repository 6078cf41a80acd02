import { type Kysely, sql } from "kysely";
import type { StoreDialect } from "../dialects.js";
import { createIndex } from "../indexes.js";

/**
 * The receivables ledger. Ids are the business's own external ids (customer number,
 * invoice number, payment id), so re-imports are idempotent by construction.
 */
export function ledgerMigration(dialect: StoreDialect) {
  const { dateType } = dialect;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("imports")
        .addColumn("id", dialect.identityType, (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("file", "text", (c) => c.notNull())
        .addColumn("started_at", "text", (c) => c.notNull())
        .addColumn("finished_at", "text")
        .addColumn("rows", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("inserted", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("updated", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("unchanged", "bigint", (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable("customers")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) =>
          c.notNull().check(sqlIn("kind", ["business", "consumer"])),
        )
        .addColumn("email", "text")
        .addColumn("phone", "text")
        .addColumn("country", "text", (c) => c.notNull())
        .addColumn("language", "text", (c) => c.notNull())
        .addColumn("timezone", "text")
        .addColumn("address_line1", "text")
        .addColumn("address_line2", "text")
        .addColumn("postal_code", "text")
        .addColumn("city", "text")
        .addColumn("collector_id", "text")
        .addColumn("import_id", "bigint")
        .addColumn("import_line", "bigint")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("invoices")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("customer_id", "text", (c) => c.notNull().references("customers.id"))
        .addColumn("number", "text", (c) => c.notNull())
        .addColumn("issue_date", dateType, (c) => c.notNull())
        .addColumn("due_date", dateType, (c) => c.notNull())
        .addColumn("currency", "text", (c) => c.notNull())
        .addColumn("amount_minor", "bigint", (c) => c.notNull())
        .addColumn("open_minor", "bigint", (c) => c.notNull())
        .addColumn("last_allocation_on", dateType)
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("import_id", "bigint")
        .addColumn("import_line", "bigint")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addCheckConstraint(
          "invoice_open_within_amount",
          sql`open_minor >= 0 and open_minor <= amount_minor`,
        )
        .execute();
      await createIndex(db, "invoices_customer_open");

      await db.schema
        .createTable("payments")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("customer_id", "text", (c) => c.notNull().references("customers.id"))
        .addColumn("kind", "text", (c) =>
          c.notNull().check(sqlIn("kind", ["payment", "credit_note"])),
        )
        .addColumn("date", dateType, (c) => c.notNull())
        .addColumn("currency", "text", (c) => c.notNull())
        .addColumn("amount_minor", "bigint", (c) => c.notNull())
        .addColumn("seq", "bigint", (c) => c.notNull())
        .addColumn("unallocated_minor", "bigint", (c) => c.notNull())
        .addColumn("invoice_id", "text", (c) => c.references("invoices.id"))
        .addColumn("reference", "text")
        .addColumn("import_id", "bigint")
        .addColumn("import_line", "bigint")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await createIndex(db, "payments_customer");

      await db.schema
        .createTable("allocations")
        .addColumn("payment_id", "text", (c) => c.notNull().references("payments.id"))
        .addColumn("invoice_id", "text", (c) => c.notNull().references("invoices.id"))
        .addColumn("amount_minor", "bigint", (c) => c.notNull())
        .addColumn("date", dateType, (c) => c.notNull())
        .addPrimaryKeyConstraint("allocations_pk", ["payment_id", "invoice_id"])
        .execute();
      await createIndex(db, "allocations_date");
      await createIndex(db, "allocations_invoice");
    },
  };
}

/** A CHECK over a closed set of literals (the values are ours, never user input). */
function sqlIn(column: string, values: readonly string[]) {
  return sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(", ")})`);
}
