import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { currency } from "../../kernel/money.js";
import { parseCsvAmount, parseCsvMapping } from "./csv-statement.js";
import { parseStatementFile } from "./statement.js";

const SEK = currency("SEK");
const GBP = currency("GBP");

function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../../test/fixtures/bank/${name}`, import.meta.url));
}

const SWEDISH_MAPPING = parseCsvMapping(
  "bookingDate=Bokföringsdag,value_date=Valutadag,amount=Belopp,currency=Valuta,reference=Referens,remittance=Beskrivning,account=Kontonummer",
);

describe("Swedish-style CSV (;, decimal comma, title line, windows-1252)", () => {
  const statements = parseStatementFile(fixture("csv-se-swedbank-style.csv"), {
    fileName: "se.csv",
    csv: { columns: SWEDISH_MAPPING },
  });
  const [statement] = statements;
  const id = statement?.id ?? "";

  it("gives one statement for the account column, dated by its booking dates", () => {
    expect(statements).toHaveLength(1);
    const { lines = [], ...head } = statement ?? {};
    expect(head).toEqual({
      id,
      format: "csv",
      account: "9000012345",
      currency: SEK,
      openingBalanceMinor: null,
      closingBalanceMinor: null,
      fromDate: "2025-11-03",
      toDate: "2025-11-06",
      balanceProblem: null,
    });
    expect(id).toMatch(/^csv\/9000012345\/[0-9a-f]{16}$/);
    expect(lines).toHaveLength(4);
  });

  it("maps a row: every field (keyed by its content)", () => {
    expect(statement?.lines[0]).toEqual({
      key: expect.stringMatching(/^csv\/9000012345\/[0-9a-f]{16}\/1$/),
      position: 1,
      amountMinor: 1250000n,
      currency: SEK,
      creditDebit: "CRDT",
      reversal: false,
      bookingDate: "2025-11-03",
      valueDate: "2025-11-03",
      reference: "104265",
      references: ["104265"],
      remittance: "BG 5050-1055 KALLES BYGG",
      counterparty: { name: null, account: null },
      bankReference: null,
      endToEndId: null,
      documentNumbers: [],
      status: null,
    });
  });

  it("reads negative amounts as debits, quoted text with ;, dot thousands, one decimal", () => {
    expect(statement?.lines.map((line) => [line.creditDebit, line.amountMinor])).toEqual([
      ["CRDT", 1250000n],
      ["DBIT", 25000n],
      ["CRDT", 100000n],
      ["CRDT", 300050n],
    ]);
    expect(statement?.lines[1]?.remittance).toBe("Kortköp Café Åre");
    expect(statement?.lines[2]?.remittance).toBe("Anna Svensson; faktura 1043");
    expect(statement?.lines[2]?.valueDate).toBe("2025-11-06");
  });
});

describe("UK-style CSV (paid in / paid out, DD/MM/YYYY, BOM, CRLF)", () => {
  const [statement] = parseStatementFile(fixture("csv-uk-paid-in-out.csv"), {
    fileName: "uk.csv",
    csv: {
      account: "GB29NWBK60161331926819",
      currency: "GBP",
      dateFormat: "DD/MM/YYYY",
      columns: parseCsvMapping(
        "bookingDate=Date,credit=Paid in,debit=Paid out,remittance=Description",
      ),
    },
  });

  it("maps a paid-in row: every field", () => {
    expect(statement?.account).toBe("GB29NWBK60161331926819");
    expect(statement?.currency).toBe(GBP);
    expect(statement?.lines).toHaveLength(4);
    expect(statement?.lines[0]).toEqual({
      key: expect.stringMatching(/^csv\/GB29NWBK60161331926819\/[0-9a-f]{16}\/1$/),
      position: 1,
      amountMinor: 125000n,
      currency: GBP,
      creditDebit: "CRDT",
      reversal: false,
      bookingDate: "2025-11-03",
      valueDate: null,
      reference: null,
      references: [],
      remittance: "HARRIS & DAUGHTERS LTD INV 7731",
      counterparty: { name: null, account: null },
      bankReference: null,
      endToEndId: null,
      documentNumbers: [],
      status: null,
    });
  });

  it("reads paid-out amounts written positive or negative as debits", () => {
    expect(statement?.lines.map((line) => [line.creditDebit, line.amountMinor])).toEqual([
      ["CRDT", 125000n],
      ["DBIT", 3500n],
      ["CRDT", 42050n],
      ["DBIT", 500n],
    ]);
  });
});

describe("CSV keys", () => {
  const options = {
    fileName: "k.csv",
    csv: {
      account: "A",
      currency: "EUR",
      columns: { bookingDate: "Date", amount: "Amount", remittance: "Text" },
    },
  };
  const keys = (text: string) =>
    parseStatementFile(text, options)[0]?.lines.map((line) => line.key) ?? [];

  it("give a transaction the same key in overlapping exports", () => {
    const week = keys("Date,Amount,Text\n2025-11-03,10.00,a\n2025-11-04,20.00,b\n");
    const month = keys(
      "Date,Amount,Text,Balance\n2025-11-02,5.00,z,1\n2025-11-03,10.00,a,2\n2025-11-04,20.00,b,3\n",
    );
    expect(month.slice(1)).toEqual(week);
    expect(month[0]).not.toBe(week[0]);
  });

  it("count equal rows apart within a file", () => {
    const [first, second] = keys("Date,Amount,Text\n2025-11-03,10.00,a\n2025-11-03,10.00,a\n");
    expect(first?.replace(/\/1$/, "/2")).toBe(second);
  });
});

describe("CSV errors: FILE:LINE: column: problem, every bad row", () => {
  it("lists each bad row by its file line and header", () => {
    expect(() =>
      parseStatementFile(fixture("malformed-bad-rows.csv"), {
        fileName: "bad.csv",
        csv: {
          account: "SE4550000000058398257466",
          currency: "SEK",
          columns: { bookingDate: "Datum", amount: "Belopp", remittance: "Text" },
        },
      }),
    ).toThrow(
      [
        'bad.csv:3: Datum: "2025-11-31" is not a day of the calendar',
        'bad.csv:4: Belopp: "12,345" has more than 2 decimals for SEK',
        "bad.csv:5: row: has 4 fields, the header has 3",
        "bad.csv:6: Belopp: empty",
      ].join("\n"),
    );
  });

  it("a mapped column the header does not have", () => {
    expect(() =>
      parseStatementFile("Date,Amount\n2025-01-01,1.00\n", {
        fileName: "h.csv",
        format: "csv",
        csv: { account: "A", currency: "EUR", columns: { bookingDate: "Date", amount: "Sum" } },
      }),
    ).toThrow("h.csv:1: Sum: no such column in the header");
  });

  it("paid in and paid out both filled, and an unknown currency in a column", () => {
    const text = "Date;In;Out;Ccy\n2025-01-02;1,00;2,00;SEK\n2025-01-03;1,00;;KRONA\n";
    expect(() =>
      parseStatementFile(text, {
        fileName: "two.csv",
        csv: {
          account: "A",
          columns: { bookingDate: "Date", credit: "In", debit: "Out", currency: "Ccy" },
        },
      }),
    ).toThrow(
      [
        "two.csv:2: In: both In and Out hold an amount",
        'two.csv:3: Ccy: "KRONA" is not an ISO 4217 currency code',
      ].join("\n"),
    );
  });

  it("needs an account and a currency from somewhere", () => {
    const columns = { bookingDate: "Date", amount: "Amount" };
    expect(() =>
      parseStatementFile("Date,Amount\n", { fileName: "n.csv", csv: { columns, currency: "EUR" } }),
    ).toThrow("n.csv: name the account the statement is for, or map the account column");
    expect(() =>
      parseStatementFile("Date,Amount\n", { fileName: "n.csv", csv: { columns, account: "A" } }),
    ).toThrow("n.csv: name the statement's currency, or map the currency column");
    expect(() => parseStatementFile("Date,Amount\n", { fileName: "n.csv" })).toThrow(
      "n.csv: a CSV statement needs a column mapping",
    );
  });
});

describe("parseCsvMapping", () => {
  it("reads field=Header pairs, camelCase or snake_case", () => {
    expect(
      parseCsvMapping(
        "booking_date=Date, credit=Paid in,debit=Paid out,counterparty_name=Payer,bankReference=Id",
      ),
    ).toEqual({
      bookingDate: "Date",
      credit: "Paid in",
      debit: "Paid out",
      counterpartyName: "Payer",
      bankReference: "Id",
    });
  });

  it("refuses unknown fields, bad pairs and incomplete mappings", () => {
    expect(() => parseCsvMapping("bookingDate=D,amount=A,payer=P")).toThrow(
      '--map: "payer" is not a statement field',
    );
    expect(() => parseCsvMapping("bookingDate")).toThrow(
      '--map: "bookingDate" is not of the form field=Header',
    );
    expect(() => parseCsvMapping("amount=A")).toThrow("--map: bookingDate is required");
    expect(() => parseCsvMapping("bookingDate=D")).toThrow(
      "--map: map amount (signed), or credit and debit",
    );
    expect(() => parseCsvMapping("bookingDate=D,amount=A,credit=C")).toThrow(
      "--map: map either amount or credit and debit, not both",
    );
  });
});

describe("parseCsvAmount", () => {
  const EUR = currency("EUR");
  it.each([
    ["1 234,50", ",", 123450n],
    ["1.234,50", ",", 123450n],
    ["-1\u00a0234,5", ",", -123450n],
    ["1,234.50", ".", 123450n],
    ["(12.50)", ".", -1250n],
    ["+7", ".", 700n],
    ["1234567.89", ".", 123456789n],
  ] as const)("%s with %s decimals", (text, decimal, expected) => {
    expect(parseCsvAmount(text, decimal, EUR)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["12,34.5", "."],
    ["1.23,45", ","],
    ["1 234.567,00", ","],
    ["12 EUR", "."],
    ["1.005", "."],
  ] as const)("refuses %s with %s decimals", (text, decimal) => {
    expect(parseCsvAmount(text, decimal, EUR).ok).toBe(false);
  });
});
