import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { currency } from "../../kernel/money.js";
import { ofxSgmlToXml } from "./ofx-sgml.js";
import { parseStatementFile } from "./statement.js";

const USD = currency("USD");
const GBP = currency("GBP");

function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../../test/fixtures/bank/${name}`, import.meta.url));
}

function parse(name: string) {
  return parseStatementFile(fixture(name), { fileName: name });
}

const SGML_HEADER = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n";

/** A one-statement OFX 1 file around the given transaction list body. */
function sgmlWith(transactions: string): string {
  return `${SGML_HEADER}<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD
<BANKACCTFROM><BANKID>1<ACCTID>2</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20250101<DTEND>20250131
${transactions}
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`;
}

describe("OFX 1.02 (SGML, windows-1252, CRLF)", () => {
  const [statement, ...others] = parse("ofx102-us-checking.ofx");

  it("reads the statement head: account BANKID/ACCTID, period, LEDGERBAL", () => {
    expect(others).toEqual([]);
    const { lines = [], ...head } = statement ?? {};
    expect(head).toEqual({
      id: "121000358/000123456789/2025-11-01..2025-11-07",
      format: "ofx",
      account: "121000358/000123456789",
      currency: USD,
      openingBalanceMinor: null,
      closingBalanceMinor: 378233n,
      fromDate: "2025-11-01",
      toDate: "2025-11-07",
      balanceProblem: null,
    });
    expect(lines).toHaveLength(4);
  });

  it("maps a credit: every field (dates not shifted by the zone)", () => {
    expect(statement?.lines[0]).toEqual({
      key: "121000358/000123456789/20251103-0001",
      position: 1,
      amountMinor: 150000n,
      currency: USD,
      creditDebit: "CRDT",
      reversal: false,
      bookingDate: "2025-11-03",
      valueDate: "2025-11-02",
      reference: null,
      references: [],
      remittance: "ACH CREDIT INV-1042 PAYMENT",
      counterparty: { name: "ACME WIDGETS INC", account: null },
      bankReference: "20251103-0001",
      endToEndId: null,
      documentNumbers: [],
      status: null,
    });
  });

  it("reads a negative TRNAMT as a debit, a bare & and windows-1252 text, a closed leaf", () => {
    expect(statement?.lines[1]).toMatchObject({
      amountMinor: 4217n,
      creditDebit: "DBIT",
      bookingDate: "2025-11-04",
      counterparty: { name: "AT&T MOBILITY", account: null },
      remittance: "Café & phone bill",
    });
  });

  it("does not take a cheque's numeric REFNUM as a creditor reference", () => {
    expect(statement?.lines[2]).toMatchObject({ reference: null, creditDebit: "DBIT" });
  });

  it("reads PAYEE/NAME, DTAVAIL as the value date, a comma decimal, empty elements", () => {
    expect(statement?.lines[3]).toMatchObject({
      amountMinor: 7525n,
      creditDebit: "CRDT",
      valueDate: "2025-11-07",
      counterparty: { name: "Jones Plumbing LLC", account: null },
      remittance: "",
    });
  });
});

describe("OFX 2.2 (XML)", () => {
  it("bank statement: every field of a credit with an RF reference in REFNUM", () => {
    const [statement] = parse("ofx220-uk-current.ofx");
    expect(statement).toMatchObject({
      id: "601613/31926819/2025-11-01..2025-11-07",
      account: "601613/31926819",
      currency: GBP,
      closingBalanceMinor: -12540n,
    });
    expect(statement?.lines).toHaveLength(3);
    expect(statement?.lines[0]).toEqual({
      key: "601613/31926819/GB-TX-88120",
      position: 1,
      amountMinor: 96000n,
      currency: GBP,
      creditDebit: "CRDT",
      reversal: false,
      bookingDate: "2025-11-03",
      valueDate: "2025-11-03",
      reference: "RF46C0009",
      references: ["RF46C0009"],
      remittance: "FASTER PAYMENT INV 7731",
      counterparty: { name: "HARRIS & DAUGHTERS LTD", account: "200000/55779911" },
      bankReference: "GB-TX-88120",
      endToEndId: null,
      documentNumbers: [],
      status: null,
    });
    // CURRENCY/CURSYM: this amount is in US dollars, and a leading + is a credit.
    expect(statement?.lines[1]).toMatchObject({
      amountMinor: 20000n,
      currency: USD,
      creditDebit: "CRDT",
    });
    expect(statement?.lines[2]).toMatchObject({ amountMinor: 3500n, creditDebit: "DBIT" });
  });

  it("credit-card statement (CCSTMTRS): account is ACCTID, refunds are credits", () => {
    const [statement] = parse("ofx220-creditcard.ofx");
    expect(statement).toMatchObject({
      id: "4111111111111111/2025-10-01..2025-10-31",
      account: "4111111111111111",
      currency: USD,
      closingBalanceMinor: -10000n,
      fromDate: "2025-10-01",
      toDate: "2025-10-31",
    });
    expect(
      statement?.lines.map((line) => [line.creditDebit, line.amountMinor, line.remittance]),
    ).toEqual([
      ["DBIT", 12999n, ""],
      ["CRDT", 2999n, "REFUND"],
    ]);
  });
});

describe("OFX SGML to XML", () => {
  it("closes leaf elements, skips explicit closes, hoists children of empty elements", () => {
    const xml = ofxSgmlToXml("<A><B>1<C></C><D><E>x</E><F></D></A>", 0, "f.ofx");
    expect(xml.replace(/\n/g, "")).toBe("<A><B>1</B><C></C><D><E>x</E><F></F></D></A>");
  });

  it("keeps entities and escapes a bare ampersand", () => {
    expect(ofxSgmlToXml("<A><B>AT&T &amp; co &#233;</A>", 0, "f.ofx")).toContain(
      "<B>AT&amp;T &amp; co &#233;</B>",
    );
  });
});

describe("malformed OFX is refused whole, saying where", () => {
  it("a close tag for an element that is not open: the line in the file", () => {
    expect(() => parse("malformed-sgml.ofx")).toThrow(
      "malformed-sgml.ofx: line 18, column 1: </STMTTRX> closes an element that is not open",
    );
  });

  it("bad amounts, dates and a missing posting date: the element path", () => {
    const text = sgmlWith(`<STMTTRN><DTPOSTED>20250105<TRNAMT>12.345<FITID>a</STMTTRN>
