import type { CalendarDate } from "../../kernel/calendar-date.js";
import { type Currency, findCurrency, parseAmount } from "../../kernel/money.js";
import type { ParsedStatement, StatementFormat, StatementLine } from "./statement.js";
import { ProblemList } from "./statement-error.js";
import { checkBalances, isoDatePart } from "./statement-values.js";
import { parseXmlDocument, type XmlElement } from "./xml-document.js";

/*
 * ISO 20022 cash-management messages, read by local element name so that every version from
 * camt.05x.001.02 to .08 (and any namespace prefix) maps the same way:
 *
 *   camt.053 Document/BkToCstmrStmt/Stmt      (account statement, with balances)
 *   camt.054 Document/BkToCstmrDbtCdtNtfctn/Ntfctn   (debit/credit notification, no balances)
 *
 * One line per transaction: an Ntry with NtryDtls/TxDtls gives a line per TxDtls (a batch
 * booking), an Ntry without them gives one line. Where version shapes differ:
 * - TxDtls amount: `TxDtls/Amt` (v04+) or `TxDtls/AmtDtls/TxAmt/Amt` (v02–03); the entry
 *   amount only when the entry has exactly one transaction, since a share of a batch cannot
 *   be guessed.
 * - parties: `RltdPties/Dbtr/Nm` (v02–07) or `RltdPties/Dbtr/Pty/Nm` (v08), `UltmtDbtr` when
 *   there is no Dbtr; for debits the Cdtr side. A reversal (RvslInd) is booked in the opposite
 *   direction of the original, whose parties it repeats, so a reversed credit still names the
 *   debtor as the other party.
 * - entry status: `Sts` text in the early versions, `Sts/Cd` in the later ones (v08).
 *
 * Remittance decision: `reference` is only `Strd/CdtrRefInf/Ref`, the creditor reference (OCR,
 * RF, …) the matcher validates. Referred document numbers (`Strd/RfrdDocInf/Nb`, which payers
 * fill with invoice numbers, not references) go to `documentNumbers` and are appended to the
 * free text after `Ustrd` and `Strd/AddtlRmtInf`, so the "invoice number in the text" rule sees
 * them. Text is the bank's `AddtlTxInf`/`AddtlNtryInf` when the payer sent none.
 */

type CamtKind = Extract<StatementFormat, "camt053" | "camt054">;

const MESSAGES: Readonly<Record<CamtKind, { message: string; group: string; label: string }>> = {
  camt053: { message: "BkToCstmrStmt", group: "Stmt", label: "a camt.053 statement" },
  camt054: { message: "BkToCstmrDbtCdtNtfctn", group: "Ntfctn", label: "a camt.054 notification" },
};

export function parseCamt(text: string, fileName: string, expected: CamtKind): ParsedStatement[] {
  const root = parseXmlDocument(text, fileName);
  // Annotated so TypeScript narrows after `problems.fail(…)`, which never returns.
  const problems: ProblemList = new ProblemList(fileName);
  if (root.name !== "Document") {
    problems.fail(root.name, "the root element is not an ISO 20022 Document");
  }
  const found = (Object.keys(MESSAGES) as CamtKind[]).find((kind) =>
    root.at(MESSAGES[kind].message),
  );
  if (!found) {
    const known = root.at("BkToCstmrAcctRpt")
      ? " (camt.052 account reports are not supported)"
      : "";
    problems.fail(
      "Document",
      `holds neither BkToCstmrStmt (camt.053) nor BkToCstmrDbtCdtNtfctn (camt.054)${known}`,
    );
  }
  const { message, group, label } = MESSAGES[found];
  if (found !== expected) {
    problems.fail("Document", `is ${label}, not ${MESSAGES[expected].label}`);
  }
  const groups = root.at(message)?.children(group) ?? [];
  if (groups.length === 0) problems.fail(`Document/${message}`, `has no ${group}`);
  const statements = groups.map((element, i) =>
    mapStatement(element.withPath(`${group}[${i + 1}]`), found, problems),
  );
  problems.throwIfAny();
  return statements.filter((statement): statement is ParsedStatement => statement !== null);
}

