import type { InvoicesTable } from "../../db/schema.js";
import { type CalendarDate, parseCalendarDate } from "../../kernel/calendar-date.js";
import { type Currency, formatAmount, parseAmount, parseCurrency } from "../../kernel/money.js";
import type { FieldProblem, RowError } from "./csv-records.js";
import type { RowImporter } from "./import-csv.js";
import { KnownCustomers } from "./known-customers.js";
import { RowFields } from "./row-fields.js";
import { type RowWrite, writeRows } from "./write-rows.js";

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

/** Reads invoices; one per import, as it remembers the customers it has seen exist. */
export function invoiceImporter(): RowImporter<InvoiceRow, InvoicesTable> {
  const customers = new KnownCustomers();
  return {
    kind: "invoices",
    columns: COLUMNS,
    idColumn: "invoice_id",
    idOf: (row) => row.id,
    parse: parseInvoiceRow,
    async load(trx, ids) {
      const rows = await trx.selectFrom("invoices").selectAll().where("id", "in", ids).execute();
      return new Map(rows.map((row) => [row.id, row]));
    },
    async applyBatch({ trx, now, dialect, importId }, batch, stored) {
      await customers.load(
        trx,
        batch.map((b) => b.row.customerId),
      );
      const errors: RowError[] = [];
      const inserts: InvoicesTable[] = [];
      const updates: InvoicesTable[] = [];
      const unchanged: (typeof batch)[number][] = [];
      for (const entry of batch) {
        const { line, row } = entry;
        const before = stored.get(row.id);
        const paidMinor = before ? before.amount_minor - before.open_minor : 0n;
        const problem =
          customers.problem(row.customerId) ??
          (before && paidMinor > 0n ? changeOfPaidInvoice(before, row, paidMinor) : undefined);
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
          updated_at: now,
        };
        if (!before) inserts.push(next);
        else if (COMPARED.some((key) => before[key] !== next[key])) updates.push(next);
        else unchanged.push(entry);
      }
      await writeRows(trx, dialect, INSERT_INVOICES, inserts);
      await writeRows(trx, dialect, UPDATE_INVOICES, updates);
      return { errors, inserted: inserts.length, updated: updates.length, unchanged };
    },
  };
}

/** The columns a file sets; a re-import that changes none of them leaves the row unchanged. */
const COMPARED = [
  "customer_id",
  "number",
  "issue_date",
  "due_date",
  "currency",
  "amount_minor",
] as const satisfies readonly (keyof InvoicesTable)[];

const MARK = ["import_id", "import_line", "updated_at"] as const;
const INSERT_INVOICES: RowWrite<"invoices"> = {
  table: "invoices",
  columns: [...COMPARED, "id", "open_minor", "last_allocation_on", "status", "created_at", ...MARK],
};
const UPDATE_INVOICES: RowWrite<"invoices"> = {
  ...INSERT_INVOICES,
  upsert: { key: "id", set: [...COMPARED, "open_minor", "status", ...MARK] },
};

/** Money already applied to an invoice pins its customer and currency, and floors its amount. */
function changeOfPaidInvoice(
  before: InvoicesTable,
  row: InvoiceRow,
  paidMinor: bigint,
): FieldProblem | undefined {
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
