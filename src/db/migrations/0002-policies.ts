import type { Kysely } from "kysely";

/** Dunning policies, stored as the JSON a user wrote; one of them is the default. */
export function policiesMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("policies")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("definition", "text", (c) => c.notNull())
        // 0/1 rather than BOOLEAN: SQLite has no boolean to bind.
        .addColumn("is_default", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
    },
  };
}
