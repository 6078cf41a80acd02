import { createHash } from "node:crypto";
import { CsvError } from "csv-parse";
import { parse } from "csv-parse/sync";
import { type CalendarDate, parseCalendarDate } from "../../kernel/calendar-date.js";
import { type Checked, invalid, OverdueError } from "../../kernel/errors.js";
import { type Currency, findCurrency, parseAmount } from "../../kernel/money.js";
import { newlinesIn } from "../../ledger/import/csv-records.js";
import type { ParsedStatement, StatementLine } from "./statement.js";
import { ProblemList } from "./statement-error.js";

/** The statement fields a CSV column can fill. */
export const CSV_STATEMENT_FIELDS = [
  "bookingDate",
  "valueDate",
  "amount",
  "credit",
  "debit",
  "currency",
  "reference",
  "remittance",
  "counterpartyName",
  "counterpartyAccount",
  "bankReference",
  "account",
] as const;

export type CsvStatementField = (typeof CSV_STATEMENT_FIELDS)[number];

/**
 * Our field → the header as written in the bank's file. `amount` is signed (negative is money
 * out); banks that write paid-in and paid-out columns map `credit` and `debit` instead.
 */
export type CsvColumnMapping = { readonly bookingDate: string } & {
  readonly [field in Exclude<CsvStatementField, "bookingDate">]?: string;
};

export type CsvDateFormat = "YYYY-MM-DD" | "DD.MM.YYYY" | "DD/MM/YYYY" | "YYYYMMDD";

export type CsvStatementOptions = {
  readonly columns: CsvColumnMapping;
  /** The account the file is for; required unless `columns.account` names a column. */
  readonly account?: string;
  /** ISO 4217 code of every amount, unless `columns.currency` names a column. */
  readonly currency?: string;
  /** Detected from the header line when not given. */
  readonly delimiter?: "," | ";" | "\t";
  /**
   * Default: "," when the delimiter is ";" (spreadsheets in decimal-comma locales switch to
   * ";" for exactly that reason), otherwise ".". Thousands separators are tolerated.
   */
  readonly decimalSeparator?: "." | ",";
  /** Detected per value when not given (no month-first format is accepted, so none is ambiguous). */
  readonly dateFormat?: CsvDateFormat;
};

/**
 * `bookingDate=Datum,amount=Belopp,remittance=Text`: our field = the file's header, like the
 * ledger import's `--map`. Field names may also be written snake_case (`booking_date`).
 */
export function parseCsvMapping(text: string): CsvColumnMapping {
  const byLowerName = new Map(CSV_STATEMENT_FIELDS.map((field) => [field.toLowerCase(), field]));
  const mapping: Partial<Record<CsvStatementField, string>> = {};
  for (const pair of text.split(",")) {
    const at = pair.indexOf("=");
    const ours = pair.slice(0, at).trim();
    const theirs = pair.slice(at + 1).trim();
    if (at <= 0 || !ours || !theirs) {
      throw new OverdueError("bad_map", `--map: "${pair}" is not of the form field=Header`);
    }
    const field = byLowerName.get(ours.replace(/[_-]/g, "").toLowerCase());
    if (!field) {
      throw new OverdueError(
        "bad_map",
        `--map: "${ours}" is not a statement field (one of ${CSV_STATEMENT_FIELDS.join(", ")})`,
      );
    }
    mapping[field] = theirs;
  }
  return checkMapping(mapping);
}

function checkMapping(mapping: Partial<Record<CsvStatementField, string>>): CsvColumnMapping {
  const { bookingDate } = mapping;
  if (!bookingDate) {
    throw new OverdueError("bad_map", "--map: bookingDate is required (the booking date column)");
  }
  if (!mapping.amount && !mapping.credit && !mapping.debit) {
    throw new OverdueError("bad_map", "--map: map amount (signed), or credit and debit");
  }
  if (mapping.amount && (mapping.credit || mapping.debit)) {
    throw new OverdueError("bad_map", "--map: map either amount or credit and debit, not both");
  }
  return { ...mapping, bookingDate };
}

