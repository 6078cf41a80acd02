import type { Transaction } from "kysely";
import type { StoreDialect } from "../../db/dialects.js";
import type {
  AllocationsTable,
  InvoicesTable,
  LedgerSchema,
  PaymentsTable,
} from "../../db/schema.js";
import { allocate } from "../domain/allocation.js";
import { allocatable, applyToInvoice, invoiceStatus } from "./invoice-balance.js";
import { INSERT_ALLOCATIONS, INVOICE_BALANCES, PAYMENT_CREDIT } from "./ledger-writes.js";
import { writeRows } from "./write-rows.js";

export type CustomerCurrency = { readonly customerId: string; readonly currency: string };

/** The customers and currencies whose payments must be applied again, each once. */
export class ReplayQueue {
  private readonly pending = new Map<string, CustomerCurrency>();

  add(customerId: string, currency: string): void {
    this.pending.set(`${customerId}\u0000${currency}`, { customerId, currency });
  }

  has(customerId: string, currency: string): boolean {
    return this.pending.has(`${customerId}\u0000${currency}`);
  }

  async run(trx: Transaction<LedgerSchema>, dialect: StoreDialect, now: string): Promise<void> {
    for (const target of this.pending.values()) await replayAllocations(trx, dialect, target, now);
    this.pending.clear();
  }
}

/**
 * Applies all of a customer's payments in one currency again, from scratch, in their original
 * order. Used when a payment is corrected: later payments may have gone to other invoices had
 * the corrected one been right from the start, and the ledger must be what the corrected files
 * give, whatever order the corrections came in.
 */
export async function replayAllocations(
  trx: Transaction<LedgerSchema>,
  dialect: StoreDialect,
  target: CustomerCurrency,
  now: string,
): Promise<void> {
  const { customerId, currency } = target;
  const invoices = await trx
    .selectFrom("invoices")
    .selectAll()
    .where("customer_id", "=", customerId)
    .where("currency", "=", currency)
    .execute();
  const payments = await trx
    .selectFrom("payments")
    .selectAll()
    .where("customer_id", "=", customerId)
    .where("currency", "=", currency)
    .orderBy("seq")
    .orderBy("id")
    .execute();
  if (invoices.length > 0) {
    await trx
      .deleteFrom("allocations")
      .where(
        "invoice_id",
        "in",
        invoices.map((i) => i.id),
      )
      .execute();
  }

  const balances = new Map(
    invoices.map((i) => [
      i.id,
      { ...i, open_minor: i.amount_minor, last_allocation_on: null as string | null },
    ]),
  );
  const allocations: AllocationsTable[] = [];
  const paymentRows: PaymentsTable[] = [];
  for (const payment of payments) {
    const candidates = [...balances.values()].map(allocatable);
    const result = allocate(payment.amount_minor, candidates, payment.invoice_id);
    for (const { invoiceId, minor } of result.allocations) {
      applyToInvoice(balances.get(invoiceId) as InvoicesTable, minor, payment.date);
      allocations.push({
        payment_id: payment.id,
        invoice_id: invoiceId,
        amount_minor: minor,
        date: payment.date,
      });
    }
    paymentRows.push({ ...payment, unallocated_minor: result.unallocatedMinor, updated_at: now });
  }
  await writeRows(trx, dialect, INSERT_ALLOCATIONS, allocations);
  await writeRows(trx, dialect, PAYMENT_CREDIT, paymentRows);
  await writeRows(
    trx,
    dialect,
    INVOICE_BALANCES,
    [...balances.values()].map((i) => ({
      ...i,
      status: invoiceStatus(i.open_minor),
      updated_at: now,
    })),
  );
}
