import { CUSTOMER_HEADER, INVOICE_HEADER, PAYMENT_HEADER, writeCsv } from "./ledger.js";

/**
 * A small ledger that import and validation tests start from.
 *
 * After all three files, by hand:
 *  P1 (C1, no invoice, 1200.00 SEK) pays I1 1000.00 (due first) and 200.00 of I2.
 *  P2 pays I4 in full; P3 pays 50.00 of I6; P4 (no invoice, 200000 JPY) pays I7 150000 and
 *  leaves 50000 JPY credit; P5 pays 100.00 of I3.
 */
export const BASE_CUSTOMERS: readonly string[][] = [
  [
    "C1",
    "Nordic Tools AB",
    "business",
    "ap@nordic.example",
    "",
    "SE",
    "sv",
    "Europe/Stockholm",
    "Storgatan 1",
    "",
    "111 20",
    "Stockholm",
  ],
  ["C2", "Anna Berg", "consumer", "anna@berg.example", "", "SE", "", "", "", "", "", ""],
  [
    "C3",
    "Roma Tessuti S.r.l.",
    "business",
    "",
    "",
    "IT",
    "",
    "",
    "Via Roma 3",
    "Scala B",
    "00184",
    "Roma",
  ],
  ["C4", "Acme LLC", "business", "", "", "US", "", "", "", "", "", ""],
  ["C5", "Tokyo Trading KK", "business", "", "", "JP", "", "", "", "", "", ""],
];

export const BASE_INVOICES: readonly string[][] = [
  ["I1", "C1", "2026-01-05", "2026-02-04", "SEK", "1000.00"],
  ["I2", "C1", "2026-01-20", "2026-02-19", "SEK", "500.00"],
  ["I3", "C2", "2026-02-01", "2026-03-03", "SEK", "250.00"],
  ["I4", "C3", "2026-01-10", "2026-03-11", "EUR", "1200.50"],
  ["I5", "C3", "2026-02-10", "2026-04-11", "EUR", "300.00"],
  ["I6", "C4", "2026-01-15", "2026-02-14", "USD", "99.99"],
  ["I7", "C5", "2026-01-15", "2026-02-14", "JPY", "150000"],
  ["I8", "C1", "2026-03-01", "2026-03-31", "EUR", "80.00"],
];

export const BASE_PAYMENTS: readonly string[][] = [
  ["P1", "C1", "", "2026-02-10", "SEK", "1200.00", "bank 0001"],
  ["P2", "C3", "I4", "2026-03-01", "EUR", "1200.50", "bonifico"],
  ["P3", "C4", "I6", "2026-03-01", "USD", "50.00", "check 12"],
  ["P4", "C5", "", "2026-03-15", "JPY", "200000", ""],
  ["P5", "C2", "I3", "2026-03-05", "SEK", "100.00", "swish"],
];

export type BaseFiles = { customers: string; invoices: string; payments: string };

/** Writes the base ledger's three files into `dir` (as base-customers.csv and so on). */
export function writeBaseLedger(dir: string): BaseFiles {
  return {
    customers: writeCsv(dir, "base-customers.csv", CUSTOMER_HEADER, BASE_CUSTOMERS),
    invoices: writeCsv(dir, "base-invoices.csv", INVOICE_HEADER, BASE_INVOICES),
    payments: writeCsv(dir, "base-payments.csv", PAYMENT_HEADER, BASE_PAYMENTS),
  };
}

export function baseSeed(files: BaseFiles): ["customers" | "invoices" | "payments", string][] {
  return [
    ["customers", files.customers],
    ["invoices", files.invoices],
    ["payments", files.payments],
  ];
}

/** A copy of `rows` with the row whose first field is `id` changed at column `index`. */
export function withChange(
  rows: readonly string[][],
  id: string,
  index: number,
  value: string,
): string[][] {
  let found = false;
  const out = rows.map((row) => {
    if (row[0] !== id) return [...row];
    found = true;
    const copy = [...row];
    copy[index] = value;
    return copy;
  });
  if (!found) throw new Error(`no row ${id}`);
  return out;
}
