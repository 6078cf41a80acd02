import type { Kysely } from "kysely";
import type { LedgerSchema } from "../db/schema.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import { currency, formatAmount } from "../kernel/money.js";
import { type LogEntry, writeLog } from "./contact-log.js";
import { type PromiseToPay, promiseKept } from "./domain/promise.js";

export type PromiseRecord = {
  readonly id: string;
  readonly customerId: string;
  readonly invoiceId: string;
  readonly invoice: string;
  readonly promisedOn: string;
  /** Decimal in `currency`; null when the whole open balance was promised. */
  readonly amount: string | null;
  readonly currency: string;
  readonly openAtPromise: string;
  readonly openNow: string;
  readonly status: (typeof PROMISE_STATUSES)[number];
  readonly takenAt: string;
  readonly takenBy: string;
  readonly channel: string | null;
  readonly decidedAt: string | null;
};

export type DisputeRecord = {
  readonly id: string;
  readonly customerId: string;
  readonly invoiceId: string;
  readonly invoice: string;
  readonly reason: string;
  readonly status: (typeof DISPUTE_STATUSES)[number];
  readonly openedAt: string;
  readonly openedBy: string;
  readonly closedAt: string | null;
  readonly resolution: string | null;
};

export const PROMISE_STATUSES = ["open", "kept", "partly_kept", "broken", "replaced"] as const;
export const DISPUTE_STATUSES = ["open", "resolved", "rejected"] as const;

type Filter = { readonly customerId?: string; readonly status?: string };

/** Promises to pay, newest first, with what is open on their invoice now. */
export async function listPromises(
  db: Kysely<LedgerSchema>,
  filter: Filter = {},
): Promise<PromiseRecord[]> {
  let query = db
    .selectFrom("promises as p")
    .innerJoin("invoices as i", "i.id", "p.invoice_id")
    .select([
      "p.id",
      "p.customer_id",
      "p.invoice_id",
      "i.number",
      "p.promised_on",
      "p.amount_minor",
      "p.currency",
      "p.open_minor_at_promise",
      "i.open_minor",
      "p.status",
      "p.taken_at",
      "p.taken_by",
      "p.channel",
      "p.decided_at",
    ])
    .orderBy("p.id", "desc");
  if (filter.customerId) query = query.where("p.customer_id", "=", filter.customerId);
  if (filter.status) query = query.where("p.status", "=", filter.status);
  const rows = await query.execute();
  return rows.map((row) => {
    const unit = currency(row.currency);
    return {
      id: String(row.id),
      customerId: row.customer_id,
      invoiceId: row.invoice_id,
      invoice: row.number,
      promisedOn: row.promised_on,
      amount: row.amount_minor === null ? null : formatAmount(row.amount_minor, unit),
      currency: row.currency,
      openAtPromise: formatAmount(row.open_minor_at_promise, unit),
      openNow: formatAmount(row.open_minor, unit),
      status: row.status as PromiseRecord["status"],
      takenAt: row.taken_at,
      takenBy: row.taken_by,
      channel: row.channel,
      decidedAt: row.decided_at,
    };
  });
}

/** Disputes, newest first. */
export async function listDisputes(
  db: Kysely<LedgerSchema>,
  filter: Filter = {},
): Promise<DisputeRecord[]> {
  let query = db
    .selectFrom("disputes as d")
    .innerJoin("invoices as i", "i.id", "d.invoice_id")
    .select([
      "d.id",
      "d.customer_id",
      "d.invoice_id",
      "i.number",
      "d.reason",
      "d.status",
      "d.opened_at",
      "d.opened_by",
      "d.closed_at",
      "d.resolution",
    ])
    .orderBy("d.id", "desc");
  if (filter.customerId) query = query.where("d.customer_id", "=", filter.customerId);
  if (filter.status) query = query.where("d.status", "=", filter.status);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: String(row.id),
    customerId: row.customer_id,
    invoiceId: row.invoice_id,
    invoice: row.number,
    reason: row.reason,
    status: row.status as DisputeRecord["status"],
    openedAt: row.opened_at,
    openedBy: row.opened_by,
    closedAt: row.closed_at,
    resolution: row.resolution,
  }));
}

/**
 * Marks open promises on `invoiceIds` kept once the money promised has come in, at `at`.
 * Broken promises are left to the run: only a promise's day passing can break it.
 */
export async function settleKeptPromises(
  db: Kysely<LedgerSchema>,
  invoiceIds: readonly string[],
  at: string,
): Promise<number> {
  let keptCount = 0;
  for (let i = 0; i < invoiceIds.length; i += 5000) {
    const open = await db
      .selectFrom("promises as p")
      .innerJoin("invoices as i", "i.id", "p.invoice_id")
      .select([
        "p.id",
        "p.customer_id",
        "p.invoice_id",
        "i.number",
        "p.promised_on",
        "p.amount_minor",
        "p.open_minor_at_promise",
        "i.open_minor",
      ])
      .where("p.status", "=", "open")
      .where("p.invoice_id", "in", invoiceIds.slice(i, i + 5000))
      .execute();
    const kept: LogEntry[] = [];
    for (const p of open) {
      const promise: PromiseToPay = {
        promisedOn: p.promised_on as CalendarDate,
        amountMinor: p.amount_minor,
        openAtPromise: p.open_minor_at_promise,
      };
      if (!promiseKept(promise, p.open_minor)) continue;
      await db
        .updateTable("promises")
        .set({ status: "kept", decided_at: at })
        .where("id", "=", p.id)
        .execute();
      keptCount += 1;
      kept.push(promiseKeptEntry(p, at));
    }
    await writeLog(db, kept);
  }
  return keptCount;
}

/** The log's line for a promise kept: a change of status the system decides. */
export function promiseKeptEntry(
  promise: { customer_id: string; invoice_id: string; number: string; promised_on: string },
  at: string,
): LogEntry {
  return {
    at,
    customerId: promise.customer_id,
    invoiceId: promise.invoice_id,
    // Reminders about it stop: the money came as promised.
    status: "refused",
    rule: "promise-kept",
    reason: `the promise to pay ${promise.number} by ${promise.promised_on} was kept`,
  };
}
