import type { InvoicesTable } from "../../db/schema.js";
import { type CalendarDate, parseCalendarDate } from "../../kernel/calendar-date.js";
import { type Currency, formatAmount, parseAmount, parseCurrency } from "../../kernel/money.js";
import type { RowError } from "./csv-records.js";
import { chunksFor, type RowImporter } from "./import-csv.js";
import { RowFields, SeenInFile } from "./row-fields.js";

export type InvoiceRow = {
  readonly id: string;
  readonly customerId: string;
  readonly number: string;
  readonly issueDate: CalendarDate;
  readonly dueDate: CalendarDate;
  readonly currency: Currency;
  readonly amountMinor: bigint;
};

const COLUMNS = {
  required: ["invoice_id", "customer_id", "issue_date", "due_date", "currency", "amount"],
  optional: ["number"],
} as const;

export function parseInvoiceRow(values: Readonly<Record<string, string>>) {
  const f = new RowFields(values);
  const id = f.required("invoice_id");
  const customerId = f.required("customer_id");
  const issueDate = f.check("issue_date", f.required("issue_date"), parseCalendarDate);
  const dueDate = f.check("due_date", f.required("due_date"), parseCalendarDate);
  const currency = f.check("currency", f.required("currency"), parseCurrency);
  const amountText = f.required("amount");
  const amountMinor = currency
    ? f.check("amount", amountText, (t) => parseAmount(t, currency))
    : null;
  if (amountMinor !== null && amountMinor <= 0n) {
    f.fail(
      "amount",
      "must be greater than zero (import credit notes as payments of kind credit_note)",
    );
  }
  if (issueDate && dueDate && dueDate < issueDate) {
    f.fail("due_date", `${dueDate} is before the issue date ${issueDate}`);
  }
  if (
    f.problems.length > 0 ||
    !id ||
    !customerId ||
    !issueDate ||
    !dueDate ||
    !currency ||
    amountMinor === null
  ) {
    return { ok: false as const, problems: f.problems };
  }
  const row: InvoiceRow = {
    id,
    customerId,
    number: f.optional("number") ?? id,
    issueDate,
    dueDate,
    currency,
    amountMinor,
  };
  return { ok: true as const, row };
}

const INVOICE_COLUMN_COUNT = 14;

export const invoiceImporter: RowImporter<InvoiceRow> = {
  kind: "invoices",
  columns: COLUMNS,
  parse: parseInvoiceRow,
  async applyBatch({ trx, importId, now, maxParameters }, batch) {
    const stored = new Map(
      (
        await trx
          .selectFrom("invoices")
          .selectAll()
          .where(
            "id",
            "in",
            batch.map((b) => b.row.id),
          )
          .execute()
      ).map((invoice) => [invoice.id, invoice]),
    );
    const customerIds = [...new Set(batch.map((b) => b.row.customerId))];
    const knownCustomers = new Set(
      (await trx.selectFrom("customers").select("id").where("id", "in", customerIds).execute()).map(
        (c) => c.id,
      ),
    );
    const seen = new SeenInFile(importId);
    const errors: RowError[] = [];
    const writes: InvoicesTable[] = [];
    let inserted = 0;
    let updated = 0;
    let unchanged = 0;
    for (const { line, row } of batch) {
      const before = stored.get(row.id);
      const repeat = seen.repeat(row.id, line, before);
      if (repeat) {
        errors.push({ line, field: "invoice_id", problem: repeat });
        continue;
      }
      if (!knownCustomers.has(row.customerId)) {
        errors.push({
          line,
          field: "customer_id",
          problem: `no customer "${row.customerId}" (import customers first)`,
        });
        continue;
      }
      const paidMinor = before ? before.amount_minor - before.open_minor : 0n;
      const problem =
        before && paidMinor > 0n ? changeOfPaidInvoice(before, row, paidMinor) : undefined;
      if (problem) {
        errors.push({ line, ...problem });
        continue;
      }
      const openMinor = row.amountMinor - paidMinor;
      const next: InvoicesTable = {
        id: row.id,
        customer_id: row.customerId,
        number: row.number,
        issue_date: row.issueDate,
        due_date: row.dueDate,
        currency: row.currency.code,
        amount_minor: row.amountMinor,
        open_minor: openMinor,
        last_allocation_on: before?.last_allocation_on ?? null,
        status: openMinor > 0n ? "open" : "paid",
        import_id: importId,
        import_line: BigInt(line),
        created_at: before?.created_at ?? now,
        updated_at: before?.updated_at ?? now,
      };
      const changed =
        !before ||
        before.customer_id !== next.customer_id ||
        before.number !== next.number ||
        before.issue_date !== next.issue_date ||
        before.due_date !== next.due_date ||
        before.currency !== next.currency ||
        before.amount_minor !== next.amount_minor;
      if (!before) inserted += 1;
      else if (changed) updated += 1;
      else unchanged += 1;
      writes.push(changed && before ? { ...next, updated_at: now } : next);
    }
    for (const chunk of chunksFor(writes, INVOICE_COLUMN_COUNT, maxParameters)) {
      await trx
        .insertInto("invoices")
        .values(chunk)
        .onConflict((oc) =>
          oc.column("id").doUpdateSet((eb) => ({
            customer_id: eb.ref("excluded.customer_id"),
            number: eb.ref("excluded.number"),
            issue_date: eb.ref("excluded.issue_date"),
            due_date: eb.ref("excluded.due_date"),
            currency: eb.ref("excluded.currency"),
            amount_minor: eb.ref("excluded.amount_minor"),
            open_minor: eb.ref("excluded.open_minor"),
            status: eb.ref("excluded.status"),
            import_id: eb.ref("excluded.import_id"),
            import_line: eb.ref("excluded.import_line"),
            updated_at: eb.ref("excluded.updated_at"),
          })),
        )
        .execute();
    }
    return { errors, inserted, updated, unchanged };
  },
};

/** Money already applied to an invoice pins its customer and currency, and floors its amount. */
function changeOfPaidInvoice(
  before: InvoicesTable,
  row: InvoiceRow,
  paidMinor: bigint,
): Omit<RowError, "line"> | undefined {
  if (before.customer_id !== row.customerId) {
    return {
      field: "customer_id",
      problem: `cannot move invoice to "${row.customerId}": payments are already applied to it`,
    };
  }
  if (before.currency !== row.currency.code) {
    return {
      field: "currency",
      problem: `cannot change ${before.currency} to ${row.currency.code}: payments are already applied to it`,
    };
  }
  if (row.amountMinor < paidMinor) {
    return {
      field: "amount",
      problem: `${formatAmount(row.amountMinor, row.currency)} is less than the ${formatAmount(paidMinor, row.currency)} already paid`,
    };
  }
  return undefined;
}