<STMTTRN><DTPOSTED>2025-01-06<TRNAMT>abc<FITID>b</STMTTRN>
<STMTTRN><TRNAMT>1.00<FITID>c</STMTTRN>`);
    expect(() => parseStatementFile(text, { fileName: "x.ofx" })).toThrow(
      [
        'x.ofx: STMTTRNRS[1]/STMTRS/BANKTRANLIST/STMTTRN[1]/TRNAMT: "12.345" has more than 2 decimals for USD',
        'x.ofx: STMTTRNRS[1]/STMTRS/BANKTRANLIST/STMTTRN[2]/TRNAMT: "abc" is not a decimal amount (use digits and a "." point)',
        'x.ofx: STMTTRNRS[1]/STMTRS/BANKTRANLIST/STMTTRN[2]/DTPOSTED: "2025-01-06" is not an OFX date (YYYYMMDD[HHMMSS[.XXX]][[gmt offset:tz]])',
        "x.ofx: STMTTRNRS[1]/STMTRS/BANKTRANLIST/STMTTRN[3]/DTPOSTED: missing posting date",
      ].join("\n"),
    );
  });

  it("an unknown CURDEF", () => {
    const text = sgmlWith("").replace("<CURDEF>USD", "<CURDEF>DOLLARS");
    expect(() => parseStatementFile(text, { fileName: "c.ofx" })).toThrow(
      'c.ofx: STMTTRNRS[1]/STMTRS/CURDEF: "DOLLARS" is not an ISO 4217 currency code',
    );
  });

  it("broken OFX 2 XML: line and column", () => {
    const text = `<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n<OFX>\n<BANKMSGSRSV1>\n</OFX>`;
    expect(() => parseStatementFile(text, { fileName: "b.ofx" })).toThrow(
      /^b\.ofx: line 5, column \d+: malformed XML: /,
    );
  });
});

describe("OFX keys", () => {
  it("fall back to statement id and position when FITIDs repeat", () => {
    const text = sgmlWith(`<STMTTRN><DTPOSTED>20250105<TRNAMT>1.00<FITID>same</STMTTRN>
<STMTTRN><DTPOSTED>20250106<TRNAMT>2.00<FITID>same</STMTTRN>`);
    const [statement] = parseStatementFile(text, { fileName: "d.ofx" });
    expect(statement?.lines.map((line) => line.key)).toEqual([
      "1/2/2025-01-01..2025-01-31/1",
      "1/2/2025-01-01..2025-01-31/2",
    ]);
  });
});
