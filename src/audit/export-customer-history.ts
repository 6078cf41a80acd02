import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { profileFor, type RuleProfiles } from "../compliance/domain/profile.js";
import type { Database } from "../db/database.js";
import type { LedgerSchema } from "../db/schema.js";
import {
  type DisputeRecord,
  listDisputes,
  listPromises,
  type PromiseRecord,
} from "../dunning/account-records.js";
import { SYSTEM_CUSTOMER } from "../dunning/contact-log.js";
import { OverdueError } from "../kernel/errors.js";
import { currency, formatAmount } from "../kernel/money.js";
import { postalAddressLines } from "../ledger/domain/customer.js";
import { renderHistoryPdf } from "./render-history-pdf.js";
import { type AuditVerification, verifyAuditLog } from "./verify-audit-log.js";

/** One audit entry as exported: what happened, who did it, and where it sits in the chain. */
export type HistoryEntry = {
  readonly logId: string;
  /** Null while the entry is not sealed yet. */
  readonly seq: string | null;
  readonly hash: string | null;
  readonly at: string;
  readonly status: string;
  readonly channel: string | null;
  readonly rule: string;
  readonly reason: string;
  /** Null on entries written before the audit log recorded who. */
  readonly actor: string | null;
  readonly invoiceId: string | null;
  readonly contactId: string | null;
  readonly dedupeKey: string | null;
};

export type HistoryInvoice = {
  readonly id: string;
  readonly number: string;
  readonly issueDate: string;
  readonly dueDate: string;
  readonly currency: string;
  readonly amount: string;
  readonly open: string;
  readonly status: string;
  readonly lastAllocationOn: string | null;
  readonly allocations: readonly { paymentId: string; amount: string; date: string }[];
};

export type HistoryPayment = {
  readonly id: string;
  readonly kind: string;
  readonly date: string;
  readonly currency: string;
  readonly amount: string;
  readonly unallocated: string;
  readonly invoiceId: string | null;
  readonly reference: string | null;
};

/** Everything the ledger holds about one customer, with the state of the chain at export. */
export type CustomerHistory = {
  readonly exportedAt: string;
  readonly customer: {
    readonly id: string;
    readonly name: string;
    readonly kind: string;
    readonly email: string | null;
    readonly phone: string | null;
    readonly country: string;
    readonly language: string;
    readonly timezone: string | null;
    readonly addressLines: readonly string[];
    readonly collectorId: string | null;
    readonly risk: string | null;
    readonly createdAt: string;
    readonly updatedAt: string;
  };
  /** `audit verify` as it stood when the export was made. */
  readonly chain: AuditVerification;
  /** The customer's entries in time order (then as written). */
  readonly entries: readonly HistoryEntry[];
  /** Entries for no one customer (customer `*`): the imported files that changed the ledger. */
  readonly systemEntries: readonly HistoryEntry[];
  readonly invoices: readonly HistoryInvoice[];
  readonly payments: readonly HistoryPayment[];
  readonly promises: readonly PromiseRecord[];
  readonly disputes: readonly DisputeRecord[];
  readonly closures: readonly {
    invoiceId: string;
    kind: string;
    agency: string | null;
    reason: string;
    at: string;
    by: string;
  }[];
  readonly contactStops: readonly { channel: string; at: string }[];
  /**
   * How long these records must at least be kept: the customer's rule profile's years after
   * the last entry (12 CFR 1006.100 for the US profile). Overdue deletes none of them.
   */
  readonly retention: {
    readonly profile: string | null;
    readonly years: number | null;
    readonly lastActivity: string | null;
    readonly keepAtLeastUntil: string | null;
  };
};

