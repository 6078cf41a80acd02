import type { Kysely } from "kysely";

/**
 * The ledger's secondary indexes, in one place so the migration creates them and a bulk
 * import can drop and rebuild them (see ledger/import/import-csv.ts).
 */
export const LEDGER_INDEXES = {
  /** Open invoices by customer and currency: payment allocation, per-customer views. */
  invoices_customer_open: { table: "invoices", columns: ["customer_id", "currency", "due_date"] },
  /** A customer's payments in one currency in arrival order: allocation replays. */
  payments_customer: { table: "payments", columns: ["customer_id", "currency", "seq"] },
  /** Allocations after a date: aging as of a past date. */
  allocations_date: { table: "allocations", columns: ["date"] },
  allocations_invoice: { table: "allocations", columns: ["invoice_id"] },
} as const satisfies Record<string, { table: string; columns: readonly string[] }>;

export type LedgerIndex = keyof typeof LEDGER_INDEXES;

/** Works on any Kysely instance or transaction: the schema builder needs no table types. */
type SchemaHolder = Pick<Kysely<unknown>, "schema">;

export async function createIndex(db: SchemaHolder, name: LedgerIndex): Promise<void> {
  const { table, columns } = LEDGER_INDEXES[name];
  await db.schema
    .createIndex(name)
    .on(table)
    .columns([...columns])
    .execute();
}

export async function dropIndex(db: SchemaHolder, name: LedgerIndex): Promise<void> {
  await db.schema.dropIndex(name).execute();
}
