import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCsvMapping } from "./csv-statement.js";
import {
  detectStatementFormat,
  type ParseStatementOptions,
  parseStatementFile,
  type StatementFormat,
} from "./statement.js";

function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../../test/fixtures/bank/${name}`, import.meta.url));
}

/** Every well-formed fixture, with what it takes to read it. */
const GOOD: readonly [string, StatementFormat, Omit<ParseStatementOptions, "fileName">][] = [
  ["camt053-v02-se-bankgiro.xml", "camt053", {}],
  ["camt053-v03-unbalanced.xml", "camt053", {}],
  ["camt053-v04-de-batch.xml", "camt053", {}],
  ["camt053-v08-prefixed.xml", "camt053", {}],
  ["camt054-v02-bankgirot.xml", "camt054", {}],
  ["camt054-v06-sepa.xml", "camt054", {}],
  ["ofx102-us-checking.ofx", "ofx", {}],
  ["ofx220-uk-current.ofx", "ofx", {}],
  ["ofx220-creditcard.ofx", "ofx", {}],
  [
    "csv-se-swedbank-style.csv",
    "csv",
    {
      csv: {
        columns: parseCsvMapping(
          "bookingDate=Bokföringsdag,amount=Belopp,currency=Valuta,account=Kontonummer",
        ),
      },
    },
  ],
  [
    "csv-uk-paid-in-out.csv",
    "csv",
    {
      csv: {
        account: "GB29NWBK60161331926819",
        currency: "GBP",
        columns: parseCsvMapping("bookingDate=Date,credit=Paid in,debit=Paid out"),
      },
    },
  ],
];

describe("detectStatementFormat", () => {
  it.each(GOOD)("tells %s is %s", (name, format) => {
    expect(detectStatementFormat(fixture(name))).toBe(format);
  });

  it("knows nothing of other XML or plain text", () => {
    expect(detectStatementFormat("<?xml version='1.0'?><invoice/>")).toBeNull();
    expect(detectStatementFormat("hello\nworld\n")).toBeNull();
  });

  it("refuses to guess when parsing", () => {
    expect(() => parseStatementFile("hello", { fileName: "h.txt" })).toThrow(
      "h.txt: not a camt.053, camt.054, OFX or CSV statement that Overdue can tell",
    );
  });
});

describe("keys", () => {
  it.each(GOOD)("%s: stable across two parses, unique within the file", (name, _f, options) => {
    const keysOf = () =>
      parseStatementFile(fixture(name), { fileName: name, ...options }).flatMap((statement) =>
        statement.lines.map((line) => line.key),
      );
    const first = keysOf();
    expect(first.length).toBeGreaterThan(0);
    expect(keysOf()).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });

  it("do not depend on the file name", () => {
    const [name, , options] = GOOD[9] ?? ["", "csv", {}];
    const keys = (fileName: string) =>
      parseStatementFile(fixture(name), { fileName, ...options })[0]?.lines.map((l) => l.key);
    expect(keys("a.csv")).toEqual(keys("b.csv"));
  });
});

describe("every line", () => {
  it.each(GOOD)("%s: positive amounts, 1-based positions, currency set", (name, _f, options) => {
    for (const statement of parseStatementFile(fixture(name), { fileName: name, ...options })) {
      expect(statement.lines.map((line) => line.position)).toEqual(
        statement.lines.map((_line, i) => i + 1),
      );
      for (const line of statement.lines) {
        expect(line.amountMinor).toBeGreaterThanOrEqual(0n);
        expect(line.currency.code).toMatch(/^[A-Z]{3}$/);
      }
    }
  });
});

describe("text and bytes", () => {
  it("a string and its UTF-8 bytes read the same", () => {
    const bytes = fixture("camt053-v04-de-batch.xml");
    const fromBytes = parseStatementFile(bytes, { fileName: "f" });
    const fromText = parseStatementFile(bytes.toString("utf8"), { fileName: "f" });
    expect(fromText).toEqual(fromBytes);
  });

  it("a file that breaks its declared encoding is refused", () => {
    const latin1 = Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?><Document><BkToCstmrStmt><Stmt><Id>\xe5</Id></Stmt></BkToCstmrStmt></Document>',
      "latin1",
    );
    expect(() => parseStatementFile(latin1, { fileName: "e.xml" })).toThrow(
      "e.xml: the file is not valid utf-8 text, as the XML declaration says it is",
    );
  });
});
