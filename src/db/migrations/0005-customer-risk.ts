import type { Kysely } from "kysely";

/** A risk rating per customer (low, medium, high; null when unrated), for policy segments. */
export function customerRiskMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("customers").addColumn("risk", "text").execute();
    },
  };
}
