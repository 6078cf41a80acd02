import { CompiledQuery, type Kysely } from "kysely";
import type { StoreDialect } from "../db/dialects.js";
import type { AllocationsTable, LedgerSchema, PaymentsTable } from "../db/schema.js";
import { INSERT_ALLOCATIONS, INSERT_PAYMENTS } from "../ledger/import/ledger-writes.js";
import { lastPaymentSeq } from "../ledger/import/payment-import.js";
import { writeRows } from "../ledger/import/write-rows.js";

/** A bank credit to be booked: which invoices it pays, and what is left as customer credit. */
export type AppliedCredit = {
  /**
   * Names the ledger payments: `bank:STATEMENT/POSITION#N`, the stored statement's id and the
   * line's place on it (shorter than the line's key, which the payments table indexes).
   */
  readonly line: { readonly statement: bigint; readonly position: number | bigint };
  readonly date: string;
  readonly currency: string;
  readonly reference: string | null;
  /** The account the money came from: remembered as the payer's for the next match. */
  readonly payerAccount: string | null;
  /** Each with the customer whose invoice it is (the payer may be someone else). */
  readonly allocations: readonly {
    readonly invoiceId: string;
    readonly customerId: string;
    readonly minor: bigint;
  }[];
  /** Left over: the credit of the last allocation's customer. */
  readonly creditMinor: bigint;
};

/**
 * Books matched bank credits in the ledger the way an imported payment is booked: one payment
 * per invoice paid (named on the payment, so replaying a customer's payments after a correction
 * puts the money back where the match put it), the over-payment left unallocated on the last
 * one as the customer's credit. Writes are collected and flushed in a few statements.
 */
export class LedgerPoster {
  private readonly payments: PaymentsTable[] = [];
  private readonly allocations: AllocationsTable[] = [];
  /** Per invoice: what the posted credits take off it, and the latest of their dates. */
  private readonly paid = new Map<string, { minor: bigint; date: string }>();
  private readonly payers = new Map<string, { account: string; customer_id: string }>();
  private seq: bigint | undefined;

  constructor(
    private readonly db: Kysely<LedgerSchema>,
    private readonly dialect: StoreDialect,
    private readonly now: string,
  ) {}

  async post(credit: AppliedCredit): Promise<void> {
    this.seq ??= await lastPaymentSeq(this.db);
    credit.allocations.forEach((allocation, index) => {
      const last = index === credit.allocations.length - 1;
      const extra = last ? credit.creditMinor : 0n;
      const id = `bank:${credit.line.statement}/${credit.line.position}#${index + 1}`;
      this.seq = (this.seq as bigint) + 1n;
      this.payments.push({
        id,
        customer_id: allocation.customerId,
        kind: "payment",
        date: credit.date,
        currency: credit.currency,
        amount_minor: allocation.minor + extra,
        invoice_id: allocation.invoiceId,
        reference: credit.reference,
        seq: this.seq,
        unallocated_minor: extra,
        import_id: null,
        import_line: null,
        created_at: this.now,
        updated_at: this.now,
      });
      this.allocations.push({
        payment_id: id,
        invoice_id: allocation.invoiceId,
        amount_minor: allocation.minor,
        date: credit.date,
      });
      const before = this.paid.get(allocation.invoiceId);
      this.paid.set(allocation.invoiceId, {
        minor: (before?.minor ?? 0n) + allocation.minor,
        date: before && before.date > credit.date ? before.date : credit.date,
      });
      if (credit.payerAccount) {
        this.payers.set(`${credit.payerAccount}\u0000${allocation.customerId}`, {
          account: credit.payerAccount,
          customer_id: allocation.customerId,
        });
      }
    });
  }

  /** Writes everything posted so far; returns the invoices it paid money to. */
  async flush(): Promise<string[]> {
    await writeRows(this.db, this.dialect, INSERT_PAYMENTS, this.payments);
    await writeRows(this.db, this.dialect, INSERT_ALLOCATIONS, this.allocations);
    // Relative to what is stored, so a payment booked meanwhile by a CSV import is not lost.
    const changes = [...this.paid].map(([invoiceId, { minor, date }]) => ({
      invoiceId,
      minor,
      date,
    }));
    const perStatement = Math.floor((this.dialect.maxParameters - 1) / 3);
    for (let i = 0; i < changes.length; i += perStatement) {
      const chunk = changes.slice(i, i + perStatement);
      await this.db.executeQuery(
        CompiledQuery.raw(balanceUpdate(this.dialect, chunk.length), [
          this.now,
          ...chunk.flatMap((c) => [c.invoiceId, c.minor, c.date]),
        ]),
      );
    }
    const payers = [...this.payers.values()].map((payer) => ({ ...payer, learned_at: this.now }));
    for (let i = 0; i < payers.length; i += 5000) {
      await this.db
        .insertInto("payer_accounts")
        .values(payers.slice(i, i + 5000))
        .onConflict((oc) => oc.columns(["account", "customer_id"]).doNothing())
        .execute();
    }
    const paid = [...this.paid.keys()];
    this.payments.length = 0;
    this.allocations.length = 0;
    this.paid.clear();
    this.payers.clear();
    return paid;
  }
}

/**
 * Takes what `rows` invoices were paid off their balance, with status and last allocation date,
 * in one statement: `update … from (values …)`, which both stores have. The first parameter is
 * the time of the change, then (invoice id, amount, date) per row; PostgreSQL is told the types.
 */
function balanceUpdate(dialect: StoreDialect, rows: number): string {
  const p = dialect.placeholder;
  const postgres = dialect.name === "postgres";
  const typed = (index: number, type: string) => (postgres ? `${p(index)}::${type}` : p(index));
  const values = Array.from(
    { length: rows },
    (_, row) =>
      `(${typed(1 + 3 * row, "text")}, ${typed(2 + 3 * row, "bigint")}, ${typed(3 + 3 * row, "date")})`,
  ).join(", ");
  return (
    "update invoices set open_minor = invoices.open_minor - v.column2, " +
    "status = case when invoices.open_minor - v.column2 > 0 then 'open' else 'paid' end, " +
    "last_allocation_on = case when invoices.last_allocation_on is null or invoices.last_allocation_on < v.column3 " +
    `then v.column3 else invoices.last_allocation_on end, updated_at = ${p(0)} ` +
    `from (values ${values}) as v where invoices.id = v.column1`
  );
}
