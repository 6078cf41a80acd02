import { type CalendarDate, parseCalendarDate } from "../../kernel/calendar-date.js";
import { type Currency, findCurrency, parseAmount } from "../../kernel/money.js";
import { ofxSgmlToXml } from "./ofx-sgml.js";
import type { ParsedStatement, StatementLine } from "./statement.js";
import { ProblemList } from "./statement-error.js";
import { parseXmlDocument, type XmlElement } from "./xml-document.js";

/*
 * Open Financial Exchange statement downloads (OFX 1.0.2–1.6 SGML, 2.x XML; spec section 11,
 * "Banking"): BANKMSGSRSV1/STMTTRNRS/STMTRS for bank accounts and
 * CREDITCARDMSGSRSV1/CCSTMTTRNRS/CCSTMTRS for cards, one statement each.
 *
 * - TRNAMT is signed from the account holder's side: positive is a credit (money in).
 * - Amounts in CURDEF, unless the transaction has CURRENCY/CURSYM (then in that currency;
 *   ORIGCURRENCY only tells what the amount was before conversion into CURDEF).
 * - Dates `YYYYMMDD[HHMMSS[.XXX]][[-5:EST]]`: the calendar date written, not shifted by the
 *   zone. bookingDate is DTPOSTED; valueDate is DTAVAIL (funds available), else DTUSER.
 * - OFX has no structured creditor reference. REFNUM is taken as `reference` only when it has
 *   the shape of an ISO 11649 RF reference (`RF` + 2 check digits + up to 21 characters), as
 *   European banks that export OFX carry the payer's reference there. A bare number is not
 *   taken: US banks put cheque and trace numbers in REFNUM, and a short number passes a
 *   mod-10 check by chance one time in ten. CHECKNUM is a cheque number and is not used.
 * - Keys are `ACCOUNT/FITID`: FITID is unique and stable per account (spec 3.2.1), so
 *   overlapping downloads give the same key for the same transaction. A file whose FITIDs are
 *   missing or repeat falls back to `STATEMENTID/POSITION` for all its lines.
 */

const STATEMENT_PATHS = [
  {
    messageSet: "BANKMSGSRSV1",
    response: "STMTTRNRS",
    statement: "STMTRS",
    account: "BANKACCTFROM",
  },
  {
    messageSet: "CREDITCARDMSGSRSV1",
    response: "CCSTMTTRNRS",
    statement: "CCSTMTRS",
    account: "CCACCTFROM",
  },
] as const;

export function parseOfx(text: string, fileName: string): ParsedStatement[] {
  const root = parseXmlDocument(ofxBodyAsXml(text, fileName), fileName);
  const problems: ProblemList = new ProblemList(fileName);
  if (root.name !== "OFX") problems.fail(root.name, "the root element is not OFX");
  const statements: (ParsedStatement | null)[] = [];
  for (const path of STATEMENT_PATHS) {
    for (const messageSet of root.children(path.messageSet)) {
      for (const [i, response] of messageSet.children(path.response).entries()) {
        const statement = response.at(path.statement);
        if (!statement) continue;
        const rebased = statement.withPath(`${path.response}[${i + 1}]/${path.statement}`);
        statements.push(mapStatement(rebased, path.account, problems));
      }
    }
  }
  if (statements.length === 0) {
    problems.fail("OFX", "holds no bank (STMTRS) or credit-card (CCSTMTRS) statement");
  }
  problems.throwIfAny();
  return statements.filter((statement): statement is ParsedStatement => statement !== null);
}

/** OFX 2 is XML after its `<?OFX …?>` instruction; OFX 1 has a header of `NAME:VALUE` lines. */
function ofxBodyAsXml(text: string, fileName: string): string {
  const start = text.search(/<OFX\s*>/i);
  if (/^\s*OFXHEADER\s*:/i.test(text) || (start >= 0 && !/^\s*<\?xml/i.test(text))) {
    if (start < 0) {
      throw new ProblemList(fileName).fail("line 1, column 1", "the OFX header has no <OFX> body");
    }
    return ofxSgmlToXml(text, start, fileName);
  }
  return text;
}

