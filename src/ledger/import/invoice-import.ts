import type { Transaction } from "kysely";
import type { InvoicesTable, LedgerSchema } from "../../db/schema.js";
import { toBigInt } from "../../kernel/money.js";
import type { FieldProblem, RowError } from "./csv-records.js";
import type { RowImporter } from "./import-csv.js";
import { invoiceStatus } from "./invoice-balance.js";
import { INVOICE_COLUMNS, type InvoiceRow, invoiceCodec, parseInvoiceRow } from "./invoice-rows.js";
import { KnownCustomers } from "./known-customers.js";
import { INSERT_INVOICES, INVOICE_FILE_COLUMNS, UPDATE_INVOICES } from "./ledger-writes.js";
import { ReplayQueue } from "./replay-allocations.js";
import { writeRows } from "./write-rows.js";

/** A new invoice's columns that differ from row to row (see writeRows' `shared`). */
type NewInvoice = Omit<
  InvoicesTable,
  "last_allocation_on" | "created_at" | "updated_at" | "import_id"
>;

/** Reads invoices; one per import, as it remembers the customers it has seen exist. */
export function invoiceImporter(): RowImporter<InvoiceRow, InvoicesTable> {
  const customers = new KnownCustomers();
  const replays = new ReplayQueue();
  let anyPayments: boolean | undefined;
  return {
    kind: "invoices",
    table: "invoices",
    // Its one reference, the customer, is looked up for every row (KnownCustomers).
    checksReferences: true,
    bulkIndexes: ["invoices_customer_open", "invoices_chase"],
    columns: INVOICE_COLUMNS,
    idColumn: "invoice_id",
    idOf: (row) => row.id,
    parse: parseInvoiceRow,
    codec: invoiceCodec(),
    async load(trx, ids) {
      const rows = await trx.selectFrom("invoices").selectAll().where("id", "in", ids).execute();
      return new Map(rows.map((row) => [row.id, row]));
    },
    async applyBatch({ trx, now, dialect, importId }, batch, stored) {
      await customers.load(
        trx,
        batch.map((b) => b.row.customerId),
      );
      const moved = batch.filter(({ row }) => {
        const before = stored.get(row.id);
        return (
          before && (before.customer_id !== row.customerId || before.currency !== row.currency.code)
        );
      });
      const namedBy = await paymentsNaming(
        trx,
        moved.map((b) => b.row.id),
      );
      // Payments only come in through payment imports, so one look per invoice import will do.
      anyPayments ??= (await trx.selectFrom("payments").select("id").limit(1).execute()).length > 0;
      const payers = !anyPayments
        ? new Map<string, { hasCredit: boolean }>()
        : await paymentPairs(trx, [
            ...batch.map((b) => b.row.customerId),
            ...moved.flatMap((b) => stored.get(b.row.id)?.customer_id ?? []),
          ]);
      const errors: RowError[] = [];
      const inserts: NewInvoice[] = [];
      const updates: InvoicesTable[] = [];
      const unchanged: (typeof batch)[number][] = [];
      for (const entry of batch) {
        const { line, row } = entry;
        const before = stored.get(row.id);
        const payment = namedBy.get(row.id);
        const problem =
          customers.problem(row.customerId) ??
          (before && payment ? moveOfNamedInvoice(before, row, payment) : undefined);
        if (problem) {
          errors.push({ line, ...problem });
          continue;
        }
        const pair =
          payers.size > 0 ? payers.get(`${row.customerId}\u0000${row.currency.code}`) : undefined;
        if (!before) {
          inserts.push({
            id: row.id,
            customer_id: row.customerId,
            number: row.number,
            issue_date: row.issueDate,
            due_date: row.dueDate,
            currency: row.currency.code,
            amount_minor: row.amountMinor,
            open_minor: row.amountMinor,
            status: invoiceStatus(row.amountMinor),
            import_line: BigInt(line),
          });
          // Credit waiting in this currency pays the new invoice, as a fresh import would.
          if (pair?.hasCredit) replays.add(row.customerId, row.currency.code);
          continue;
        }
        // Until the replay below runs, keep what was paid, capped at the new amount.
        const paidMinor = before.amount_minor - before.open_minor;
        const openMinor = row.amountMinor > paidMinor ? row.amountMinor - paidMinor : 0n;
        const next: InvoicesTable = {
          id: row.id,
          customer_id: row.customerId,
          number: row.number,
          issue_date: row.issueDate,
          due_date: row.dueDate,
          currency: row.currency.code,
          amount_minor: row.amountMinor,
          open_minor: openMinor,
          last_allocation_on: before.last_allocation_on,
          status: invoiceStatus(openMinor),
          import_id: importId,
          import_line: BigInt(line),
          created_at: before.created_at,
          updated_at: now,
        };
        if (INVOICE_FILE_COLUMNS.some((key) => before[key] !== next[key])) {
          updates.push(next);
          // Amount, dates or owner changed: payments may belong elsewhere now.
          if (pair) replays.add(row.customerId, row.currency.code);
          if (payers.has(`${before.customer_id}\u0000${before.currency}`)) {
            replays.add(before.customer_id, before.currency);
          }
        } else {
          unchanged.push(entry);
        }
      }
      await writeRows(trx, dialect, INSERT_INVOICES, inserts, {
        last_allocation_on: null,
        created_at: now,
        updated_at: now,
        import_id: importId,
      });
      await writeRows(trx, dialect, UPDATE_INVOICES, updates);
      return { errors, inserted: inserts.length, updated: updates.length, unchanged };
    },
    finish: ({ trx, dialect, now }) => replays.run(trx, dialect, now),
  };
}

/** For each of these customers, the currencies they have payments in, and whether any credit is left. */
async function paymentPairs(trx: Transaction<LedgerSchema>, customerIds: readonly string[]) {
  const ids = [...new Set(customerIds)];
  const pairs = new Map<string, { hasCredit: boolean }>();
  if (ids.length === 0) return pairs;
  const rows = await trx
    .selectFrom("payments")
    .select(["customer_id", "currency", (eb) => eb.fn.max("unallocated_minor").as("credit")])
    .where("customer_id", "in", ids)
    .groupBy(["customer_id", "currency"])
    .execute();
  for (const row of rows) {
    pairs.set(`${row.customer_id}\u0000${row.currency}`, { hasCredit: toBigInt(row.credit) > 0n });
  }
  return pairs;
}

/** The first payment naming each of these invoices. */
async function paymentsNaming(trx: Transaction<LedgerSchema>, invoiceIds: readonly string[]) {
  if (invoiceIds.length === 0) return new Map<string, string>();
  const rows = await trx
    .selectFrom("payments")
    .select(["invoice_id", (eb) => eb.fn.min("id").as("payment_id")])
    .where("invoice_id", "in", invoiceIds)
    .groupBy("invoice_id")
    .execute();
  return new Map(rows.map((r) => [r.invoice_id ?? "", String(r.payment_id)]));
}

/** A payment that names an invoice pins the invoice's customer and currency. */
function moveOfNamedInvoice(
  before: InvoicesTable,
  row: InvoiceRow,
  paymentId: string,
): FieldProblem | undefined {
  if (before.customer_id !== row.customerId) {
    return {
      field: "customer_id",
      problem: `cannot move the invoice to "${row.customerId}": payment "${paymentId}" names it`,
    };
  }
  if (before.currency !== row.currency.code) {
    return {
      field: "currency",
      problem: `cannot change ${before.currency} to ${row.currency.code}: payment "${paymentId}" names it`,
    };
  }
  return undefined;
}