/** Header lines are looked for among this many first records (some banks put a title first). */
const MAX_PREAMBLE_RECORDS = 20;

type Row = { readonly line: number; readonly fields: readonly string[] };

/**
 * Reads a CSV bank export through a column mapping into one statement per account. The id is
 * `csv/ACCOUNT/DIGEST` (a digest of the file's text). CSV exports carry no transaction ids and
 * their periods overlap (this week, then this month), so a line's key is its content, not its
 * row: `csv/ACCOUNT/ROWDIGEST/N`, the digest of the row's mapped values and N counting equal
 * rows within the file. The same transaction in two overlapping exports gets the same key.
 * CSV has no balances; fromDate/toDate are the first and last booking dates. Every bad row is
 * reported as `FILE:LINE: Header: problem`.
 */
export function parseCsvStatement(
  text: string,
  fileName: string,
  options: CsvStatementOptions,
): ParsedStatement[] {
  const columns = checkMapping(options.columns);
  const problems: ProblemList = new ProblemList(fileName, ":");
  if (!options.account && !columns.account) {
    throw new OverdueError(
      "statement_csv_mapping",
      `${fileName}: name the account the statement is for, or map the account column`,
    );
  }
  const defaultCurrency = options.currency ? findCurrency(options.currency.toUpperCase()) : null;
  if (options.currency && !defaultCurrency) {
    throw new OverdueError(
      "statement_csv_mapping",
      `${fileName}: "${options.currency}" is not an ISO 4217 currency code`,
    );
  }
  if (!defaultCurrency && !columns.currency) {
    throw new OverdueError(
      "statement_csv_mapping",
      `${fileName}: name the statement's currency, or map the currency column`,
    );
  }

  const delimiter = options.delimiter ?? detectDelimiter(text, columns.bookingDate);
  const decimal = options.decimalSeparator ?? (delimiter === ";" ? "," : ".");
  const rows = readRows(text, delimiter, problems);
  const headerIndex = rows
    .slice(0, MAX_PREAMBLE_RECORDS)
    .findIndex((row) => Object.values(columns).every((name) => hasHeader(row, name)));
  const header = rows[headerIndex];
  if (!header) {
    const first = rows[0];
    const missing = Object.values(columns).filter((name) => !first || !hasHeader(first, name));
    for (const name of missing) {
      problems.add(`${first?.line ?? 1}: ${name}`, "no such column in the header");
    }
    problems.throwIfAny();
    return [];
  }
  const headerNames = header.fields.map((name) => name.trim());
  const indexOf = (field: CsvStatementField): number => {
    const name = columns[field];
    return name === undefined ? -1 : headerNames.indexOf(name);
  };
  const positions = new Map(CSV_STATEMENT_FIELDS.map((field) => [field, indexOf(field)]));

  const byAccount = new Map<string, StatementLine[]>();
  const digest = createHash("sha256").update(text).digest("hex").slice(0, 16);
  const sameRows = new Map<string, number>();
  for (const row of rows.slice(headerIndex + 1)) {
    if (row.fields.every((field) => field.trim() === "")) continue;
    const extra = row.fields.slice(headerNames.length);
    if (row.fields.length < headerNames.length || extra.some((field) => field.trim() !== "")) {
      problems.add(
        `${row.line}: row`,
        `has ${row.fields.length} fields, the header has ${headerNames.length}`,
      );
      continue;
    }
    const value = (field: CsvStatementField): string => {
      const index = positions.get(field) ?? -1;
      return index < 0 ? "" : (row.fields[index] ?? "").trim();
    };
    const where = (field: CsvStatementField) => `${row.line}: ${columns[field] ?? field}`;
    const before = problems.count;

    const account = columns.account ? value("account") : (options.account ?? "");
    if (!account) problems.add(where("account"), "empty");
    let currency = defaultCurrency ?? null;
    if (columns.currency && value("currency") !== "") {
      currency = findCurrency(value("currency").toUpperCase()) ?? null;
      if (!currency) {
        problems.add(where("currency"), `"${value("currency")}" is not an ISO 4217 currency code`);
      }
    } else if (!currency) problems.add(where("currency"), "empty");

    const bookingDate = dateOf(value("bookingDate"), options.dateFormat);
    if (!bookingDate.ok) problems.add(where("bookingDate"), bookingDate.problem);
    const valueText = value("valueDate");
    const valueDate = valueText === "" ? null : dateOf(valueText, options.dateFormat);
    if (valueDate && !valueDate.ok) problems.add(where("valueDate"), valueDate.problem);

    const signed = currency
      ? signedAmountOf(value, where, decimal, currency, columns, problems)
      : null;
    if (problems.count > before || signed === null || !currency || !bookingDate.ok) continue;

    const lines = byAccount.get(account) ?? [];
    byAccount.set(account, lines);
    const optional = (field: CsvStatementField) => value(field) || null;
    const content = CSV_STATEMENT_FIELDS.map((field) => value(field)).join("\u0000");
    const rowDigest = createHash("sha256").update(`${account}\u0000${content}`).digest("hex");
    const occurrence = (sameRows.get(rowDigest) ?? 0) + 1;
    sameRows.set(rowDigest, occurrence);
    lines.push({
      key: `csv/${account}/${rowDigest.slice(0, 16)}/${occurrence}`,
      position: lines.length + 1,
      amountMinor: signed < 0n ? -signed : signed,
      currency,
      creditDebit: signed < 0n ? "DBIT" : "CRDT",
      reversal: false,
      bookingDate: bookingDate.value,
      valueDate: valueDate?.ok ? valueDate.value : null,
      reference: optional("reference"),
      references: value("reference") ? [value("reference")] : [],
      remittance: value("remittance"),
      counterparty: {
        name: optional("counterpartyName"),
        account: optional("counterpartyAccount"),
      },
      bankReference: optional("bankReference"),
      endToEndId: null,
      documentNumbers: [],
      status: null,
    });
  }
  problems.throwIfAny();
  if (byAccount.size === 0 && options.account && defaultCurrency) {
    byAccount.set(options.account, []);
  }
  return [...byAccount].map(([account, lines]) => {
    const dates = lines.flatMap((line) => line.bookingDate ?? []).sort();
    const first = lines[0];
    return {
      id: statementId(account, digest),
      format: "csv",
      account,
      currency: defaultCurrency ?? (first as StatementLine).currency,
      openingBalanceMinor: null,
      closingBalanceMinor: null,
      fromDate: dates[0] ?? null,
      toDate: dates[dates.length - 1] ?? null,
      lines,
      balanceProblem: null,
    };
  });
}

