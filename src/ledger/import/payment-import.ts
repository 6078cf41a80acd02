import type { AllocationsTable, InvoicesTable, PaymentsTable } from "../../db/schema.js";
import { type CalendarDate, parseCalendarDate } from "../../kernel/calendar-date.js";
import { type Checked, invalid, valid } from "../../kernel/errors.js";
import { type Currency, parseAmount, parseCurrency } from "../../kernel/money.js";
import { allocate } from "../domain/allocation.js";
import type { RowError } from "./csv-records.js";
import { chunksFor, type RowImporter } from "./import-csv.js";
import { RowFields, SeenInFile } from "./row-fields.js";

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

const COLUMNS = {
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

const PAYMENT_COLUMN_COUNT = 13;
const INVOICE_COLUMN_COUNT = 14;

export const paymentImporter: RowImporter<PaymentRow> = {
  kind: "payments",
  columns: COLUMNS,
  parse: parsePaymentRow,
  async applyBatch({ trx, importId, now, maxParameters }, batch) {
    const stored = new Map(
      (
        await trx
          .selectFrom("payments")
          .selectAll()
          .where(
            "id",
            "in",
            batch.map((b) => b.row.id),
          )
          .execute()
      ).map((p) => [p.id, p]),
    );
    const customerIds = [...new Set(batch.map((b) => b.row.customerId))];
    const knownCustomers = new Set(
      (await trx.selectFrom("customers").select("id").where("id", "in", customerIds).execute()).map(
        (c) => c.id,
      ),
    );
    const reallocated = batch
      .map((b) => stored.get(b.row.id))
      .filter((p): p is PaymentsTable => p !== undefined && p.amount_minor !== p.unallocated_minor);
    const previousAllocations =
      reallocated.length === 0
        ? []
        : await trx
            .selectFrom("allocations")
            .selectAll()
            .where(
              "payment_id",
              "in",
              reallocated.map((p) => p.id),
            )
            .execute();
    const named = batch.flatMap((b) => (b.row.invoiceId ? [b.row.invoiceId] : []));
    const invoiceRows = await trx
      .selectFrom("invoices")
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb("customer_id", "in", customerIds), eb("open_minor", ">", 0n)]),
          ...(named.length > 0 ? [eb("id", "in", named)] : []),
          ...(previousAllocations.length > 0
            ? [
                eb(
                  "id",
                  "in",
                  previousAllocations.map((a) => a.invoice_id),
                ),
              ]
            : []),
        ]),
      )
      .execute();
    const ledger = new BatchLedger(invoiceRows);

    const seen = new SeenInFile(importId);
    const errors: RowError[] = [];
    const paymentWrites: PaymentsTable[] = [];
    const allocationWrites: AllocationsTable[] = [];
    const clearedPayments: string[] = [];
    let inserted = 0;
    let updated = 0;
    let unchanged = 0;
    for (const { line, row } of batch) {
      const before = stored.get(row.id);
      const repeat = seen.repeat(row.id, line, before);
      if (repeat) {
        errors.push({ line, field: "payment_id", problem: repeat });
        continue;
      }
      const problem = checkReferences(row, knownCustomers, ledger);
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
      };
      if (before && !movesMoney(before, row)) {
        const same = before.reference === row.reference;
        if (same) unchanged += 1;
        else updated += 1;
        paymentWrites.push({
          ...base,
          unallocated_minor: before.unallocated_minor,
          updated_at: same ? before.updated_at : now,
        });
        continue;
      }
      if (before) {
        for (const allocation of previousAllocations.filter((a) => a.payment_id === row.id)) {
          ledger.reverse(allocation);
        }
        clearedPayments.push(row.id);
        updated += 1;
      } else {
        inserted += 1;
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
      paymentWrites.push({ ...base, unallocated_minor: result.unallocatedMinor, updated_at: now });
    }

    if (clearedPayments.length > 0) {
      await trx.deleteFrom("allocations").where("payment_id", "in", clearedPayments).execute();
    }
    for (const chunk of chunksFor(paymentWrites, PAYMENT_COLUMN_COUNT, maxParameters)) {
      await trx
        .insertInto("payments")
        .values(chunk)
        .onConflict((oc) =>
          oc.column("id").doUpdateSet((eb) => ({
            customer_id: eb.ref("excluded.customer_id"),
            kind: eb.ref("excluded.kind"),
            date: eb.ref("excluded.date"),
            currency: eb.ref("excluded.currency"),
            amount_minor: eb.ref("excluded.amount_minor"),
            unallocated_minor: eb.ref("excluded.unallocated_minor"),
            invoice_id: eb.ref("excluded.invoice_id"),
            reference: eb.ref("excluded.reference"),
            import_id: eb.ref("excluded.import_id"),
            import_line: eb.ref("excluded.import_line"),
            updated_at: eb.ref("excluded.updated_at"),
          })),
        )
        .execute();
    }
    for (const chunk of chunksFor(allocationWrites, 4, maxParameters)) {
      await trx.insertInto("allocations").values(chunk).execute();
    }
    for (const chunk of chunksFor(ledger.touched(now), INVOICE_COLUMN_COUNT, maxParameters)) {
      await trx
        .insertInto("invoices")
        .values(chunk)
        .onConflict((oc) =>
          oc.column("id").doUpdateSet((eb) => ({
            open_minor: eb.ref("excluded.open_minor"),
            last_allocation_on: eb.ref("excluded.last_allocation_on"),
            status: eb.ref("excluded.status"),
            updated_at: eb.ref("excluded.updated_at"),
          })),
        )
        .execute();
    }
    const reversedInvoices = ledger.reversedIds();
    if (reversedInvoices.length > 0) {
      // A withdrawn allocation may have been the latest one; take the date from what remains.
      await trx
        .updateTable("invoices")
        .set((eb) => ({
          last_allocation_on: eb
            .selectFrom("allocations")
            .select((s) => s.fn.max("allocations.date").as("latest"))
            .whereRef("allocations.invoice_id", "=", "invoices.id"),
        }))
        .where("id", "in", reversedInvoices)
        .execute();
    }
    return { errors, inserted, updated, unchanged };
  },
};

