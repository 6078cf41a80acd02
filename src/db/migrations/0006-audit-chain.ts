import { type Kysely, sql } from "kysely";
import type { AppendOnly, StoreDialect } from "../dialects.js";

/**
 * The contact log becomes the audit log: who did each entry (`actor`), and the hash chain
 * (`seq`, `hash`), filled in when an entry is sealed after it is written (see
 * docs/decisions/0009-audit-chain-sealed-after-write.md). The store itself refuses to delete
 * an entry or change one, except to seal it once.
 */
export function auditChainMigration(dialect: StoreDialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // SQLite adds one column per ALTER TABLE.
      await db.schema.alterTable("contact_log").addColumn("actor", "text").execute();
      await db.schema.alterTable("contact_log").addColumn("seq", "bigint").execute();
      await db.schema.alterTable("contact_log").addColumn("hash", "text").execute();
      await db.schema
        .createIndex("contact_log_seq")
        .on("contact_log")
        .column("seq")
        .unique()
        .execute();
      // What sealing has left to do, found without reading the sealed entries.
      await db.schema
        .createIndex("contact_log_unsealed")
        .on("contact_log")
        .column("id")
        .where(sql.ref("seq"), "is", null)
        .execute();
      for (const statement of dialect.appendOnlyTriggers(CONTACT_LOG)) {
        await sql.raw(statement).execute(db);
      }
    },
  };
}

/** Every column an entry is written with; only `seq` and `hash` are filled in later. */
const CONTACT_LOG: AppendOnly = {
  table: "contact_log",
  content: [
    "id",
    "at",
    "customer_id",
    "invoice_id",
    "outbox_id",
    "channel",
    "status",
    "rule",
    "reason",
    "dedupe_key",
    "actor",
  ],
  seal: ["seq", "hash"],
};