function statementId(account: string, digest: string): string {
  return `csv/${account}/${digest}`;
}

function hasHeader(row: Row, name: string): boolean {
  return row.fields.some((field) => field.trim() === name);
}

/** The delimiter that splits the header line (the first line naming the booking-date column). */
function detectDelimiter(text: string, bookingDateHeader: string): "," | ";" | "\t" {
  const lines = text.split(/\r?\n/, MAX_PREAMBLE_RECORDS);
  const headerLine = lines.find((line) => line.includes(bookingDateHeader)) ?? lines[0] ?? "";
  const outsideQuotes = headerLine.replace(/"[^"]*"/g, "");
  const counts = ([",", ";", "\t"] as const).map(
    (d) => [d, outsideQuotes.split(d).length] as const,
  );
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[0];
}

function readRows(text: string, delimiter: string, problems: ProblemList): Row[] {
  try {
    // Lines are counted here: csv-parse's `info` option costs a third of the parse. Empty
    // lines come through as one empty field, are counted, and are left out.
    const records = parse(text, { delimiter, bom: true, relax_column_count: true }) as string[][];
    const rows: Row[] = [];
    let last = 0;
    for (const fields of records) {
      last += 1 + newlinesIn(fields);
      if (fields.length > 1 || fields[0] !== "") rows.push({ line: last, fields });
    }
    return rows;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === "number" ? error.lines : 1;
      problems.fail(`${line}: file`, `not readable as CSV: ${error.message}`);
    }
    throw error;
  }
}

