import type { Kysely } from "kysely";
import { logImportedFile } from "../audit/record-file-import.js";
import type { Database } from "../db/database.js";
import type { BankLine, BankLinesTable, LedgerSchema } from "../db/schema.js";
import { settleKeptPromises } from "../dunning/account-records.js";
import { addDays, type CalendarDate } from "../kernel/calendar-date.js";
import { type RowWrite, writeRows } from "../ledger/import/write-rows.js";
import { LedgerPoster } from "./bank-ledger.js";
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
  /** SHA-256 of the file's bytes, hex, for the audit entry. */
  readonly sha256: string;
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
  statements: readonly ParsedStatement[] | Promise<readonly ParsedStatement[]>,
  options: BankImportOptions,
): Promise<BankImportResult> {
  const threshold = options.threshold ?? DEFAULT_AUTO_APPLY_THRESHOLD;
  return database.exclusive(async (db) => {
    // Statements still being read (in a worker) are waited for while the ledger is loaded for
    // matching; the load is wasted only on a file with no new credit.
    const early =
      statements instanceof Promise ? loadMatcher(database, db, options.references) : undefined;
    early?.catch(() => undefined);
    const parsed = await Promise.resolve(statements).catch(async (error: unknown) => {
      // Let the load finish before the transaction is rolled back and the store closed.
      await early?.catch(() => undefined);
      throw error;
    });
    const imported: ImportedStatement[] = [];
    const fresh: Fresh[] = [];
    for (const statement of parsed) {
      const entry = await recordStatement(db, statement, options);
      imported.push(entry);
      const keys = statement.lines.map((line) => `${statement.account}/${line.key}`);
      const known = await knownKeys(db, keys);
      statement.lines.forEach((line, index) => {
        const key = keys[index] as string;
        if (!known.has(key)) fresh.push({ statement, statementRow: entry.rowId, key, line });
      });
    }

    const repeated = await alreadyReported(db, fresh);

    const matcher = fresh.some(({ line }) => isIncomingPayment(line))
      ? await (early ?? loadMatcher(database, db, options.references))
      : null;
    const poster = new LedgerPoster(db, database.dialect, options.at);
    let applied = 0;
    let review = 0;
    const rows: Omit<BankLinesTable, "id">[] = [];
    for (const [index, { statementRow, key, line }] of fresh.entries()) {
      const row = lineRow(statementRow, key, line);
      rows.push(row);
      const earlier = repeated.get(index);
      if (earlier) {
        Object.assign(row, {
          status: "duplicate",
          rule: "duplicate",
          reason: `already imported from statement ${earlier} (the bank reported it twice): not booked again`,
        });
        continue;
      }
      if (!matcher || !isIncomingPayment(line)) {
        Object.assign(row, outgoing(line));
        continue;
      }
      const proposal = matcher.propose({
        key,
        amountMinor: line.amountMinor,
        currency: line.currency.code,
        reference: line.reference,
        remittance: line.remittance,
        counterpartyName: line.counterparty.name,
        counterpartyAccount: line.counterparty.account,
      });
      row.rule = proposal.rule;
      row.confidence = proposal.confidence;
      row.reason = proposal.reason;
      row.customer_id = proposal.customerId;
      if (!appliesAutomatically(proposal, threshold)) {
        row.suggestion = suggestionOf(proposal);
        review += 1;
        continue;
      }
      matcher.apply(proposal);
      const customerId = proposal.customerId as string;
      await poster.post({
        line: { statement: statementRow, position: line.position },
        date: line.bookingDate ?? line.valueDate ?? options.at.slice(0, 10),
        currency: line.currency.code,
        reference: line.reference ?? (line.remittance || null),
        payerAccount: line.counterparty.account,
        allocations: proposal.allocations.map((a) => ({ ...a, customerId })),
        creditMinor: proposal.creditMinor,
      });
      row.status = "applied";
      row.invoice_ids = JSON.stringify(proposal.allocations.map((a) => a.invoiceId));
      row.credit_minor = proposal.creditMinor;
      row.applied_at = options.at;
      row.applied_by = `${options.by} (automatic)`;
      applied += 1;
    }
    await settleKeptPromises(db, await poster.flush(), options.at);
    await writeRows(db, database.dialect, INSERT_BANK_LINES, rows);
    await logImportedFile(db, {
      at: options.at,
      by: options.by,
      rule: "import-bank-statement",
      file: options.file,
      sha256: options.sha256,
      rows: parsed.reduce((sum, statement) => sum + statement.lines.length, 0),
      outcome: `${parsed.length} statements, ${fresh.length} new lines: ${applied} payments applied, ${review} waiting for review`,
    });
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

type Fresh = {
  readonly statement: ParsedStatement;
  readonly statementRow: bigint;
  readonly key: string;
  readonly line: StatementLine;
};

const CAMT = new Set(["camt053", "camt054"]);
/** How far back a statement may have reported a transaction first. */
const REPEAT_WINDOW_DAYS = 31;

/**
 * New camt lines that another statement of the same account already reported, by position in
 * `fresh`, with that statement's id: a bank sends each incoming payment in a camt.054 during
 * the day and again in the evening's camt.053, each with its own entry keys but the same
 * servicer reference and amount. As many lines are matched as the earlier statements had.
 */
async function alreadyReported(
  db: Kysely<LedgerSchema>,
  fresh: readonly Fresh[],
): Promise<Map<number, string>> {
  const candidates = fresh.flatMap((entry, index) =>
    CAMT.has(entry.statement.format) && entry.line.bankReference ? [index] : [],
  );
  const repeated = new Map<number, string>();
  if (candidates.length === 0) return repeated;
  const signature = (account: string, reference: string, minor: bigint, direction: string) =>
    `${account}\u0000${reference}\u0000${minor}\u0000${direction}`;
  const seen = new Map<string, string[]>();
  const ours = new Set(fresh.map((entry) => entry.statementRow));
  for (const account of new Set(candidates.map((i) => fresh[i]?.statement.account as string))) {
    const dates = candidates
      .map((i) => fresh[i] as Fresh)
      .filter((entry) => entry.statement.account === account)
      .map((entry) => entry.line.bookingDate ?? entry.line.valueDate)
      .filter((date): date is CalendarDate => date !== null)
      .sort();
    const since = addDays(dates[0] ?? ("1970-01-01" as CalendarDate), -REPEAT_WINDOW_DAYS);
    const rows = await db
      .selectFrom("bank_statements as s")
      .innerJoin("bank_lines as l", "l.statement", "s.id")
      .select(["s.id", "s.statement_id", "l.bank_reference", "l.amount_minor", "l.credit_debit"])
      .where("s.account", "=", account)
      .where("s.format", "in", [...CAMT])
      .where((eb) =>
        eb.or([
          eb("s.to_date", ">=", since),
          eb.and([eb("s.to_date", "is", null), eb("l.booking_date", ">=", since)]),
        ]),
      )
      .where("l.bank_reference", "is not", null)
      .execute();
    for (const row of rows) {
      if (ours.has(row.id)) continue;
      const key = signature(
        account,
        row.bank_reference as string,
        row.amount_minor,
        row.credit_debit,
      );
      seen.set(key, [...(seen.get(key) ?? []), row.statement_id]);
    }
  }
  for (const index of candidates) {
    const { statement, line } = fresh[index] as Fresh;
    const key = signature(
      statement.account,
      line.bankReference as string,
      line.amountMinor,
      line.creditDebit,
    );
    const earlier = seen.get(key)?.shift();
    if (earlier !== undefined) repeated.set(index, earlier);
  }
  return repeated;
}

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

function suggestionOf(proposal: MatchProposal): string | null {
  if (proposal.allocations.length === 0) return null;
  return JSON.stringify({
    invoiceIds: proposal.allocations.map((a) => a.invoiceId),
    amountsMinor: proposal.allocations.map((a) => a.minor.toString()),
  });
}

/** A line as stored, before its outcome is known: waiting for review until decided. */
function lineRow(
  statementRow: bigint,
  key: string,
  line: StatementLine,
): Omit<BankLinesTable, "id"> {
  return {
    statement: statementRow,
    key,
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
    status: "review",
    rule: "none",
    confidence: 0,
    reason: "",
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
