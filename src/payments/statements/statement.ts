import type { CalendarDate } from "../../kernel/calendar-date.js";
import { OverdueError } from "../../kernel/errors.js";
import type { Currency } from "../../kernel/money.js";
import { parseCamt } from "./camt.js";
import { type CsvStatementOptions, parseCsvStatement } from "./csv-statement.js";
import { decodeStatementText } from "./decode-text.js";
import { parseOfx } from "./ofx.js";

export type StatementFormat = "camt053" | "camt054" | "ofx" | "csv";

export const STATEMENT_FORMATS: readonly StatementFormat[] = ["camt053", "camt054", "ofx", "csv"];

export type StatementLine = {
  /** Stable across re-imports of the same file, unique within it (see each parser for the shape). */
  readonly key: string;
  /** 1-based position in the statement, for messages. */
  readonly position: number;
  /** Never negative; the direction is `creditDebit`. */
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly creditDebit: "CRDT" | "DBIT";
  /** camt RvslInd: the bank took back an earlier booking (`creditDebit` is this booking's direction). */
  readonly reversal: boolean;
  readonly bookingDate: CalendarDate | null;
  readonly valueDate: CalendarDate | null;
  /** Structured creditor reference exactly as found (camt RmtInf/Strd/CdtrRefInf/Ref), valid or not. */
  readonly reference: string | null;
  /**
   * Every structured creditor reference of the transaction, in file order (`reference` is the
   * first): one payment for several invoices repeats RmtInf/Strd, one reference each.
   */
  readonly references: readonly string[];
  /**
   * Unstructured remittance text (camt Ustrd joined with " ", then Strd/AddtlRmtInf and the
   * referred document numbers; OFX MEMO; CSV text column). Empty when there is none.
   */
  readonly remittance: string;
  /** The other party: for a credit the debtor (payer), for a debit the creditor. */
  readonly counterparty: { readonly name: string | null; readonly account: string | null };
  /** The bank's own id for the transaction (AcctSvcrRef, EndToEndId, OFX FITID), if any. */
  readonly bankReference: string | null;
  /** The payer's end-to-end id (camt Refs/EndToEndId, `NOTPROVIDED` dropped); often an invoice number. */
  readonly endToEndId: string | null;
  /** Referred document numbers (camt RmtInf/Strd/RfrdDocInf/Nb), usually invoice numbers. */
  readonly documentNumbers: readonly string[];
  /** Entry status (camt Sts: BOOK, PDNG, INFO); null when the format has none (OFX, CSV: booked). */
  readonly status: string | null;
};

export type ParsedStatement = {
  /** camt Stmt/Id or Ntfctn/Id; OFX `ACCOUNT/DTSTART..DTEND`; CSV `csv/ACCOUNT/DIGEST`. */
  readonly id: string;
  readonly format: StatementFormat;
  /** IBAN, or Othr/Id, or OFX `BANKID/ACCTID` (credit cards: ACCTID). */
  readonly account: string;
  readonly currency: Currency;
  /** Signed; camt OPBD (or PRCD); null for camt.054, OFX and CSV. */
  readonly openingBalanceMinor: bigint | null;
  /** Signed; camt CLBD; OFX LEDGERBAL. */
  readonly closingBalanceMinor: bigint | null;
  readonly fromDate: CalendarDate | null;
  readonly toDate: CalendarDate | null;
  readonly lines: readonly StatementLine[];
  /** Set when opening + credits − debits ≠ closing (entry-level amounts): reported, never "fixed". */
  readonly balanceProblem: string | null;
};

export type ParseStatementOptions = {
  /** Named in every error message. */
  readonly fileName: string;
  /** Skips detection; a camt file of the other kind is refused. */
  readonly format?: StatementFormat;
  /** Required for CSV: the column mapping and how the file writes numbers and dates. */
  readonly csv?: CsvStatementOptions;
};

/**
 * Reads a bank-statement file into statements and their lines. All or nothing: a malformed
 * file raises a `StatementFileError` (an `OverdueError`) naming the file and every place that
 * is wrong; nothing is returned from it.
 */
export function parseStatementFile(
  content: Buffer | string,
  options: ParseStatementOptions,
): ParsedStatement[] {
  const format = options.format ?? detectStatementFormat(content);
  if (!format) {
    throw new OverdueError(
      "statement_format_unknown",
      `${options.fileName}: not a camt.053, camt.054, OFX or CSV statement that Overdue can tell; name the format (camt053, camt054, ofx, csv)`,
    );
  }
  switch (format) {
    case "camt053":
    case "camt054":
      return parseCamt(
        decodeStatementText(content, "xml", options.fileName),
        options.fileName,
        format,
      );
    case "ofx":
      return parseOfx(decodeStatementText(content, "ofx", options.fileName), options.fileName);
    case "csv":
      if (!options.csv) {
        throw new OverdueError(
          "statement_csv_mapping",
          `${options.fileName}: a CSV statement needs a column mapping (at least bookingDate and amount, or credit and debit)`,
        );
      }
      return parseCsvStatement(
        decodeStatementText(content, "csv", options.fileName),
        options.fileName,
        options.csv,
      );
  }
}

/**
 * Tells the format from the content: camt by its root message element (any version, any
 * namespace prefix), OFX by its header or root, CSV as the fallback for text whose first lines
 * have a `,`, `;` or tab. Null when the content is none of these (another XML document, say).
 */
export function detectStatementFormat(content: Buffer | string): StatementFormat | null {
  const head = (typeof content === "string" ? content.slice(0, 8192) : content.subarray(0, 8192))
    .toString()
    .replace(/^\uFEFF/, "")
    .trimStart();
  if (/^OFXHEADER\s*:/i.test(head) || /<\?OFX\b/i.test(head) || /^<OFX>/i.test(head)) {
    return "ofx";
  }
  if (head.startsWith("<")) {
    if (/<(?:\w+:)?BkToCstmrStmt[\s>]/.test(head)) return "camt053";
    if (/<(?:\w+:)?BkToCstmrDbtCdtNtfctn[\s>]/.test(head)) return "camt054";
    if (/camt\.053\.001\.\d\d/.test(head)) return "camt053";
    if (/camt\.054\.001\.\d\d/.test(head)) return "camt054";
    return null;
  }
  // Some banks put a title line before the CSV header, so look a few lines in.
  const firstLines = head.split(/\r?\n/, 5);
  return firstLines.some((line) => /[,;\t]/.test(line)) ? "csv" : null;
}