function mapStatement(
  stmt: XmlElement,
  format: CamtKind,
  problems: ProblemList,
): ParsedStatement | null {
  const before = problems.count;
  const id = stmt.textAt("Id");
  if (!id) problems.add(`${stmt.path}/Id`, "missing: the statement has no id");
  const account = accountId(stmt.at("Acct"));
  if (!account) problems.add(`${stmt.path}/Acct/Id`, "missing: neither IBAN nor Othr/Id");

  const balances = stmt.children("Bal");
  const entries = stmt.children("Ntry");
  const currencySource =
    stmt.at("Acct", "Ccy") ?? balances[0]?.at("Amt") ?? entries[0]?.at("Amt") ?? null;
  const currency = currencySource ? currencyOf(currencySource, problems) : null;
  if (!currencySource) {
    problems.add(`${stmt.path}/Acct/Ccy`, "missing, and no balance or entry states a currency");
  }

  const balanceOf = (...codes: string[]): bigint | null => {
    for (const code of codes) {
      const balance = balances.find((bal) => bal.textAt("Tp", "CdOrPrtry", "Cd") === code);
      if (balance) return signedAmount(balance, problems);
    }
    return null;
  };
  // OPBD is the opening booked balance; banks that send one statement per day often give only
  // PRCD, the previous day's closing, which is the same figure.
  const openingBalanceMinor = balanceOf("OPBD", "PRCD");
  const closingBalanceMinor = balanceOf("CLBD");

  const lines: StatementLine[] = [];
  const booked: { amountMinor: bigint; currency: Currency; creditDebit: "CRDT" | "DBIT" }[] = [];
  for (const [index, entry] of entries.entries()) {
    const mapped = mapEntry(entry, index + 1, id ?? "", lines.length, problems);
    if (!mapped) continue;
    lines.push(...mapped.lines);
    if (mapped.booked) booked.push(mapped.booked);
  }
  if (problems.count > before || !id || !account || !currency) return null;

  const fromText = stmt.textAt("FrToDt", "FrDtTm");
  const toText = stmt.textAt("FrToDt", "ToDtTm");
  return {
    id,
    format,
    account,
    currency,
    openingBalanceMinor,
    closingBalanceMinor,
    fromDate: fromText ? dateOrProblem(fromText, `${stmt.path}/FrToDt/FrDtTm`, problems) : null,
    toDate: toText ? dateOrProblem(toText, `${stmt.path}/FrToDt/ToDtTm`, problems) : null,
    lines,
    balanceProblem: checkBalances(openingBalanceMinor, closingBalanceMinor, booked, currency),
  };
}

type MappedEntry = {
  readonly lines: StatementLine[];
  /** The entry amount as booked, for the balance check; null for pending or information entries. */
  readonly booked: { amountMinor: bigint; currency: Currency; creditDebit: "CRDT" | "DBIT" } | null;
};

