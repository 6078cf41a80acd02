import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import type { BankLine, LedgerSchema } from "../db/schema.js";
import { settleKeptPromises } from "../dunning/account-records.js";
import { SYSTEM_CUSTOMER, writeLog } from "../dunning/contact-log.js";
import { OverdueError } from "../kernel/errors.js";
import { currency, formatAmount } from "../kernel/money.js";
import { LedgerPoster } from "./bank-ledger.js";

/** Who did it and when. */
export type Actor = { readonly at: string; readonly by: string };

/** Bank lines waiting for a person, oldest first. */
export async function reviewQueue(db: Kysely<LedgerSchema>): Promise<BankLine[]> {
  return db
    .selectFrom("bank_lines")
    .selectAll()
    .where("status", "=", "review")
    .orderBy("id")
    .execute();
}

async function lineInReview(db: Kysely<LedgerSchema>, lineId: string): Promise<BankLine> {
  if (!/^\d+$/.test(lineId)) throw new OverdueError("unknown_line", `no bank line ${lineId}`);
  const line = await db
    .selectFrom("bank_lines")
    .selectAll()
    .where("id", "=", BigInt(lineId))
    .executeTakeFirst();
  if (!line) throw new OverdueError("unknown_line", `no bank line ${lineId}`);
  if (line.status !== "review") {
    throw new OverdueError(
      "line_not_in_review",
      `bank line ${lineId} is ${line.status}${line.invoice_ids ? ` (to ${JSON.parse(line.invoice_ids).join(", ")})` : ""}, not waiting for review`,
    );
  }
  return line;
}

/**
 * Applies a reviewed credit to the invoices a person named, in the order named: each takes
 * what it has open until the money runs out; anything left is the last payer's credit.
 */
export async function matchLine(
  database: Database,
  lineId: string,
  invoiceRefs: readonly string[],
  actor: Actor,
): Promise<BankLine> {
  return database.exclusive(async (db) => {
    const line = await lineInReview(db, lineId);
    if (line.credit_debit !== "CRDT" || Number(line.reversal) === 1) {
      throw new OverdueError(
        "not_a_credit",
        `bank line ${lineId} is not a payment received; settle it in the books and use \`bank ignore ${lineId}\``,
      );
    }
    const invoices: { id: string; number: string; customer_id: string; open_minor: bigint }[] = [];
    for (const ref of invoiceRefs) {
      const invoice = await db
        .selectFrom("invoices")
        .select(["id", "number", "customer_id", "currency", "open_minor"])
        .where((eb) => eb.or([eb("id", "=", ref), eb("number", "=", ref)]))
        .executeTakeFirst();
      if (!invoice) throw new OverdueError("unknown_invoice", `no invoice ${ref}`);
      if (invoice.currency !== line.currency) {
        throw new OverdueError(
          "currency_mismatch",
          `invoice ${invoice.number} is in ${invoice.currency}, the payment in ${line.currency}`,
        );
      }
      if (invoice.open_minor <= 0n) {
        throw new OverdueError("invoice_paid", `invoice ${invoice.number} has nothing open`);
      }
      if (invoices.some((named) => named.id === invoice.id)) {
        throw new OverdueError("invoice_twice", `invoice ${invoice.number} is named twice`);
      }
      invoices.push(invoice);
    }
    let left = line.amount_minor;
    const allocations: { invoiceId: string; customerId: string; minor: bigint }[] = [];
    for (const invoice of invoices) {
      if (left === 0n) break;
      // biome-ignore lint/complexity/useMathMinMax: Math.min does not take bigints
      const minor = invoice.open_minor < left ? invoice.open_minor : left;
      allocations.push({ invoiceId: invoice.id, customerId: invoice.customer_id, minor });
      left -= minor;
    }
    const poster = new LedgerPoster(db, database.dialect, actor.at);
    await poster.post({
      line,
      date: line.booking_date ?? line.value_date ?? actor.at.slice(0, 10),
      currency: line.currency,
      reference: line.reference ?? (line.remittance || null),
      payerAccount: line.counterparty_account,
      allocations,
      creditMinor: left,
    });
    await settleKeptPromises(db, await poster.flush(), actor.at);
    const numbers = new Map(invoices.map((invoice) => [invoice.id, invoice.number]));
    const customers = [...new Set(allocations.map((a) => a.customerId))];
    await writeLog(
      db,
      customers.map((customerId) => {
        const paid = allocations.filter((a) => a.customerId === customerId);
        return {
          at: actor.at,
          actor: actor.by,
          customerId,
          invoiceId: paid.length === 1 ? (paid[0]?.invoiceId ?? null) : null,
          // Reminders about what it pays stop.
          status: "refused",
          rule: "bank-match",
          reason: `bank line ${line.id} (${amountOf(line)}) applied by ${actor.by} to ${paid
            .map(
              (a) =>
                `${numbers.get(a.invoiceId)} ${formatAmount(a.minor, currency(line.currency))}`,
            )
            .join(", ")}`,
        };
      }),
    );
    return db
      .updateTable("bank_lines")
      .set({
        status: "applied",
        rule: "manual",
        confidence: 100,
        reason: `matched by ${actor.by}`,
        invoice_ids: JSON.stringify(allocations.map((a) => a.invoiceId)),
        credit_minor: left,
        applied_at: actor.at,
        applied_by: actor.by,
      })
      .where("id", "=", line.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Takes a line off the review queue without booking it (not a customer's money, or settled by hand). */
export async function ignoreLine(
  db: Kysely<LedgerSchema>,
  lineId: string,
  reason: string,
  actor: Actor,
): Promise<BankLine> {
  const line = await lineInReview(db, lineId);
  return db.transaction().execute(async (trx) => {
    await writeLog(trx, [
      {
        at: actor.at,
        actor: actor.by,
        customerId: line.customer_id ?? SYSTEM_CUSTOMER,
        status: line.customer_id ? "planned" : "recorded",
        rule: "bank-ignore",
        reason: `bank line ${line.id} (${amountOf(line)}) taken off the review queue by ${actor.by}: ${reason}`,
      },
    ]);
    return trx
      .updateTable("bank_lines")
      .set({
        status: "ignored",
        reason: `${reason} (${actor.by})`,
        applied_at: actor.at,
        applied_by: actor.by,
      })
      .where("id", "=", line.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** A bank line's amount as the log names it: `-12.50 EUR` for a debit. */
function amountOf(line: BankLine): string {
  const sign = line.credit_debit === "DBIT" ? "-" : "";
  return `${sign}${formatAmount(line.amount_minor, currency(line.currency))} ${line.currency}`;
}
