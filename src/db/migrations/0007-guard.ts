import type { Kysely } from "kysely";
import type { StoreDialect } from "../dialects.js";

/**
 * The contact guard's records: when verification of a disputed debt was sent (Regulation F
 * lets collection resume only after that, 12 CFR 1006.38(d)(2)), and each debt's validation
 * notice with the end of its validation period (1006.34(b)(5)).
 */
export function guardMigration(dialect: StoreDialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("disputes").addColumn("verification_sent_at", "text").execute();
      await db.schema.alterTable("disputes").addColumn("verification_note", "text").execute();
      await db.schema
        .createTable("validation_notices")
        .addColumn("invoice_id", "text", (c) => c.primaryKey().references("invoices.id"))
        .addColumn("customer_id", "text", (c) => c.notNull())
        .addColumn("outbox_id", "bigint", (c) => c.notNull())
        .addColumn("channel", "text", (c) => c.notNull())
        .addColumn("sent_on", dialect.dateType, (c) => c.notNull())
        .addColumn("period_ends", dialect.dateType, (c) => c.notNull())
        .execute();
    },
  };
}