function mapEntry(
  entry: XmlElement,
  entryNo: number,
  statementId: string,
  linesBefore: number,
  problems: ProblemList,
): MappedEntry | null {
  const before = problems.count;
  const amount = amountOf(entry.at("Amt"), `${entry.path}/Amt`, problems);
  const creditDebit = creditDebitOf(entry, problems, true);
  const reversal = reversalOf(entry, problems);
  const status = entry.textAt("Sts") ?? entry.textAt("Sts", "Cd") ?? entry.textAt("Sts", "Prtry");
  const bookingDate = dateChoice(entry.at("BookgDt"), problems);
  const valueDate = dateChoice(entry.at("ValDt"), problems);
  const entryServicerRef = entry.textAt("AcctSvcrRef") ?? null;
  const transactions = entry.children("NtryDtls").flatMap((details) => details.children("TxDtls"));

  const lines: StatementLine[] = [];
  const common = { reversal, bookingDate, valueDate, status: status ?? null };
  const keyOf = (txNo: number) => `${statementId}/${entryNo}/${txNo}`;
  if (transactions.length === 0 && amount && creditDebit) {
    lines.push({
      ...common,
      key: keyOf(1),
      position: linesBefore + 1,
      amountMinor: amount.minor,
      currency: amount.currency,
      creditDebit,
      reference: null,
      references: [],
      remittance: entry.textAt("AddtlNtryInf") ?? "",
      counterparty: { name: null, account: null },
      bankReference: entryServicerRef,
      endToEndId: null,
      documentNumbers: [],
    });
  }
  for (const [index, tx] of transactions.entries()) {
    const txAmountElement = tx.at("Amt") ?? tx.at("AmtDtls", "TxAmt", "Amt");
    let txAmount: { minor: bigint; currency: Currency } | null = null;
    if (txAmountElement) txAmount = amountOf(txAmountElement, txAmountElement.path, problems);
    else if (transactions.length === 1) txAmount = amount;
    else {
      problems.add(
        `${tx.path}/Amt`,
        `missing: an entry with ${transactions.length} transactions needs each one's amount (Amt or AmtDtls/TxAmt/Amt)`,
      );
    }
    const txCreditDebit = tx.at("CdtDbtInd") ? creditDebitOf(tx, problems, false) : creditDebit;
    if (!txAmount || !txCreditDebit) continue;
    const remittance = remittanceOf(tx.at("RmtInf"));
    const fallbackText =
      tx.textAt("AddtlTxInf") ??
      (transactions.length === 1 ? entry.textAt("AddtlNtryInf") : undefined) ??
      "";
    const endToEndId = tx.textAt("Refs", "EndToEndId");
    const usefulEndToEnd =
      endToEndId && endToEndId.toUpperCase() !== "NOTPROVIDED" ? endToEndId : null;
    lines.push({
      ...common,
      key: keyOf(index + 1),
      position: linesBefore + lines.length + 1,
      amountMinor: txAmount.minor,
      currency: txAmount.currency,
      creditDebit: txCreditDebit,
      reference: remittance.references[0] ?? null,
      references: remittance.references,
      remittance: remittance.text || fallbackText,
      counterparty: counterpartyOf(tx.at("RltdPties"), txCreditDebit, reversal),
      bankReference:
        tx.textAt("Refs", "AcctSvcrRef") ??
        entryServicerRef ??
        usefulEndToEnd ??
        tx.textAt("Refs", "TxId") ??
        null,
      endToEndId: usefulEndToEnd,
      documentNumbers: remittance.documentNumbers,
    });
  }
  if (problems.count > before || !amount || !creditDebit) return null;
  const isBooked = status === undefined || status === "BOOK";
  return {
    lines,
    booked: isBooked ? { amountMinor: amount.minor, currency: amount.currency, creditDebit } : null,
  };
}

function remittanceOf(rmtInf: XmlElement | undefined): {
  references: string[];
  text: string;
  documentNumbers: string[];
} {
  if (!rmtInf) return { references: [], text: "", documentNumbers: [] };
  const structured = rmtInf.children("Strd");
  const references = structured.flatMap((strd) => strd.textAt("CdtrRefInf", "Ref") ?? []);
  const documentNumbers = structured.flatMap((strd) =>
    strd.children("RfrdDocInf").flatMap((doc) => doc.textAt("Nb") ?? []),
  );
  const texts = [
    ...rmtInf.children("Ustrd").flatMap((ustrd) => ustrd.text() ?? []),
    ...structured.flatMap((strd) =>
      strd.children("AddtlRmtInf").flatMap((add) => add.text() ?? []),
    ),
    ...documentNumbers,
  ];
  return { references, text: texts.join(" "), documentNumbers };
}