/** Reads one customer's full history. An unknown customer is an error, not an empty history. */
export async function customerHistory(
  database: Database,
  customerId: string,
  exportedAt: string,
  rules?: RuleProfiles,
): Promise<CustomerHistory> {
  const { db } = database;
  const customer = await db
    .selectFrom("customers")
    .selectAll()
    .where("id", "=", customerId)
    .executeTakeFirst();
  if (!customer) throw new OverdueError("unknown_customer", `no customer ${customerId}`);
  const chain = await verifyAuditLog(database);
  const invoices = await db
    .selectFrom("invoices")
    .selectAll()
    .where("customer_id", "=", customerId)
    .orderBy("due_date")
    .orderBy("id")
    .execute();
  const allocations = await db
    .selectFrom("allocations as a")
    .innerJoin("invoices as i", "i.id", "a.invoice_id")
    .select(["a.payment_id", "a.invoice_id", "a.amount_minor", "a.date", "i.currency"])
    .where("i.customer_id", "=", customerId)
    .orderBy("a.date")
    .orderBy("a.payment_id")
    .execute();
  const payments = await db
    .selectFrom("payments")
    .selectAll()
    .where("customer_id", "=", customerId)
    .orderBy("seq")
    .execute();
  const closures = await db
    .selectFrom("closures")
    .selectAll()
    .where("customer_id", "=", customerId)
    .orderBy("at")
    .execute();
  const stops = await db
    .selectFrom("contact_stops")
    .select(["channel", "at"])
    .where("customer_id", "=", customerId)
    .orderBy("at")
    .execute();
  const money = (minor: bigint, code: string) => formatAmount(minor, currency(code));
  const entries = await entriesOf(db, customerId);
  const profile = rules ? profileFor(rules, customer) : undefined;
  const lastActivity =
    entries
      .map((e) => e.at.slice(0, 10))
      .sort()
      .at(-1) ?? null;
  const years = profile?.recordRetentionYears ?? null;
  return {
    exportedAt,
    customer: {
      id: customer.id,
      name: customer.name,
      kind: customer.kind,
      email: customer.email,
      phone: customer.phone,
      country: customer.country,
      language: customer.language,
      timezone: customer.timezone,
      addressLines: postalAddressLines(customer),
      collectorId: customer.collector_id,
      risk: customer.risk,
      createdAt: customer.created_at,
      updatedAt: customer.updated_at,
    },
    chain,
    entries,
    systemEntries: await entriesOf(db, SYSTEM_CUSTOMER),
    invoices: invoices.map((invoice) => ({
      id: invoice.id,
      number: invoice.number,
      issueDate: invoice.issue_date,
      dueDate: invoice.due_date,
      currency: invoice.currency,
      amount: money(invoice.amount_minor, invoice.currency),
      open: money(invoice.open_minor, invoice.currency),
      status: invoice.status,
      lastAllocationOn: invoice.last_allocation_on,
      allocations: allocations
        .filter((a) => a.invoice_id === invoice.id)
        .map((a) => ({
          paymentId: a.payment_id,
          amount: money(a.amount_minor, a.currency),
          date: a.date,
        })),
    })),
    payments: payments.map((payment) => ({
      id: payment.id,
      kind: payment.kind,
      date: payment.date,
      currency: payment.currency,
      amount: money(payment.amount_minor, payment.currency),
      unallocated: money(payment.unallocated_minor, payment.currency),
      invoiceId: payment.invoice_id,
      reference: payment.reference,
    })),
    promises: (await listPromises(db, { customerId })).reverse(),
    disputes: (await listDisputes(db, { customerId })).reverse(),
    closures: closures.map((c) => ({
      invoiceId: c.invoice_id,
      kind: c.kind,
      agency: c.agency,
      reason: c.reason,
      at: c.at,
      by: c.by,
    })),
    contactStops: stops,
    retention: {
      profile: profile?.id ?? null,
      years,
      lastActivity,
      keepAtLeastUntil:
        lastActivity && years !== null
          ? `${Number(lastActivity.slice(0, 4)) + years}${lastActivity.slice(4)}`
          : null,
    },
  };
}

async function entriesOf(db: Kysely<LedgerSchema>, customerId: string): Promise<HistoryEntry[]> {
  const rows = await db
    .selectFrom("contact_log")
    .selectAll()
    .where("customer_id", "=", customerId)
    .orderBy("at")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    logId: String(r.id),
    seq: r.seq === null ? null : String(r.seq),
    hash: r.hash,
    at: r.at,
    status: r.status,
    channel: r.channel,
    rule: r.rule,
    reason: r.reason,
    actor: r.actor,
    invoiceId: r.invoice_id,
    contactId: r.outbox_id === null ? null : String(r.outbox_id),
    dedupeKey: r.dedupe_key,
  }));
}

/**
 * The file name part for a customer id: ids are the business's own and may hold anything, so
 * whatever is not a letter, digit, dot, dash or underscore becomes `_` (and no name starts
 * with a dot).
 */
export function fileSafe(customerId: string): string {
  return customerId.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\./, "_");
}

/**
 * Writes `DIR/audit-<customer>.json` (everything, for programs and lawyers' tools) and
 * `DIR/audit-<customer>.pdf` (the same history to read and print).
 */
export async function exportCustomerHistory(
  database: Database,
  customerId: string,
  options: { readonly dir: string; readonly now: string; readonly rules?: RuleProfiles },
): Promise<{ readonly json: string; readonly pdf: string; readonly history: CustomerHistory }> {
  const history = await customerHistory(database, customerId, options.now, options.rules);
  await mkdir(options.dir, { recursive: true });
  const base = join(options.dir, `audit-${fileSafe(customerId)}`);
  const json = `${base}.json`;
  const pdf = `${base}.pdf`;
  await writeFile(json, `${JSON.stringify(history, null, 2)}\n`);
  await writeFile(pdf, await renderHistoryPdf(history));
  return { json, pdf, history };
}