function checkReferences(
  row: PaymentRow,
  knownCustomers: ReadonlySet<string>,
  ledger: BatchLedger,
): Omit<RowError, "line"> | undefined {
  if (!knownCustomers.has(row.customerId)) {
    return {
      field: "customer_id",
      problem: `no customer "${row.customerId}" (import customers first)`,
    };
  }
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
  private readonly reversed = new Set<string>();

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
    const open = [];
    for (const invoice of this.byCustomer.get(customerId) ?? []) {
      if (invoice.currency === currency && invoice.open_minor > 0n) {
        open.push({
          id: invoice.id,
          issueDate: invoice.issue_date as CalendarDate,
          dueDate: invoice.due_date as CalendarDate,
          openMinor: invoice.open_minor,
        });
      }
    }
    return open;
  }

  apply(invoiceId: string, minor: bigint, date: CalendarDate): void {
    const invoice = this.mustGet(invoiceId);
    invoice.open_minor -= minor;
    if (!invoice.last_allocation_on || invoice.last_allocation_on < date)
      invoice.last_allocation_on = date;
    this.changed.add(invoiceId);
  }

  reverse(allocation: AllocationsTable): void {
    const invoice = this.mustGet(allocation.invoice_id);
    invoice.open_minor += allocation.amount_minor;
    this.changed.add(invoice.id);
    this.reversed.add(invoice.id);
  }

  touched(now: string): InvoicesTable[] {
    return [...this.changed].map((id) => {
      const invoice = this.mustGet(id);
      return { ...invoice, status: invoice.open_minor > 0n ? "open" : "paid", updated_at: now };
    });
  }

  reversedIds(): string[] {
    return [...this.reversed];
  }

  private mustGet(id: string): InvoicesTable {
    const invoice = this.invoices.get(id);
    if (!invoice) throw new Error(`invoice ${id} was not loaded for this batch`);
    return invoice;
  }
}
