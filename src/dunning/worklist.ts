import type { Kysely } from "kysely";
import type { LedgerSchema } from "../db/schema.js";

export type OpenTask = {
  id: string;
  kind: string;
  customerId: string;
  collectorId: string | null;
  invoiceIds: string[];
  script: string;
  createdAt: string;
};

/** Open tasks, oldest first: what the collectors have to do. */
export async function openTasks(db: Kysely<LedgerSchema>, collector?: string): Promise<OpenTask[]> {
  let query = db.selectFrom("tasks").selectAll().where("status", "=", "open");
  if (collector !== undefined) query = query.where("collector_id", "=", collector);
  const rows = await query.orderBy("id").execute();
  return rows.map((t) => ({
    id: String(t.id),
    kind: t.kind,
    customerId: t.customer_id,
    collectorId: t.collector_id,
    invoiceIds: JSON.parse(t.invoice_ids) as string[],
    script: t.script,
    createdAt: t.created_at,
  }));
}
