import type { Kysely } from "kysely";
import type { StoreDialect } from "../dialects.js";
import { createIndex } from "../indexes.js";

/**
 * The collections loop: runs, the outbox of planned contacts and what each one chases,
 * the contact log, promises, disputes, closures (write-off, agency placement), contact stops
 * and the collectors' worklist.
 * Instants are ISO 8601 text on both stores; calendar dates use the dialect's date type.
 */
export function collectionsMigration(dialect: StoreDialect) {
  const { dateType, identityType } = dialect;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await createIndex(db, "invoices_chase");
      await db.schema
        .createTable("runs")
        .addColumn("id", identityType, (c) => c.primaryKey())
        .addColumn("as_of", dateType, (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("policy", "text", (c) => c.notNull())
        .addColumn("planned", "bigint", (c) => c.notNull().defaultTo(0))
        .execute();

      // One row per message (or task) to one customer on one channel. `key` is what makes a
      // second run of the same day plan nothing new; the Message-ID is derived from it.
      await db.schema
        .createTable("outbox")
        .addColumn("id", identityType, (c) => c.primaryKey())
        .addColumn("key", "text", (c) => c.notNull().unique())
        .addColumn("run_id", "bigint", (c) => c.notNull().references("runs.id"))
        .addColumn("as_of", dateType, (c) => c.notNull())
        .addColumn("customer_id", "text", (c) => c.notNull().references("customers.id"))
        .addColumn("channel", "text", (c) => c.notNull())
        .addColumn("fallback_from", "text")
        .addColumn("tone", "integer", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("not_before", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("claimed_by", "text")
        .addColumn("claimed_at", "text")
        .addColumn("message_id", "text")
        .addColumn("document", "text")
        .addColumn("tracking", "text")
        .addColumn("last_error", "text")
        .addColumn("planned_at", "text", (c) => c.notNull())
        .addColumn("sent_at", "text")
        .execute();
      await db.schema
        .createIndex("outbox_due")
        .on("outbox")
        .columns(["status", "not_before", "id"])
        .execute();
      await db.schema
        .createIndex("outbox_customer")
        .on("outbox")
        .columns(["customer_id"])
        .execute();

      await db.schema
        .createTable("outbox_items")
        .addColumn("outbox_id", "bigint", (c) => c.notNull().references("outbox.id"))
        .addColumn("invoice_id", "text", (c) => c.notNull().references("invoices.id"))
        .addColumn("step_id", "text", (c) => c.notNull())
        .addColumn("step_index", "integer", (c) => c.notNull())
        .addColumn("tone", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("outbox_items_pk", ["outbox_id", "invoice_id"])
        .execute();
      await db.schema
        .createIndex("outbox_items_invoice")
        .on("outbox_items")
        .columns(["invoice_id"])
        .execute();

      await db.schema
        .createTable("contact_log")
        .addColumn("id", identityType, (c) => c.primaryKey())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("customer_id", "text", (c) => c.notNull())
        .addColumn("invoice_id", "text")
        .addColumn("outbox_id", "bigint")
        .addColumn("channel", "text")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("rule", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        // Entries a rerun of the same day would repeat (a held invoice) carry a key.
        .addColumn("dedupe_key", "text", (c) => c.unique())
        .execute();
      await db.schema
        .createIndex("contact_log_customer")
        .on("contact_log")
        .columns(["customer_id", "id"])
        .execute();

      await db.schema
        .createTable("promises")
        .addColumn("id", identityType, (c) => c.primaryKey())
        .addColumn("invoice_id", "text", (c) => c.notNull().references("invoices.id"))
        .addColumn("customer_id", "text", (c) => c.notNull())
        .addColumn("promised_on", dateType, (c) => c.notNull())
        .addColumn("amount_minor", "bigint")
        .addColumn("currency", "text", (c) => c.notNull())
        /** What was open when the promise was taken, to tell kept from broken later. */
        .addColumn("open_minor_at_promise", "bigint", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("taken_at", "text", (c) => c.notNull())
        .addColumn("taken_by", "text", (c) => c.notNull())
        .addColumn("channel", "text")
        .addColumn("decided_at", "text")
        .execute();
      await db.schema
        .createIndex("promises_invoice")
        .on("promises")
        .columns(["invoice_id"])
        .execute();

      await db.schema
        .createTable("disputes")
        .addColumn("id", identityType, (c) => c.primaryKey())
        .addColumn("invoice_id", "text", (c) => c.notNull().references("invoices.id"))
        .addColumn("customer_id", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("opened_at", "text", (c) => c.notNull())
        .addColumn("opened_by", "text", (c) => c.notNull())
        .addColumn("closed_at", "text")
        .addColumn("resolution", "text")
        .execute();
      await db.schema
        .createIndex("disputes_invoice")
        .on("disputes")
        .columns(["invoice_id"])
        .execute();

      // Invoices taken out of the chase for good: written off, or placed with an agency.
      await db.schema
        .createTable("closures")
        .addColumn("invoice_id", "text", (c) => c.primaryKey().references("invoices.id"))
        .addColumn("customer_id", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("agency", "text")
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("by", "text", (c) => c.notNull())
        .execute();

      // A customer's request to stop contact: on one channel, or on all (channel `*`).
      await db.schema
        .createTable("contact_stops")
        .addColumn("customer_id", "text", (c) => c.notNull().references("customers.id"))
        .addColumn("channel", "text", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("contact_stops_pk", ["customer_id", "channel"])
        .execute();

      await db.schema
        .createTable("tasks")
        .addColumn("id", identityType, (c) => c.primaryKey())
        // What the task is for, e.g. `call/42` or `broken-promise/7`: made once, however often a run repeats.
        .addColumn("key", "text", (c) => c.notNull().unique())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("customer_id", "text", (c) => c.notNull().references("customers.id"))
        .addColumn("collector_id", "text")
        .addColumn("outbox_id", "bigint")
        .addColumn("promise_id", "bigint")
        .addColumn("invoice_ids", "text", (c) => c.notNull())
        .addColumn("script", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("outcome", "text")
        .addColumn("note", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("done_at", "text")
        .execute();
    },
  };
}