function counterpartyOf(
  parties: XmlElement | undefined,
  creditDebit: "CRDT" | "DBIT",
  reversal: boolean,
): StatementLine["counterparty"] {
  const originallyCredit = (creditDebit === "CRDT") !== reversal;
  const side = originallyCredit ? "Dbtr" : "Cdtr";
  const name = partyName(parties?.at(side)) ?? partyName(parties?.at(`Ultmt${side}`)) ?? null;
  return { name, account: accountId(parties?.at(`${side}Acct`)) ?? null };
}

function partyName(party: XmlElement | undefined): string | undefined {
  return party?.textAt("Nm") ?? party?.textAt("Pty", "Nm");
}

function accountId(account: XmlElement | undefined): string | undefined {
  const iban = account?.textAt("Id", "IBAN");
  return iban ? iban.replace(/\s+/g, "") : account?.textAt("Id", "Othr", "Id");
}

function currencyOf(amountOrCcy: XmlElement, problems: ProblemList): Currency | null {
  const isCcyElement = amountOrCcy.name === "Ccy";
  const code = isCcyElement ? amountOrCcy.text() : amountOrCcy.attribute("Ccy");
  const where = isCcyElement ? amountOrCcy.path : `${amountOrCcy.path}/@Ccy`;
  if (!code) {
    problems.add(where, "missing currency");
    return null;
  }
  const currency = findCurrency(code);
  if (!currency) problems.add(where, `"${code}" is not an ISO 4217 currency code`);
  return currency ?? null;
}

function amountOf(
  element: XmlElement | undefined,
  where: string,
  problems: ProblemList,
): { minor: bigint; currency: Currency } | null {
  if (!element) {
    problems.add(where, "missing amount");
    return null;
  }
  const currency = currencyOf(element, problems);
  const text = element.text();
  if (!text) {
    problems.add(where, "the amount is empty");
    return null;
  }
  if (!currency) return null;
  const parsed = parseAmount(text, currency);
  if (!parsed.ok) {
    problems.add(where, parsed.problem);
    return null;
  }
  return { minor: parsed.value, currency };
}

function signedAmount(balance: XmlElement, problems: ProblemList): bigint | null {
  const amount = amountOf(balance.at("Amt"), `${balance.path}/Amt`, problems);
  const sign = creditDebitOf(balance, problems, true);
  if (!amount || !sign) return null;
  return sign === "CRDT" ? amount.minor : -amount.minor;
}

function creditDebitOf(
  element: XmlElement,
  problems: ProblemList,
  required: boolean,
): "CRDT" | "DBIT" | null {
  const indicator = element.textAt("CdtDbtInd");
  if (indicator === "CRDT" || indicator === "DBIT") return indicator;
  if (indicator !== undefined || required) {
    problems.add(
      `${element.path}/CdtDbtInd`,
      indicator === undefined ? "missing (CRDT or DBIT)" : `"${indicator}" is not CRDT or DBIT`,
    );
  }
  return null;
}

function reversalOf(entry: XmlElement, problems: ProblemList): boolean {
  const indicator = entry.textAt("RvslInd");
  if (indicator === undefined || indicator === "false" || indicator === "0") return false;
  if (indicator === "true" || indicator === "1") return true;
  problems.add(`${entry.path}/RvslInd`, `"${indicator}" is not true or false`);
  return false;
}

/** `BookgDt`/`ValDt` hold either `Dt` or `DtTm` (DateAndDateTimeChoice). */
function dateChoice(choice: XmlElement | undefined, problems: ProblemList): CalendarDate | null {
  if (!choice) return null;
  const date = choice.at("Dt") ?? choice.at("DtTm");
  const text = date?.text();
  if (!date || !text) return null;
  return dateOrProblem(text, date.path, problems);
}

function dateOrProblem(text: string, where: string, problems: ProblemList): CalendarDate | null {
  const parsed = isoDatePart(text);
  if (parsed.ok) return parsed.value;
  problems.add(where, parsed.problem);
  return null;
}
