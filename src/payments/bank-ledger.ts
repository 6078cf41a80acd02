import { CompiledQuery, type Kysely } from "kysely";
import type { StoreDialect } from "../db/dialects.js";
import type { AllocationsTable, LedgerSchema, PaymentsTable } from "../db/schema.js";
import { toBigInt } from "../kernel/money.js";
import { INSERT_ALLOCATIONS, INSERT_PAYMENTS } from "../ledger/import/ledger-writes.js";
import { writeRows } from "../ledger/import/write-rows.js";

/** A bank credit to be booked: which invoices it pays, and what is left as customer credit. */
export type AppliedCredit = {
  /** The bank line's key; the ledger payments are named after it. */
  readonly lineKey: string;
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
    this.seq ??= await lastSeq(this.db);
    credit.allocations.forEach((allocation, index) => {
      const last = index === credit.allocations.length - 1;
      const extra = last ? credit.creditMinor : 0n;
      const id = `bank:${credit.lineKey}#${index + 1}`;
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

  /** Writes everything posted so far. */
  async flush(): Promise<void> {
    await writeRows(this.db, this.dialect, INSERT_PAYMENTS, this.payments);
    await writeRows(this.db, this.dialect, INSERT_ALLOCATIONS, this.allocations);
    // Relative to what is stored, so a payment booked meanwhile by a CSV import is not lost.
    const update = balanceUpdate(this.dialect);
    for (const [invoiceId, { minor, date }] of this.paid) {
      await this.db.executeQuery(
        CompiledQuery.raw(update.sql, update.parameters({ invoiceId, minor, date, now: this.now })),
      );
    }
    for (const payer of this.payers.values()) {
      await this.db
        .insertInto("payer_accounts")
        .values({ ...payer, learned_at: this.now })
        .onConflict((oc) => oc.columns(["account", "customer_id"]).doNothing())
        .execute();
    }
    this.payments.length = 0;
    this.allocations.length = 0;
    this.paid.clear();
    this.payers.clear();
  }
}

type BalanceChange = { invoiceId: string; minor: bigint; date: string; now: string };

/**
 * One invoice's balance, status and last allocation date, in one statement. PostgreSQL numbers
 * its parameters and can use one twice (with the date's type stated); SQLite's `?` are taken in
 * order, so the values are repeated.
 */
function balanceUpdate(dialect: StoreDialect) {
  const postgres = dialect.name === "postgres";
  const [minor, date, now, id] = postgres ? ["$1", "$2::date", "$3", "$4"] : ["?", "?", "?", "?"];
  const sql =
    `update invoices set open_minor = open_minor - ${minor}, ` +
    `status = case when open_minor - ${minor} > 0 then 'open' else 'paid' end, ` +
    `last_allocation_on = case when last_allocation_on is null or last_allocation_on < ${date} then ${date} else last_allocation_on end, ` +
    `updated_at = ${now} where id = ${id}`;
  return {
    sql,
    parameters: (c: BalanceChange): unknown[] =>
      postgres
        ? [c.minor, c.date, c.now, c.invoiceId]
        : [c.minor, c.minor, c.date, c.date, c.now, c.invoiceId],
  };
}

async function lastSeq(db: Kysely<LedgerSchema>): Promise<bigint> {
  const { last } = await db
    .selectFrom("payments")
    .select((eb) => eb.fn.max("seq").as("last"))
    .executeTakeFirstOrThrow();
  return last === null ? 0n : toBigInt(last);
}
