import type { Insertable, Kysely } from "kysely";
import type { ContactLogTable, LedgerSchema } from "../db/schema.js";

/**
 * What `overdue log` shows: the contract's statuses, with the rule that decided and why. A
 * change in the ledger is told by what it does to the chase: a payment or a kept promise
 * `refused` (reminders stop), a dispute closed `planned` (they resume). `recorded` is only for
 * entries about no one customer (customer `*`), such as an imported file.
 */
export type LogStatus = "planned" | "delayed" | "refused" | "sent" | "failed" | "recorded";

/** The actor of the system's own entries: runs, dispatch, what they decide by themselves. */
export const SYSTEM_ACTOR = "overdue";
/** The customer of entries about no one customer, such as an imported file (there is no such customer). */
export const SYSTEM_CUSTOMER = "*";

export type LogEntry = {
  readonly at: string;
  readonly customerId: string;
  readonly status: LogStatus;
  readonly rule: string;
  readonly reason: string;
  readonly channel?: string | null;
  readonly invoiceId?: string | null;
  readonly outboxId?: bigint | null;
  /** Entries a rerun would repeat carry a key, so they are written once. */
  readonly dedupeKey?: string;
  /** Who did it: the user recording an action; the system (`overdue`) when not given. */
  readonly actor?: string;
};

export async function writeLog(
  db: Kysely<LedgerSchema>,
  entries: readonly LogEntry[],
): Promise<void> {
  const rows: Insertable<ContactLogTable>[] = entries.map((e) => ({
    at: e.at,
    customer_id: e.customerId,
    invoice_id: e.invoiceId ?? null,
    outbox_id: e.outboxId ?? null,
    channel: e.channel ?? null,
    status: e.status,
    rule: e.rule,
    reason: e.reason,
    dedupe_key: e.dedupeKey ?? null,
    actor: e.actor ?? SYSTEM_ACTOR,
  }));
  // 10 columns a row: 500 rows stay far below either store's parameter limit.
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto("contact_log")
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .execute();
  }
}

export type LoggedContact = {
  at: string;
  status: string;
  channel: string | null;
  rule: string;
  reason: string;
  invoiceId: string | null;
  contactId: string | null;
  /** Who made the entry (null before the audit log existed). */
  actor: string | null;
  /** Its place in the audit chain; null until sealed. */
  seq: string | null;
};

/** A customer's contact history, oldest first. */
export async function customerLog(
  db: Kysely<LedgerSchema>,
  customerId: string,
): Promise<LoggedContact[]> {
  const rows = await db
    .selectFrom("contact_log")
    .select([
      "at",
      "status",
      "channel",
      "rule",
      "reason",
      "invoice_id",
      "outbox_id",
      "actor",
      "seq",
    ])
    .where("customer_id", "=", customerId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    at: r.at,
    status: r.status,
    channel: r.channel,
    rule: r.rule,
    reason: r.reason,
    invoiceId: r.invoice_id,
    contactId: r.outbox_id === null ? null : String(r.outbox_id),
    actor: r.actor,
    seq: r.seq === null ? null : String(r.seq),
  }));
}
