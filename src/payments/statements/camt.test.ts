import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { currency } from "../../kernel/money.js";
import { parseStatementFile } from "./statement.js";
import { StatementFileError } from "./statement-error.js";

const SEK = currency("SEK");
const EUR = currency("EUR");

function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../../test/fixtures/bank/${name}`, import.meta.url));
}

function parse(name: string) {
  return parseStatementFile(fixture(name), { fileName: name });
}

function problemsOf(name: string): string[] {
  try {
    parse(name);
  } catch (error) {
    if (!(error instanceof StatementFileError)) throw error;
    return error.message.split("\n");
  }
  throw new Error(`${name} parsed without an error`);
}

describe("camt.053.001.02, Swedish bank with bankgiro payments", () => {
  const [statement, ...others] = parse("camt053-v02-se-bankgiro.xml");

  it("reads the statement head and balances (leading zeros kept as decimal text)", () => {
    expect(others).toEqual([]);
    const { lines, ...head } = statement ?? { lines: [] };
    expect(head).toEqual({
      id: "5000000058398257466-20251103",
      format: "camt053",
      account: "SE4550000000058398257466",
      currency: SEK,
      openingBalanceMinor: 10010n,
      closingBalanceMinor: 1635010n,
      fromDate: "2025-11-03",
      toDate: "2025-11-03",
      balanceProblem: null,
    });
    expect(lines).toHaveLength(4);
  });

  it("maps an OCR payment: every field", () => {
    expect(statement?.lines[0]).toEqual({
      key: "5000000058398257466-20251103/1/1",
      position: 1,
      amountMinor: 1250000n,
      currency: SEK,
      creditDebit: "CRDT",
      reversal: false,
      bookingDate: "2025-11-03",
      valueDate: "2025-11-03",
      reference: "104265",
      references: ["104265"],
      remittance: "",
      counterparty: { name: "Kalles Bygg & Måleri AB", account: "5050-1055" },
      bankReference: "BG2025110300001-1",
      endToEndId: null,
      documentNumbers: [],
      status: "BOOK",
    });
  });

  it("keeps an RF reference, the payer's IBAN and a real end-to-end id", () => {
    const line = statement?.lines[1];
    expect(line?.reference).toBe("RF04INV2025042");
    expect(line?.counterparty).toEqual({ name: "Nordic Fika Oy", account: "FI2112345600000785" });
    expect(line?.endToEndId).toBe("E2E-77812");
    expect(line?.bankReference).toBe("BG2025110300002");
  });

  it("reads an entry without transaction details as one line with the bank's text", () => {
    expect(statement?.lines[2]).toMatchObject({
      creditDebit: "DBIT",
      amountMinor: 25000n,
      reference: null,
      references: [],
      remittance: "Avgift bankgiro november",
      counterparty: { name: null, account: null },
      bankReference: "FEE20251103",
    });
  });

  it("joins repeated Ustrd with a space and drops EndToEndId NOTPROVIDED", () => {
    expect(statement?.lines[3]).toMatchObject({
      remittance: "Betalning faktura 1043 nov",
      endToEndId: null,
      bankReference: null,
      valueDate: "2025-11-04",
    });
  });
});

describe("camt.053.001.04, German batch booking and reversal", () => {
  const [statement] = parse("camt053-v04-de-batch.xml");
  const lines = statement?.lines ?? [];

  it("opens with PRCD when there is no OPBD, and the balances add up", () => {
    expect(statement?.openingBalanceMinor).toBe(842055n);
    expect(statement?.closingBalanceMinor).toBe(917605n);
    expect(statement?.balanceProblem).toBeNull();
    expect(statement?.currency).toBe(EUR);
  });

  it("splits the batched entry into one line per TxDtls with each one's amount", () => {
    expect(lines).toHaveLength(6);
    const batch = lines.filter((line) => line.key.includes("/1/"));
    expect(batch.map((line) => line.amountMinor)).toEqual([50000n, 100000n, 23540n]);
    expect(batch.map((line) => line.key)).toEqual([
      "20251104-0648489890-0001/1/1",
      "20251104-0648489890-0001/1/2",
      "20251104-0648489890-0001/1/3",
    ]);
    expect(batch.map((line) => line.position)).toEqual([1, 2, 3]);
  });

  it("maps a batch transaction: every field (IBAN spaces removed, Dbtr before UltmtDbtr)", () => {
    expect(lines[0]).toEqual({
      key: "20251104-0648489890-0001/1/1",
      position: 1,
      amountMinor: 50000n,
      currency: EUR,
      creditDebit: "CRDT",
      reversal: false,
      bookingDate: "2025-11-04",
      valueDate: "2025-11-04",
      reference: null,
      references: [],
      remittance: "Rechnung RE-2025-0815 Kd.-Nr. C0012",
      counterparty: { name: "Müller Haustechnik GmbH", account: "DE89370400440532013000" },
      bankReference: "2025110400117",
      endToEndId: "RE-2025-0815",
      documentNumbers: [],
      status: "BOOK",
    });
    expect(lines[1]).toMatchObject({
      reference: "RF292025007",
      references: ["RF292025007"],
      counterparty: { name: "Weber & Söhne OHG", account: "DE77100100100123456789" },
      endToEndId: null,
    });
  });

  it("marks the reversal, a debit naming the original payer", () => {
    expect(lines[3]).toEqual({
      key: "20251104-0648489890-0001/2/1",
      position: 4,
      amountMinor: 8990n,
      currency: EUR,
      creditDebit: "DBIT",
      reversal: true,
      bookingDate: "2025-11-04",
      valueDate: "2025-10-31",
      reference: null,
      references: [],
      remittance: "RUECKUEBERWEISUNG RE-2025-0799",
      counterparty: { name: "Fischer Getränke GmbH", account: "DE89370400440532013000" },
      bankReference: "2025110400203",
      endToEndId: "RE-2025-0799",
      documentNumbers: [],
      status: "BOOK",
    });
  });

  it("names the creditor of an ordinary debit", () => {
    expect(lines[4]?.counterparty).toEqual({
      name: "Bürobedarf Schmidt KG",
      account: "DE77100100100123456789",
    });
  });

  it("gives a lone transaction without an amount the entry's amount", () => {
    expect(lines[5]).toMatchObject({
      amountMinor: 31000n,
      creditDebit: "CRDT",
      remittance: "GUTSCHR. UEBERWEISUNG",
      bankReference: "2025110400251-TX",
      counterparty: { name: "Hoffmann Catering", account: null },
    });
  });
});

describe("camt.053.001.08 with a namespace prefix and two statements", () => {
  const statements = parse("camt053-v08-prefixed.xml");
  const [italian, swedish] = statements;

  it("reads both statements", () => {
    expect(statements.map((s) => [s.id, s.account, s.currency.code, s.lines.length])).toEqual([
      ["STMT-IT-2025-11-05", "IT07X0542811101000000654321", "EUR", 4],
      ["STMT-SE-2025-11-05", "90001234567", "SEK", 1],
    ]);
  });

  it("maps the v08 party shape and DtTm dates without shifting the zone: every field", () => {
    expect(italian?.lines[0]).toEqual({
      key: "STMT-IT-2025-11-05/1/1",
      position: 1,
      amountMinor: 122000n,
      currency: EUR,
      creditDebit: "CRDT",
      reversal: false,
      bookingDate: "2025-11-05",
      valueDate: "2025-11-05",
      reference: null,
      references: [],
      remittance: "Saldo fattura FT-2025-118",
      counterparty: { name: "Rossi Forniture S.r.l.", account: "IT60X0542811101000000123456" },
      bankReference: "CBI-7788990011",
      endToEndId: "ROSSI-FT-2025-118",
      documentNumbers: ["FT-2025-118"],
      status: "BOOK",
    });
  });

  it("falls back to UltmtDbtr and appends Strd/AddtlRmtInf to the text", () => {
    expect(italian?.lines[1]).toMatchObject({
      reference: "RF64DOC7781",
      references: ["RF64DOC7781"],
      remittance: "acconto",
      counterparty: { name: "Bianchi Luca", account: null },
      bankReference: "TX-IT-0002",
    });
  });

  it("keeps a pending entry as a line but leaves it out of the balance check", () => {
    expect(italian?.lines[2]).toMatchObject({ status: "PDNG", amountMinor: 4550n });
    expect(italian?.balanceProblem).toBeNull();
  });

  it("signs a debit opening balance and takes the currency from the balances", () => {
    expect(swedish).toMatchObject({
      openingBalanceMinor: -20000n,
      closingBalanceMinor: 30000n,
      currency: SEK,
      fromDate: null,
      toDate: null,
      balanceProblem: null,
    });
    expect(swedish?.lines[0]).toMatchObject({ remittance: "Insättning", valueDate: null });
  });
});

describe("a statement whose balances do not add up", () => {
  it("is parsed and reported, not fixed", () => {
    const [statement] = parse("camt053-v03-unbalanced.xml");
    expect(statement?.openingBalanceMinor).toBe(100000n);
    expect(statement?.closingBalanceMinor).toBe(120000n);
    expect(statement?.lines.map((line) => line.amountMinor)).toEqual([20000n, 5000n]);
    expect(statement?.balanceProblem).toBe(
      "opening balance 1000.00 + credits 200.00 - debits 50.00 = 1150.00 SEK, but the closing balance is 1200.00 (a difference of 50.00)",
    );
  });
});

describe("camt.054 notifications", () => {
  it("v02 (ISO-8859-1): a bankgiro deposit split per payer with AmtDtls/TxAmt amounts", () => {
    const [notification] = parse("camt054-v02-bankgirot.xml");
    const { lines = [], ...head } = notification ?? {};
    expect(head).toEqual({
      id: "BGC-NTF-20251104-5050-1055",
      format: "camt054",
      account: "50501055",
      currency: SEK,
      openingBalanceMinor: null,
      closingBalanceMinor: null,
      fromDate: null,
      toDate: null,
      balanceProblem: null,
    });
    expect(lines.map((line) => [line.amountMinor, line.reference])).toEqual([
      [125000n, "104265"],
      [300000n, "104364"],
      // A wrong check digit is still reported exactly as found.
      [52550n, "2025118808"],
      [99900n, null],
    ]);
    expect(lines[0]).toEqual({
      key: "BGC-NTF-20251104-5050-1055/1/1",
      position: 1,
      amountMinor: 125000n,
      currency: SEK,
      creditDebit: "CRDT",
      reversal: false,
      bookingDate: "2025-11-04",
      valueDate: "2025-11-04",
      reference: "104265",
      references: ["104265"],
      remittance: "",
      counterparty: { name: "Åkesson Snickeri", account: "56781234" },
      bankReference: "BGC-0001-01",
      endToEndId: null,
      documentNumbers: [],
      status: "BOOK",
    });
    expect(lines[2]?.counterparty.name).toBe("Lindqvist Café");
  });

  it("v06: two notifications, a credit with both remittance kinds and a direct debit", () => {
    const notifications = parse("camt054-v06-sepa.xml");
    expect(notifications.map((n) => [n.id, n.lines.length])).toEqual([
      ["NTF-20251105-0042-1", 1],
      ["NTF-20251105-0042-2", 1],
    ]);
    expect(notifications[0]?.lines[0]).toEqual({
      key: "NTF-20251105-0042-1/1/1",
      position: 1,
      amountMinor: 238000n,
      currency: EUR,
      creditDebit: "CRDT",
      reversal: false,
      bookingDate: "2025-11-05",
      valueDate: "2025-11-05",
      reference: "RF04INV2025042",
      references: ["RF04INV2025042"],
      remittance: "RE-2025-0830",
      counterparty: { name: "Schulz Bau GmbH", account: "DE89370400440532013000" },
      bankReference: "NTF-42-1-SVC",
      endToEndId: "RE-2025-0830",
      documentNumbers: [],
      status: "BOOK",
    });
    expect(notifications[1]).toMatchObject({ currency: EUR, openingBalanceMinor: null });
    expect(notifications[1]?.lines[0]).toMatchObject({
      creditDebit: "DBIT",
      amountMinor: 1999n,
      counterparty: { name: "Cloud Hosting SE", account: "NL91ABNA0417164300" },
      bankReference: "MANDATE-4411-2025-11",
    });
  });

  it("refuses a camt.054 named as camt.053", () => {
    expect(() =>
      parseStatementFile(fixture("camt054-v06-sepa.xml"), {
        fileName: "n.xml",
        format: "camt053",
      }),
    ).toThrow("n.xml: Document: is a camt.054 notification, not a camt.053 statement");
  });
});

describe("remittance shapes", () => {
  const withTx = (tx: string) =>
    `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.04"><BkToCstmrDbtCdtNtfctn><Ntfctn>
      <Id>N</Id><Acct><Id><IBAN>SE4550000000058398257466</IBAN></Id></Acct>
      <Ntry><Amt Ccy="SEK">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><NtryDtls><TxDtls>${tx}</TxDtls></NtryDtls></Ntry>
      </Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`;

  it("one payment for several invoices: every reference kept in order, the first as reference", () => {
    const xml = withTx(`<RmtInf>
      <Strd><CdtrRefInf><Ref>104265</Ref></CdtrRefInf></Strd>
      <Strd><CdtrRefInf><Ref>104364</Ref></CdtrRefInf></Strd>
      <Strd><RfrdDocInf><Nb>1045</Nb></RfrdDocInf><RfrdDocInf><Nb>1046</Nb></RfrdDocInf></Strd>
      </RmtInf>`);
    const [line] = parseStatementFile(xml, { fileName: "m.xml" })[0]?.lines ?? [];
    expect(line).toMatchObject({
      reference: "104265",
      references: ["104265", "104364"],
      documentNumbers: ["1045", "1046"],
      remittance: "1045 1046",
    });
  });

  it("a debtor's v08 Pty name, character references and an empty Ustrd", () => {
    const xml =
      withTx(`<RltdPties><Dbtr><Pty><Nm>Caf&#233; &lt;Nord&gt;</Nm></Pty></Dbtr></RltdPties>
      <RmtInf><Ustrd/><Ustrd>  Faktura 7  </Ustrd></RmtInf>`);
    const [line] = parseStatementFile(xml, { fileName: "m.xml" })[0]?.lines ?? [];
    expect(line?.counterparty.name).toBe("Café <Nord>");
    expect(line?.remittance).toBe("Faktura 7");
  });
});

describe("malformed camt files are refused whole, saying where", () => {
  it("broken XML: line and column", () => {
    expect(problemsOf("malformed-broken.xml")).toEqual([
      "malformed-broken.xml: line 12, column 3: malformed XML: Expected closing tag 'BkToCstmrStmt' (opened in line 3, col 3) instead of closing tag 'BkToCstmrStm'.",
    ]);
  });

  it("amount problems: the element path, statement and entry number, every one of them", () => {
    expect(problemsOf("malformed-missing-amount.xml")).toEqual([
      "malformed-missing-amount.xml: Stmt[2]/Ntry[2]/Amt: missing amount",
      'malformed-missing-amount.xml: Stmt[2]/Ntry[3]/Amt: "10.005" has more than 2 decimals for SEK',
      "malformed-missing-amount.xml: Stmt[2]/Ntry[4]/NtryDtls[1]/TxDtls[2]/Amt: missing: an entry with 2 transactions needs each one's amount (Amt or AmtDtls/TxAmt/Amt)",
      'malformed-missing-amount.xml: Stmt[2]/Ntry[5]/Amt: "-5.00" must not be negative',
    ]);
  });

  it("a currency that is not ISO 4217", () => {
    expect(problemsOf("malformed-bad-currency.xml")).toEqual([
      'malformed-bad-currency.xml: Ntfctn[1]/Ntry[1]/Amt/@Ccy: "EURO" is not an ISO 4217 currency code',
    ]);
  });

  it("a DOCTYPE (external entity) is refused before anything is expanded", () => {
    expect(problemsOf("malformed-doctype.xml")).toEqual([
      "malformed-doctype.xml: line 2, column 1: a <!DOCTYPE> declaration is not allowed in a bank statement (entities are not expanded)",
    ]);
  });

  it("a missing CdtDbtInd, a bad date and a bad RvslInd", () => {
    const xml = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
      <Id>S</Id><Acct><Id><IBAN>SE4550000000058398257466</IBAN></Id><Ccy>SEK</Ccy></Acct>
      <Ntry><Amt Ccy="SEK">1.00</Amt><RvslInd>maybe</RvslInd><BookgDt><Dt>2025-02-30</Dt></BookgDt></Ntry>
      </Stmt></BkToCstmrStmt></Document>`;
    expect(() => parseStatementFile(xml, { fileName: "s.xml" })).toThrow(
      [
        "s.xml: Stmt[1]/Ntry[1]/CdtDbtInd: missing (CRDT or DBIT)",
        's.xml: Stmt[1]/Ntry[1]/RvslInd: "maybe" is not true or false',
        's.xml: Stmt[1]/Ntry[1]/BookgDt/Dt: "2025-02-30" is not a day of the calendar',
      ].join("\n"),
    );
  });

  it("an XML document that is not a camt message", () => {
    const xml = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>`;
    expect(() => parseStatementFile(xml, { fileName: "p.xml", format: "camt053" })).toThrow(
      "p.xml: Document: holds neither BkToCstmrStmt (camt.053) nor BkToCstmrDbtCdtNtfctn (camt.054)",
    );
  });
});
