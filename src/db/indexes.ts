import { type Kysely, sql } from "kysely";

/**
 * The ledger's secondary indexes, in one place so the migration creates them and a bulk
 * import can drop and rebuild them (see ledger/import/import-csv.ts).
 */
export const LEDGER_INDEXES = {
  /** Open invoices by customer and currency: payment allocation, per-customer views. */
  invoices_customer_open: { table: "invoices", columns: ["customer_id", "currency", "due_date"] },
  /**
   * Open invoices by customer with everything the daily run reads: the run walks it in order
   * without touching the table, which a million invoices in no customer order would make a
   * million random reads.
   */
  invoices_chase: {
    table: "invoices",
    columns: ["customer_id", "due_date", "id", "number", "currency", "open_minor", "issue_date"],
    where: "open_minor > 0",
  },
  /** A customer's payments in one currency in arrival order: allocation replays. */
  payments_customer: { table: "payments", columns: ["customer_id", "currency", "seq"] },
  /** Allocations after a date: aging as of a past date. */
  allocations_date: { table: "allocations", columns: ["date"] },
  allocations_invoice: { table: "allocations", columns: ["invoice_id"] },
} as const satisfies Record<string, { table: string; columns: readonly string[]; where?: string }>;

export type LedgerIndex = keyof typeof LEDGER_INDEXES;

/** Works on any Kysely instance or transaction: the schema builder needs no table types. */
type SchemaHolder = Pick<Kysely<unknown>, "schema">;

export async function createIndex(db: SchemaHolder, name: LedgerIndex): Promise<void> {
  const index: { table: string; columns: readonly string[]; where?: string } = LEDGER_INDEXES[name];
  let builder = db.schema
    .createIndex(name)
    .on(index.table)
    .columns([...index.columns]);
  // A partial index: the condition is ours, never input.
  if (index.where) builder = builder.where(sql.raw<boolean>(index.where));
  await builder.execute();
}

export async function dropIndex(db: SchemaHolder, name: LedgerIndex): Promise<void> {
  await db.schema.dropIndex(name).execute();
}