function signedAmountOf(
  value: (field: CsvStatementField) => string,
  where: (field: CsvStatementField) => string,
  decimal: "." | ",",
  currency: Currency,
  columns: CsvColumnMapping,
  problems: ProblemList,
): bigint | null {
  if (columns.amount) {
    const amount = parseCsvAmount(value("amount"), decimal, currency);
    if (amount.ok) return amount.value;
    problems.add(where("amount"), amount.problem);
    return null;
  }
  const read = (field: "credit" | "debit"): bigint | null | undefined => {
    if (value(field) === "") return undefined;
    const amount = parseCsvAmount(value(field), decimal, currency);
    if (amount.ok) return amount.value;
    problems.add(where(field), amount.problem);
    return null;
  };
  const credit = read("credit");
  const debit = read("debit");
  if (credit === null || debit === null) return null;
  if (credit === undefined && debit === undefined) {
    problems.add(where(columns.credit ? "credit" : "debit"), "no amount in this row");
    return null;
  }
  if (credit && debit) {
    problems.add(where("credit"), `both ${columns.credit} and ${columns.debit} hold an amount`);
    return null;
  }
  if (credit !== undefined && credit < 0n) {
    problems.add(where("credit"), "a paid-in amount must not be negative");
    return null;
  }
  // Paid-out columns are written as positive figures by some banks and negative by others.
  if (debit) return debit < 0n ? debit : -debit;
  return credit ?? 0n;
}

/**
 * `-1 234,50`, `1.234,50`, `(12.50)`, `+12.50` → signed minor units. Thousands separators must
 * group by three and be one kind; more decimals than the currency has is an error.
 */
export function parseCsvAmount(text: string, decimal: "." | ",", cur: Currency): Checked<bigint> {
  let rest = text.trim();
  if (rest === "") return invalid("empty");
  let negative = false;
  if (/^\(.*\)$/.test(rest)) {
    negative = true;
    rest = rest.slice(1, -1).trim();
  }
  if (/^[-+\u2212]/.test(rest)) {
    negative = rest[0] !== "+";
    rest = rest.slice(1).trim();
  }
  const thousands = decimal === "," ? "[. \u00a0\u202f']" : "[, \u00a0\u202f']";
  const shape = new RegExp(
    `^(\\d{1,3}(${thousands})\\d{3}(?:\\2\\d{3})*|\\d+)(?:\\${decimal}(\\d+))?$`,
  );
  const match = shape.exec(rest);
  if (!match?.[1]) {
    return invalid(`"${text}" is not an amount (decimal separator "${decimal}")`);
  }
  const whole = match[1].replace(/\D/g, "");
  const fraction = match[3];
  const plain = `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
  const parsed = parseAmount(plain, cur, { allowNegative: true });
  return parsed.ok ? parsed : invalid(parsed.problem.replace(`"${plain}"`, `"${text}"`));
}

const DATE_SHAPES: Readonly<Record<CsvDateFormat, RegExp>> = {
  "YYYY-MM-DD": /^(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})(?:[T ][\d:.]+)?$/,
  "DD.MM.YYYY": /^(?<d>\d{1,2})\.(?<m>\d{1,2})\.(?<y>\d{4})$/,
  "DD/MM/YYYY": /^(?<d>\d{1,2})\/(?<m>\d{1,2})\/(?<y>\d{4})$/,
  YYYYMMDD: /^(?<y>\d{4})(?<m>\d{2})(?<d>\d{2})$/,
};

function dateOf(text: string, format: CsvDateFormat | undefined): Checked<CalendarDate> {
  if (text === "") return invalid("empty");
  const formats = format ? [format] : (Object.keys(DATE_SHAPES) as CsvDateFormat[]);
  for (const candidate of formats) {
    const groups = DATE_SHAPES[candidate].exec(text)?.groups;
    if (!groups) continue;
    const iso = `${groups.y}-${groups.m?.padStart(2, "0")}-${groups.d?.padStart(2, "0")}`;
    const parsed = parseCalendarDate(iso);
    return parsed.ok ? parsed : invalid(`"${text}" is not a day of the calendar`);
  }
  return invalid(`"${text}" is not a date (${format ?? Object.keys(DATE_SHAPES).join(", ")})`);
}