function mapStatement(
  statement: XmlElement,
  accountElement: string,
  problems: ProblemList,
): ParsedStatement | null {
  const before = problems.count;
  const currency = currencyAt(statement, "CURDEF", problems);
  const from = statement.at(accountElement);
  const accountId = from?.textAt("ACCTID");
  if (!accountId) problems.add(`${statement.path}/${accountElement}/ACCTID`, "missing account id");
  const bankId = from?.textAt("BANKID");
  const account = bankId ? `${bankId}/${accountId}` : (accountId ?? "");

  const list = statement.at("BANKTRANLIST");
  const fromDate = dateAt(list, "DTSTART", problems);
  const toDate = dateAt(list, "DTEND", problems);
  const ledger = statement.at("LEDGERBAL");
  const closing = ledger && currency ? signedAmountAt(ledger, "BALAMT", currency, problems) : null;
  const id = `${account}/${fromDate ?? ""}..${toDate ?? ""}`;

  const transactions = list?.children("STMTTRN") ?? [];
  const fitIds = transactions.map((trn) => trn.textAt("FITID"));
  const keyByFitId =
    fitIds.every((fitId) => fitId !== undefined) && new Set(fitIds).size === fitIds.length;
  const lines: StatementLine[] = [];
  for (const [i, trn] of transactions.entries()) {
    const lineCurrency = trn.at("CURRENCY")
      ? currencyAt(trn, "CURRENCY/CURSYM", problems)
      : currency;
    const signed = lineCurrency ? signedAmountAt(trn, "TRNAMT", lineCurrency, problems) : null;
    const bookingDate = dateAt(trn, "DTPOSTED", problems);
    if (!trn.at("DTPOSTED")) problems.add(`${trn.path}/DTPOSTED`, "missing posting date");
    const valueDate = dateAt(trn, "DTAVAIL", problems) ?? dateAt(trn, "DTUSER", problems);
    if (signed === null || !lineCurrency) continue;
    const fitId = trn.textAt("FITID") ?? null;
    const refNum = trn.textAt("REFNUM");
    const reference = refNum && looksLikeCreditorReference(refNum) ? refNum : null;
    const toAccount = trn.at("BANKACCTTO") ?? trn.at("CCACCTTO");
    const toAccountId = toAccount?.textAt("ACCTID");
    const toBankId = toAccount?.textAt("BANKID");
    lines.push({
      key: keyByFitId ? `${account}/${fitId}` : `${id}/${i + 1}`,
      position: i + 1,
      amountMinor: signed < 0n ? -signed : signed,
      currency: lineCurrency,
      creditDebit: signed < 0n ? "DBIT" : "CRDT",
      reversal: false,
      bookingDate,
      valueDate,
      reference,
      references: reference ? [reference] : [],
      remittance: trn.textAt("MEMO") ?? "",
      counterparty: {
        name: trn.textAt("NAME") ?? trn.textAt("PAYEE", "NAME") ?? null,
        account: toAccountId ? (toBankId ? `${toBankId}/${toAccountId}` : toAccountId) : null,
      },
      bankReference: fitId,
      endToEndId: null,
      documentNumbers: [],
      status: null,
    });
  }
  if (problems.count > before || !currency) return null;
  return {
    id,
    format: "ofx",
    account,
    currency,
    openingBalanceMinor: null,
    closingBalanceMinor: closing,
    fromDate,
    toDate,
    lines,
    // OFX states no opening balance, so there is nothing to add up.
    balanceProblem: null,
  };
}

function looksLikeCreditorReference(text: string): boolean {
  const compact = text.replace(/\s+/g, "").toUpperCase();
  return /^RF\d{2}[A-Z0-9]{1,21}$/.test(compact);
}

function currencyAt(element: XmlElement, path: string, problems: ProblemList): Currency | null {
  const names = path.split("/");
  const where = `${element.path}/${path}`;
  const code = element.textAt(...names);
  if (!code) {
    problems.add(where, "missing currency");
    return null;
  }
  const currency = findCurrency(code.toUpperCase());
  if (!currency) problems.add(where, `"${code}" is not an ISO 4217 currency code`);
  return currency ?? null;
}

/** OFX amounts are signed and may use a comma as the decimal point (spec 3.2.9.1). */
function signedAmountAt(
  element: XmlElement,
  name: string,
  currency: Currency,
  problems: ProblemList,
): bigint | null {
  const where = `${element.path}/${name}`;
  const text = element.textAt(name);
  if (!text) {
    problems.add(where, "missing amount");
    return null;
  }
  let normal = text.replace(/^\+/, "");
  if (!normal.includes(".")) normal = normal.replace(",", ".");
  normal = normal.replace(/^(-?)\./, "$10.");
  const parsed = parseAmount(normal, currency, { allowNegative: true });
  if (parsed.ok) return parsed.value;
  problems.add(where, parsed.problem.replace(`"${normal}"`, `"${text}"`));
  return null;
}

function dateAt(
  element: XmlElement | undefined,
  name: string,
  problems: ProblemList,
): CalendarDate | null {
  const text = element?.textAt(name);
  if (!element || !text) return null;
  const match = /^(\d{4})(\d{2})(\d{2})(?:\d{4,6}(?:\.\d{1,3})?)?(?:\[[^\]]*\])?$/.exec(text);
  const parsed = match
    ? parseCalendarDate(`${match[1]}-${match[2]}-${match[3]}`)
    : {
        ok: false as const,
        problem: `"${text}" is not an OFX date (YYYYMMDD[HHMMSS[.XXX]][[gmt offset:tz]])`,
      };
  if (parsed.ok) return parsed.value;
  problems.add(`${element.path}/${name}`, parsed.problem);
  return null;
}
