import type { Kysely } from "kysely";
import type {
  AllocationsTable,
  InvoicesTable,
  LedgerSchema,
  PaymentsTable,
} from "../../db/schema.js";
import { type CalendarDate, parseCalendarDate } from "../../kernel/calendar-date.js";
import { type Checked, invalid, valid } from "../../kernel/errors.js";
import { type Currency, parseAmount, parseCurrency, toBigInt } from "../../kernel/money.js";
import { allocate } from "../domain/allocation.js";
import type { FieldProblem, RowError } from "./csv-records.js";
import type { RowImporter } from "./import-csv.js";
import { allocatable, applyToInvoice, invoiceStatus } from "./invoice-balance.js";
import { KnownCustomers } from "./known-customers.js";
import {
  INSERT_ALLOCATIONS,
  INSERT_PAYMENTS,
  INVOICE_BALANCES,
  UPDATE_PAYMENTS,
} from "./ledger-writes.js";
import { ReplayQueue } from "./replay-allocations.js";
import { RowFields } from "./row-fields.js";
import { writeRows } from "./write-rows.js";

export const PAYMENT_KINDS = ["payment", "credit_note"] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

export type PaymentRow = {
  readonly id: string;
  readonly customerId: string;
  /** The invoice the payer named; null means "apply to the oldest open invoices". */
  readonly invoiceId: string | null;
  readonly date: CalendarDate;
  readonly currency: Currency;
  readonly amountMinor: bigint;
  readonly reference: string | null;
  readonly kind: PaymentKind;
};

/** The columns of a payment file, by our names. */
export const PAYMENT_COLUMNS = {
  required: ["payment_id", "customer_id", "date", "currency", "amount"],
  optional: ["invoice_id", "reference", "kind"],
} as const;

function parsePaymentKind(text: string): Checked<PaymentKind> {
  const kind = text.trim().toLowerCase().replace("-", "_");
  return (PAYMENT_KINDS as readonly string[]).includes(kind)
    ? valid(kind as PaymentKind)
    : invalid(`"${text}" must be one of ${PAYMENT_KINDS.join(", ")}`);
}

export function parsePaymentRow(values: Readonly<Record<string, string>>) {
  const f = new RowFields(values);
  const id = f.required("payment_id");
  const customerId = f.required("customer_id");
  const date = f.check("date", f.required("date"), parseCalendarDate);
  const currency = f.check("currency", f.required("currency"), parseCurrency);
  const amountText = f.required("amount");
  const amountMinor = currency
    ? f.check("amount", amountText, (t) => parseAmount(t, currency))
    : null;
  if (amountMinor === 0n) f.fail("amount", "must be greater than zero");
  const kind = f.check("kind", f.optional("kind"), parsePaymentKind) ?? "payment";
  if (f.problems.length > 0 || !id || !customerId || !date || !currency || amountMinor === null) {
    return { ok: false as const, problems: f.problems };
  }
  const row: PaymentRow = {
    id,
    customerId,
    invoiceId: f.optional("invoice_id"),
    date,
    currency,
    amountMinor,
    reference: f.optional("reference"),
    kind,
  };
  return { ok: true as const, row };
}

/** Whether a stored payment differs from the row in a way that moves money between invoices. */
function movesMoney(before: PaymentsTable, row: PaymentRow): boolean {
  return (
    before.customer_id !== row.customerId ||
    before.invoice_id !== row.invoiceId ||
    before.date !== row.date ||
    before.currency !== row.currency.code ||
    before.amount_minor !== row.amountMinor ||
    before.kind !== row.kind
  );
}

