import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import type { BankLine, BankLinesTable, LedgerSchema } from "../db/schema.js";
import type { RowWrite } from "../ledger/import/write-rows.js";
import { writeRows } from "../ledger/import/write-rows.js";
import { type AppliedCredit, LedgerPoster } from "./bank-ledger.js";
import { loadMatcher } from "./bank-matcher.js";
import {
  appliesAutomatically,
  DEFAULT_AUTO_APPLY_THRESHOLD,
  type MatchProposal,
} from "./domain/matching.js";
import type { ReferenceSettings } from "./domain/reference.js";
import type { ParsedStatement, StatementLine } from "./statements/statement.js";

export type BankImportOptions = {
  readonly file: string;
  /** The instant the import treats as now, and who ran it. */
  readonly at: string;
  readonly by: string;
  /** Matches at or above this confidence are applied without review. */
  readonly threshold?: number;
  /** How our payment references are made, to read them back. */
  readonly references: ReferenceSettings;
  /** Read every line back for the report (the JSON lists them). */
  readonly withLines?: boolean;
};

export type ImportedStatement = {
  readonly rowId: bigint;
  readonly statement: ParsedStatement;
  /** False when this statement (account and id) was imported before. */
  readonly isNew: boolean;
  readonly newAccount: boolean;
};

export type BankImportResult = {
  readonly statements: readonly ImportedStatement[];
  /**
   * With `withLines`: every line of the file's statements as stored, in file order (earlier
   * imports included).
   */
  readonly lines: readonly BankLine[];
  readonly applied: number;
  readonly review: number;
};

/**
 * Records parsed statements and matches their new credits, in one transaction: a statement
 * imported again finds its lines already there and changes nothing; a failure leaves the
 * ledger as it was. Only one import (or run) at a time decides on the same open balances.
 */
export async function importStatements(
  database: Database,
  statements: readonly ParsedStatement[],
  options: BankImportOptions,
): Promise<BankImportResult> {
  const threshold = options.threshold ?? DEFAULT_AUTO_APPLY_THRESHOLD;
  return database.exclusive(async (db) => {
    const imported: ImportedStatement[] = [];
    const fresh: { statementRow: bigint; account: string; line: StatementLine }[] = [];
    for (const statement of statements) {
      const entry = await recordStatement(db, statement, options);
      imported.push(entry);
      const known = await knownKeys(
        db,
        statement.lines.map((line) => lineKey(statement, line)),
      );
      for (const line of statement.lines) {
        if (!known.has(lineKey(statement, line))) {
          fresh.push({ statementRow: entry.rowId, account: statement.account, line });
        }
      }
    }

    const credits = fresh.filter(({ line }) => isIncomingPayment(line));
    const matcher = credits.length > 0 ? await loadMatcher(database, db, options.references) : null;
    const poster = new LedgerPoster(db, database.dialect, options.at);
    let applied = 0;
    let review = 0;
    const rows: Omit<BankLinesTable, "id">[] = [];
    for (const { statementRow, account, line } of fresh) {
      const base = lineRow(statementRow, account, line);
      if (!isIncomingPayment(line)) {
        rows.push({ ...base, ...outgoing(line) });
        continue;
      }
      const proposal = (matcher as NonNullable<typeof matcher>).propose(creditOf(account, line));
      if (proposal.allocations.length > 0 && appliesAutomatically(proposal, threshold)) {
        matcher?.apply(proposal);
        const credit: AppliedCredit = {
          lineKey: base.key,
          date: line.bookingDate ?? line.valueDate ?? options.at.slice(0, 10),
          currency: line.currency.code,
          reference: line.reference ?? (line.remittance || null),
          payerAccount: line.counterparty.account,
          allocations: proposal.allocations.map((a) => ({
            ...a,
            customerId: proposal.customerId as string,
          })),
          creditMinor: proposal.creditMinor,
        };
        await poster.post(credit);
        rows.push({
          ...base,
          ...decided(proposal),
          status: "applied",
          invoice_ids: JSON.stringify(proposal.allocations.map((a) => a.invoiceId)),
          credit_minor: proposal.creditMinor,
          applied_at: options.at,
          applied_by: `${options.by} (automatic)`,
        });
        applied += 1;
      } else {
        rows.push({
          ...base,
          ...decided(proposal),
          status: "review",
          suggestion: suggestionOf(proposal),
        });
        review += 1;
      }
    }
    await poster.flush();
    await writeRows(db, database.dialect, INSERT_BANK_LINES, rows);
    const lines = options.withLines
      ? await storedLines(
          db,
          imported.map((entry) => entry.rowId),
        )
      : [];
    return { statements: imported, lines, applied, review };
  });
}

const INSERT_BANK_LINES: RowWrite<"bank_lines"> = {
  table: "bank_lines",
  columns: [
    "statement",
    "key",
    "position",
    "amount_minor",
    "currency",
    "credit_debit",
    "reversal",
    "booking_date",
    "value_date",
    "reference",
    "remittance",
    "counterparty_name",
    "counterparty_account",
    "bank_reference",
    "status",
    "rule",
    "confidence",
    "reason",
    "customer_id",
    "suggestion",
    "invoice_ids",
    "credit_minor",
    "applied_at",
    "applied_by",
  ],
};

/** A credit the business received. A reversed credit is money going back out: a person looks. */
function isIncomingPayment(line: StatementLine): boolean {
  return line.creditDebit === "CRDT" && !line.reversal;
}

function outgoing(
  line: StatementLine,
): Pick<BankLinesTable, "status" | "rule" | "confidence" | "reason"> {
  if (line.reversal) {
    return {
      status: "review",
      rule: "reversal",
      confidence: 0,
      reason: `the bank reversed a ${line.creditDebit === "CRDT" ? "debit" : "credit"}: check whether a payment recorded earlier came back`,
    };
  }
  return {
    status: "debit",
    rule: "debit",
    confidence: 0,
    reason: "money paid out (a refund or a supplier): not a customer payment",
  };
}

function decided(proposal: MatchProposal) {
  return {
    rule: proposal.rule,
    confidence: proposal.confidence,
    reason: proposal.reason,
    customer_id: proposal.customerId,
  };
}

function suggestionOf(proposal: MatchProposal): string | null {
  if (proposal.allocations.length === 0) return null;
  return JSON.stringify({
    invoiceIds: proposal.allocations.map((a) => a.invoiceId),
    amountsMinor: proposal.allocations.map((a) => a.minor.toString()),
  });
}

function lineKey(statement: ParsedStatement, line: StatementLine): string {
  return `${statement.account}/${line.key}`;
}

function creditOf(account: string, line: StatementLine) {
  return {
    key: `${account}/${line.key}`,
    amountMinor: line.amountMinor,
    currency: line.currency.code,
    reference: line.reference,
    remittance: line.remittance,
    counterpartyName: line.counterparty.name,
    counterpartyAccount: line.counterparty.account,
  };
}

function lineRow(statementRow: bigint, account: string, line: StatementLine) {
  return {
    statement: statementRow,
    key: `${account}/${line.key}`,
    position: line.position,
    amount_minor: line.amountMinor,
    currency: line.currency.code,
    credit_debit: line.creditDebit,
    reversal: line.reversal ? 1 : 0,
    booking_date: line.bookingDate,
    value_date: line.valueDate,
    reference: line.reference,
    remittance: line.remittance,
    counterparty_name: line.counterparty.name,
    counterparty_account: line.counterparty.account,
    bank_reference: line.bankReference,
    customer_id: null,
    suggestion: null,
    invoice_ids: null,
    credit_minor: null,
    applied_at: null,
    applied_by: null,
  };
}

async function recordStatement(
  db: Kysely<LedgerSchema>,
  statement: ParsedStatement,
  options: BankImportOptions,
): Promise<ImportedStatement> {
  const account = await db
    .insertInto("bank_accounts")
    .values({
      account: statement.account,
      currency: statement.currency.code,
      first_seen_at: options.at,
    })
    .onConflict((oc) => oc.column("account").doNothing())
    .returning("account")
    .executeTakeFirst();
  const existing = await db
    .selectFrom("bank_statements")
    .select("id")
    .where("account", "=", statement.account)
    .where("statement_id", "=", statement.id)
    .executeTakeFirst();
  if (existing) {
    return { rowId: existing.id, statement, isNew: false, newAccount: account !== undefined };
  }
  const row = await db
    .insertInto("bank_statements")
    .values({
      account: statement.account,
      statement_id: statement.id,
      format: statement.format,
      file: options.file,
      currency: statement.currency.code,
      opening_minor: statement.openingBalanceMinor,
      closing_minor: statement.closingBalanceMinor,
      from_date: statement.fromDate,
      to_date: statement.toDate,
      balance_problem: statement.balanceProblem,
      imported_at: options.at,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { rowId: row.id, statement, isNew: true, newAccount: account !== undefined };
}

async function knownKeys(db: Kysely<LedgerSchema>, keys: readonly string[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (let i = 0; i < keys.length; i += 5000) {
    const chunk = keys.slice(i, i + 5000);
    const rows = await db
      .selectFrom("bank_lines")
      .select("key")
      .where("key", "in", chunk)
      .execute();
    for (const row of rows) known.add(row.key);
  }
  return known;
}

async function storedLines(
  db: Kysely<LedgerSchema>,
  statementRows: readonly bigint[],
): Promise<BankLine[]> {
  if (statementRows.length === 0) return [];
  return db
    .selectFrom("bank_lines")
    .selectAll()
    .where("statement", "in", statementRows)
    .orderBy("statement")
    .orderBy("position")
    .execute();
}