/** Reads payments; one per import, as it remembers the customers it has seen exist. */
export function paymentImporter(): RowImporter<PaymentRow, PaymentsTable> {
  const customers = new KnownCustomers();
  let seq: bigint | undefined;
  /** Customers and currencies whose payments are applied again because one was corrected. */
  const replays = new ReplayQueue();
  return {
    kind: "payments",
    table: "payments",
    bulkIndexes: ["payments_customer", "allocations_date", "allocations_invoice"],
    columns: PAYMENT_COLUMNS,
    idColumn: "payment_id",
    idOf: (row) => row.id,
    parse: parsePaymentRow,
    async load(trx, ids) {
      const rows = await trx.selectFrom("payments").selectAll().where("id", "in", ids).execute();
      return new Map(rows.map((row) => [row.id, row]));
    },
    async applyBatch({ trx, now, dialect, importId }, batch, stored) {
      const customerIds = [...new Set(batch.map((b) => b.row.customerId))];
      await customers.load(trx, customerIds);
      const named = batch.flatMap((b) => (b.row.invoiceId ? [b.row.invoiceId] : []));
      const invoiceRows = await trx
        .selectFrom("invoices")
        .selectAll()
        .where((eb) =>
          eb.or([
            eb.and([eb("customer_id", "in", customerIds), eb("open_minor", ">", 0n)]),
            ...(named.length > 0 ? [eb("id", "in", named)] : []),
          ]),
        )
        .execute();
      const ledger = new BatchLedger(invoiceRows);

      const errors: RowError[] = [];
      const paymentInserts: PaymentsTable[] = [];
      const paymentUpdates: PaymentsTable[] = [];
      const allocationWrites: AllocationsTable[] = [];
      seq ??= await lastPaymentSeq(trx);
      const unchanged: (typeof batch)[number][] = [];
      for (const entry of batch) {
        const { line, row } = entry;
        const before = stored.get(row.id);
        const problem = customers.problem(row.customerId) ?? checkInvoice(row, ledger);
        if (problem) {
          errors.push({ line, ...problem });
          continue;
        }
        const base = {
          id: row.id,
          customer_id: row.customerId,
          kind: row.kind,
          date: row.date,
          currency: row.currency.code,
          amount_minor: row.amountMinor,
          invoice_id: row.invoiceId,
          reference: row.reference,
          import_id: importId,
          import_line: BigInt(line),
          created_at: before?.created_at ?? now,
          updated_at: now,
        };
        if (before) {
          if (movesMoney(before, row)) {
            // The replay at the end applies this customer's payments again, this one included.
            replays.add(before.customer_id, before.currency);
            replays.add(row.customerId, row.currency.code);
          } else if (before.reference === row.reference) {
            unchanged.push(entry);
            continue;
          }
          paymentUpdates.push({
            ...base,
            seq: before.seq,
            unallocated_minor: before.unallocated_minor,
          });
          continue;
        }
        seq += 1n;
        if (replays.has(row.customerId, row.currency.code)) {
          paymentInserts.push({ ...base, seq, unallocated_minor: row.amountMinor });
          continue;
        }
        const result = allocate(
          row.amountMinor,
          ledger.candidates(row.customerId, row.currency.code),
          row.invoiceId,
        );
        for (const allocation of result.allocations) {
          ledger.apply(allocation.invoiceId, allocation.minor, row.date);
          allocationWrites.push({
            payment_id: row.id,
            invoice_id: allocation.invoiceId,
            amount_minor: allocation.minor,
            date: row.date,
          });
        }
        paymentInserts.push({ ...base, seq, unallocated_minor: result.unallocatedMinor });
      }

      await writeRows(trx, dialect, INSERT_PAYMENTS, paymentInserts);
      await writeRows(trx, dialect, UPDATE_PAYMENTS, paymentUpdates);
      await writeRows(trx, dialect, INSERT_ALLOCATIONS, allocationWrites);
      await writeRows(trx, dialect, INVOICE_BALANCES, ledger.touched(now));
      return {
        errors,
        inserted: paymentInserts.length,
        updated: paymentUpdates.length,
        unchanged,
      };
    },
    finish: ({ trx, dialect, now }) => replays.run(trx, dialect, now),
  };
}

/** A payment naming an invoice must name one of the payer's, in the payment's currency. */
function checkInvoice(row: PaymentRow, ledger: BatchLedger): FieldProblem | undefined {
  if (!row.invoiceId) return undefined;
  const invoice = ledger.get(row.invoiceId);
  if (!invoice) {
    return {
      field: "invoice_id",
      problem: `no invoice "${row.invoiceId}" (import invoices first)`,
    };
  }
  if (invoice.customer_id !== row.customerId) {
    return {
      field: "invoice_id",
      problem: `invoice "${row.invoiceId}" belongs to customer "${invoice.customer_id}"`,
    };
  }
  if (invoice.currency !== row.currency.code) {
    return {
      field: "currency",
      problem: `${row.currency.code} does not match invoice "${row.invoiceId}" in ${invoice.currency}`,
    };
  }
  return undefined;
}

/**
 * The invoices one batch of payments can touch, held in memory so payments in the same
 * batch see each other's allocations; written back once at the end of the batch.
 */
class BatchLedger {
  private readonly invoices = new Map<string, InvoicesTable>();
  private readonly byCustomer = new Map<string, InvoicesTable[]>();
  private readonly changed = new Set<string>();

  constructor(rows: readonly InvoicesTable[]) {
    for (const row of rows) {
      const invoice = { ...row };
      this.invoices.set(invoice.id, invoice);
      const list = this.byCustomer.get(invoice.customer_id);
      if (list) list.push(invoice);
      else this.byCustomer.set(invoice.customer_id, [invoice]);
    }
  }

  get(id: string): InvoicesTable | undefined {
    return this.invoices.get(id);
  }

  candidates(customerId: string, currency: string) {
    return (this.byCustomer.get(customerId) ?? [])
      .filter((invoice) => invoice.currency === currency && invoice.open_minor > 0n)
      .map(allocatable);
  }

  apply(invoiceId: string, minor: bigint, date: CalendarDate): void {
    const invoice = this.mustGet(invoiceId);
    applyToInvoice(invoice, minor, date);
    this.changed.add(invoiceId);
  }

  touched(now: string): InvoicesTable[] {
    return [...this.changed].map((id) => {
      const invoice = this.mustGet(id);
      return { ...invoice, status: invoiceStatus(invoice.open_minor), updated_at: now };
    });
  }

  private mustGet(id: string): InvoicesTable {
    const invoice = this.invoices.get(id);
    if (!invoice) throw new Error(`invoice ${id} was not loaded for this batch`);
    return invoice;
  }
}

/** The last place in the order payments are applied in; 0 before the first payment. */
export async function lastPaymentSeq(db: Kysely<LedgerSchema>): Promise<bigint> {
  const { last } = await db
    .selectFrom("payments")
    .select((eb) => eb.fn.max("seq").as("last"))
    .executeTakeFirstOrThrow();
  return last === null ? 0n : toBigInt(last);
}
