import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BASE_CUSTOMERS,
  BASE_INVOICES,
  BASE_PAYMENTS,
  baseSeed,
  withChange,
  writeBaseLedger,
} from "../support/base-ledger.js";
import { agingInProcess, importInProcess, seedLedger } from "../support/in-process.js";
import {
  CUSTOMER_HEADER,
  customerAging,
  dumpBusinessData,
  dumpLedger,
  INVOICE_HEADER,
  importFile,
  PAYMENT_HEADER,
  queryRows,
  reportedErrors,
  writeCsv,
  zeroFigures,
} from "../support/ledger.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";

/** Numbers a message mentions, to check that a duplicate's message names the other line. */
function numbersIn(text: string): number[] {
  return [...text.matchAll(/\d+/g)].map((m) => Number(m[0]));
}

/** `count` new customer rows N0001… (valid unless a caller replaces one). */
function manyCustomers(count: number): string[][] {
  return Array.from({ length: count }, (_, i) => {
    const id = `N${String(i + 1).padStart(4, "0")}`;
    return [
      id,
      `Customer ${id}`,
      i % 2 ? "business" : "consumer",
      `c${i}@shop.example`,
      "",
      "SE",
      "",
      "",
      "",
      "",
      "",
      "",
    ];
  });
}

function manyInvoices(count: number): string[][] {
  return Array.from({ length: count }, (_, i) => [
    `M${String(i + 1).padStart(5, "0")}`,
    "C2",
    "2026-02-01",
    "2026-03-03",
    "SEK",
    `${(i % 90) + 10}.25`,
  ]);
}

/** Small payments from C1 without an invoice: each would pay 0.01 SEK more of I2. */
function manyPayments(count: number): string[][] {
  return Array.from({ length: count }, (_, i) => [
    `Q${String(i + 1).padStart(5, "0")}`,
    "C1",
    "",
    "2026-03-02",
    "SEK",
    "0.01",
    "",
  ]);
}

/** Row `line` of the file (header = 1) is `rows[line - 2]`. */
function atLine<T>(rows: T[], line: number, row: T): T[] {
  rows[line - 2] = row;
  return rows;
}

// The two stores run side by side (the CLI runs in child processes, so this uses a second
// core); inside one store, the suites and their tests run in order.
for (const kind of STORE_KINDS) {
  describe(kind, { concurrent: true }, () => {
    describe.sequential("a file with bad rows imports nothing", () => {
      // These files all fail, so they share one ledger; each test checks it is untouched.
      let store: FreshStore;
      let before: Awaited<ReturnType<typeof dumpLedger>>;
      beforeAll(async () => {
        store = await freshStore(kind);
        await seedLedger(store.url, baseSeed(writeBaseLedger(store.dir)));
        before = await dumpLedger(store.url);
        expect(before.allocations?.length).toBeGreaterThan(0);
      });
      afterAll(async () => {
        await store?.drop();
      });

      async function expectRejected(
        importKind: "customers" | "invoices" | "payments",
        file: string,
        expected: { line: number; field: string | RegExp }[],
        extra: string[] = [],
      ) {
        const result = await importFile(store.url, importKind, file, { cwd: store.dir, extra });
        expect(result.code, result.stderr).toBe(1);
        const errors = reportedErrors(result.stderr, file);
        expect(
          errors.map((e) => e.line),
          result.stderr,
        ).toEqual(expected.map((e) => e.line));
        expected.forEach((e, i) => {
          expect(errors[i]?.field, result.stderr).toMatch(
            typeof e.field === "string" ? new RegExp(`^${e.field}$`) : e.field,
          );
        });
        expect(await dumpLedger(store.url)).toEqual(before);
        return errors;
      }

      // Each file changes existing rows and adds new ones before and after its one bad row,
      // which sits in the second internal batch, after the first was already written.
      it("customers: a bad country in the middle, after more than one batch of good rows", async () => {
        const file = "customers-many-bad.csv";
        const rows = manyCustomers(1500);
        rows.unshift(["C1", "Renamed AB", "business", "", "", "SE", "", "", "", "", "", ""]);
        atLine(rows, 1203, [
          "N9999",
          "Bad Country",
          "business",
          "",
          "",
          "Sweden",
          "",
          "",
          "",
          "",
          "",
          "",
        ]);
        writeCsv(store.dir, file, CUSTOMER_HEADER, rows);
        await expectRejected("customers", file, [{ line: 1203, field: "country" }]);
      });

      it("invoices: an unknown customer in the middle, after more than one batch of good rows", async () => {
        const file = "invoices-many-bad.csv";
        const rows = atLine(manyInvoices(1500), 1203, [
          "X1",
          "NOPE",
          "2026-02-01",
          "2026-03-03",
          "SEK",
          "5.00",
        ]);
        rows.unshift(
          ["I1", "C1", "2026-01-05", "2026-02-04", "SEK", "1100.00"],
          ["I5", "C3", "2026-02-10", "2026-04-11", "EUR", "1.00"],
        );
        writeCsv(store.dir, file, INVOICE_HEADER, rows);
        await expectRejected("invoices", file, [{ line: 1205, field: "customer_id" }]);
      });

      it("payments: an invoice of another customer in the middle, after more than one batch of allocating rows", async () => {
        const file = "payments-many-bad.csv";
        const rows = atLine(manyPayments(1500), 1203, [
          "X1",
          "C1",
          "I4",
          "2026-03-02",
          "EUR",
          "1.00",
          "",
        ]);
        rows.unshift(
          ["P1", "C1", "", "2026-02-10", "SEK", "900.00", "bank 0001"],
          ["P6", "C3", "I5", "2026-03-10", "EUR", "300.00", ""],
        );
        writeCsv(store.dir, file, PAYMENT_HEADER, rows);
        await expectRejected("payments", file, [{ line: 1205, field: "invoice_id" }]);
      });

      it("reports every bad row, in either batch, not only the first", async () => {
        const file = "invoices-several-bad.csv";
        const rows = manyInvoices(1200);
        atLine(rows, 3, ["Y1", "C2", "2026-02-01", "2026-03-03", "SEKK", "5.00"]);
        atLine(rows, 5, ["Y2", "C2", "2026-02-01", "2026-01-31", "SEK", "5.00"]);
        atLine(rows, 6, ["Y3", "NOBODY", "2026-02-01", "2026-03-03", "SEK", "5.00"]);
        atLine(rows, 1100, ["Y4", "C2", "2026-02-29", "2026-03-03", "SEK", "5.00"]);
        atLine(rows, 1150, ["Y5", "C2", "2026-02-01", "2026-03-03", "SEK", "-5.00"]);
        writeCsv(store.dir, file, INVOICE_HEADER, rows);
        const errors = await expectRejected("invoices", file, [
          { line: 3, field: "currency" },
          { line: 5, field: "due_date" },
          { line: 6, field: "customer_id" },
          { line: 1100, field: "issue_date" },
          { line: 1150, field: "amount" },
        ]);
        expect(errors.every((e) => e.problem.trim().length > 0)).toBe(true);
      });

      it("a header without a required column is an error on line 1", async () => {
        writeCsv(store.dir, "invoices-no-amount.csv", INVOICE_HEADER.slice(0, 5), [
          ["I20", "C1", "2026-03-01", "2026-03-31", "SEK"],
        ]);
        await expectRejected("invoices", "invoices-no-amount.csv", [{ line: 1, field: "amount" }]);
        writeCsv(
          store.dir,
          "payments-no-date.csv",
          PAYMENT_HEADER.filter((c) => c !== "date"),
          [["P20", "C1", "", "SEK", "5.00", ""]],
        );
        await expectRejected("payments", "payments-no-date.csv", [{ line: 1, field: "date" }]);
      });

      it("--map naming a column the header lacks is an error on line 1", async () => {
        writeCsv(store.dir, "invoices-map.csv", INVOICE_HEADER, [
          ["I21", "C1", "2026-03-01", "2026-03-31", "SEK", "5.00"],
        ]);
        await expectRejected(
          "invoices",
          "invoices-map.csv",
          [{ line: 1, field: /^(Total|amount)$/ }],
          ["--map", "amount=Total"],
        );
      });

      it("a repeated customer id is an error naming both lines", async () => {
        const file = "customers-dup.csv";
        writeCsv(store.dir, file, CUSTOMER_HEADER, [
          ["D1", "First", "business", "", "", "SE", "", "", "", "", "", ""],
          ["D2", "Other", "business", "", "", "SE", "", "", "", "", "", ""],
          ["D1", "Again", "business", "", "", "SE", "", "", "", "", "", ""],
        ]);
        const result = await importFile(store.url, "customers", file, { cwd: store.dir });
        expect(result.code).toBe(1);
        const errors = reportedErrors(result.stderr, file);
        expect(
          errors.some(
            (e) =>
              e.field === "customer_id" &&
              [e.line, ...numbersIn(e.problem)].includes(2) &&
              [e.line, ...numbersIn(e.problem)].includes(4),
          ),
          result.stderr,
        ).toBe(true);
        expect(await dumpLedger(store.url)).toEqual(before);
      });

      it.each([
        ["invoices", "invoice_id", 3, 1503],
        ["payments", "payment_id", 2, 1402],
      ] as const)(
        "a %s id repeated more than a batch apart is an error naming both lines",
        async (importKind, field, first, again) => {
          const file = `${importKind}-dup-far.csv`;
          const rows = importKind === "invoices" ? manyInvoices(1600) : manyPayments(1600);
          const repeated = [...(rows[first - 2] as string[])];
          repeated[1] = rows[again - 2]?.[1] as string;
          atLine(rows, again, repeated);
          writeCsv(
            store.dir,
            file,
            importKind === "invoices" ? INVOICE_HEADER : PAYMENT_HEADER,
            rows,
          );
          // In process: the CLI's rendering of errors is checked with the customer file above.
          const result = await importInProcess(store.url, importKind, join(store.dir, file));
          expect(result.ok).toBe(false);
          expect(
            result.errors.some(
              (e) =>
                e.field === field &&
                [e.line, ...numbersIn(e.problem)].includes(first) &&
                [e.line, ...numbersIn(e.problem)].includes(again),
            ),
            JSON.stringify(result.errors),
          ).toBe(true);
          expect(await dumpLedger(store.url)).toEqual(before);
        },
      );
    });

    describe.sequential("re-importing", () => {
      let store: FreshStore | undefined;
      afterEach(async () => {
        await store?.drop();
        store = undefined;
      });

      it("the same files again reports every row unchanged and leaves the ledger identical", async () => {
        store = await freshStore(kind);
        const files = writeBaseLedger(store.dir);
        const counts = {
          customers: BASE_CUSTOMERS.length,
          invoices: BASE_INVOICES.length,
          payments: BASE_PAYMENTS.length,
        };
        await seedLedger(store.url, baseSeed(files));
        const once = await dumpBusinessData(store.url);
        for (const [importKind, file] of baseSeed(files)) {
          const again = await importFile(store.url, importKind, file);
          expect(again.code, again.stderr).toBe(0);
          expect(again.stdout).toMatch(/\b0 new\b/);
          expect(again.stdout).toMatch(/\b0 updated\b/);
          expect(again.stdout).toMatch(new RegExp(`\\b${counts[importKind]} unchanged\\b`));
        }
        expect(await dumpBusinessData(store.url)).toEqual(once);
      });

      it("changed rows are updated, the rest untouched, and the aging follows", async () => {
        store = await freshStore(kind);
        const dir = store.dir;
        await seedLedger(store.url, baseSeed(writeBaseLedger(dir)));
        const start = await dumpBusinessData(store.url);

        // Customers: C2's e-mail changes.
        writeCsv(
          dir,
          "customers.csv",
          CUSTOMER_HEADER,
          withChange(BASE_CUSTOMERS, "C2", 3, "anna.berg@mail.example"),
        );
        const customers = await importInProcess(store.url, "customers", join(dir, "customers.csv"));
        expect(customers).toMatchObject({ ok: true, inserted: 0, updated: 1, unchanged: 4 });
        const email = await queryRows(store.url, "select email from customers where id = 'C2'");
        expect(email).toEqual([{ email: "anna.berg@mail.example" }]);
        const afterCustomers = await dumpBusinessData(store.url);
        const changedCustomers =
          afterCustomers.customers?.filter((row) => !start.customers?.includes(row)) ?? [];
        expect(changedCustomers).toHaveLength(1);
        expect(changedCustomers[0]).toContain('"C2"');
        expect(afterCustomers.invoices).toEqual(start.invoices);

        // Invoices: an unpaid one (I5 300 → 350) and a partly paid one (I2 500 → 600, 200 paid).
        writeCsv(
          dir,
          "invoices.csv",
          INVOICE_HEADER,
          withChange(withChange(BASE_INVOICES, "I5", 5, "350.00"), "I2", 5, "600.00"),
        );
        const invoices = await importInProcess(store.url, "invoices", join(dir, "invoices.csv"));
        expect(invoices).toMatchObject({ ok: true, inserted: 0, updated: 2, unchanged: 6 });

        let aging = await agingInProcess(store.url, "2026-03-20");
        // I2: 600 − 200 = 400, 29 days late; I3: 250 − 100 = 150, 17 days late.
        expect(customerAging(aging, "C1", "SEK")).toEqual({
          ...zeroFigures("SEK"),
          days1to30: "400.00",
          total: "400.00",
          overdueCount: 1,
        });
        expect(customerAging(aging, "C3", "EUR")).toEqual({
          ...zeroFigures("EUR"),
          current: "350.00",
          total: "350.00",
        });

        // Payments: P1 1200 → 1400 (now pays 400 of I2), P4 200000 → 100000 JPY (no credit
        // left, 50000 of I7 open), P5 moves from 03-05 to 03-25.
        let payments = withChange(BASE_PAYMENTS, "P1", 5, "1400.00");
        payments = withChange(payments, "P4", 5, "100000");
        payments = withChange(payments, "P5", 3, "2026-03-25");
        writeCsv(dir, "payments.csv", PAYMENT_HEADER, payments);
        const paid = await importInProcess(store.url, "payments", join(dir, "payments.csv"));
        expect(paid).toMatchObject({ ok: true, inserted: 0, updated: 3, unchanged: 2 });

        aging = await agingInProcess(store.url, "2026-03-20");
        expect(customerAging(aging, "C1", "SEK")).toEqual({
          ...zeroFigures("SEK"),
          days1to30: "200.00",
          total: "200.00",
          overdueCount: 1,
        });
        expect(customerAging(aging, "C2", "SEK")).toEqual({
          ...zeroFigures("SEK"),
          days1to30: "250.00",
          total: "250.00",
          overdueCount: 1,
        });
        expect(customerAging(aging, "C5", "JPY")).toEqual({
          ...zeroFigures("JPY"),
          days31to60: "50000",
          total: "50000",
          overdueCount: 1,
        });
        aging = await agingInProcess(store.url, "2026-03-25");
        expect(customerAging(aging, "C2", "SEK")?.total).toBe("150.00");
        const credit = await queryRows(
          store.url,
          "select id, unallocated_minor from payments where id in ('P1', 'P4') order by id",
        );
        expect(credit).toEqual([
          { id: "P1", unallocated_minor: "0" },
          { id: "P4", unallocated_minor: "0" },
        ]);
      });

      it("a payment whose amount changes is allocated again, leaving credit when it is too much", async () => {
        store = await freshStore(kind);
        const dir = store.dir;
        writeCsv(dir, "c.csv", CUSTOMER_HEADER, [
          ["H1", "Hansa GmbH", "business", "", "", "DE", "", "", "", "", "", ""],
        ]);
        writeCsv(dir, "i.csv", INVOICE_HEADER, [
          ["H-1", "H1", "2026-01-01", "2026-01-31", "EUR", "100.00"],
          ["H-2", "H1", "2026-01-29", "2026-02-28", "EUR", "100.00"],
        ]);
        writeCsv(dir, "p.csv", PAYMENT_HEADER, [
          ["Q1", "H1", "", "2026-03-01", "EUR", "150.00", ""],
        ]);
        await seedLedger(store.url, [
          ["customers", `${dir}/c.csv`],
          ["invoices", `${dir}/i.csv`],
          ["payments", `${dir}/p.csv`],
        ]);
        let aging = await agingInProcess(store.url, "2026-03-10");
        expect(customerAging(aging, "H1", "EUR")).toEqual({
          ...zeroFigures("EUR"),
          days1to30: "50.00",
          total: "50.00",
          overdueCount: 1,
        });

        writeCsv(dir, "p.csv", PAYMENT_HEADER, [
          ["Q1", "H1", "", "2026-03-01", "EUR", "50.00", ""],
        ]);
        const smaller = await importInProcess(store.url, "payments", join(dir, "p.csv"));
        expect(smaller.errors).toEqual([]);
        aging = await agingInProcess(store.url, "2026-03-10");
        // H-1 (38 days late) keeps 50.00 open, H-2 (10 days late) all of it.
        expect(customerAging(aging, "H1", "EUR")).toEqual({
          ...zeroFigures("EUR"),
          days1to30: "100.00",
          days31to60: "50.00",
          total: "150.00",
          overdueCount: 2,
        });

        writeCsv(dir, "p.csv", PAYMENT_HEADER, [
          ["Q1", "H1", "", "2026-03-01", "EUR", "250.00", ""],
        ]);
        const larger = await importInProcess(store.url, "payments", join(dir, "p.csv"));
        expect(larger.errors).toEqual([]);
        aging = await agingInProcess(store.url, "2026-03-10");
        expect(customerAging(aging, "H1", "EUR")?.total ?? "0.00").toBe("0.00");
        const credit = await queryRows(
          store.url,
          "select unallocated_minor from payments where id = 'Q1'",
        );
        expect(credit).toEqual([{ unallocated_minor: "5000" }]);
        // Before the payment's date the invoices were open in full.
        aging = await agingInProcess(store.url, "2026-02-28");
        expect(customerAging(aging, "H1", "EUR")?.total).toBe("200.00");
      });

      it("correcting an earlier payment gives the ledger the corrected file gives on its own", async () => {
        // Q1 and Q2 name no invoice, so both go to the oldest open invoices in file order.
        // With Q1 corrected to 50.00: Q1 pays 50.00 of H-1; Q2 pays the other 50.00 of H-1
        // and 50.00 of H-2. Open on 2026-04-15: H-2 50.00 (46 days) and H-3 100.00 (15 days).
        store = await freshStore(kind);
        const dir = store.dir;
        writeCsv(dir, "c.csv", CUSTOMER_HEADER, [
          ["H1", "Hansa GmbH", "business", "", "", "DE", "", "", "", "", "", ""],
        ]);
        writeCsv(dir, "i.csv", INVOICE_HEADER, [
          ["H-1", "H1", "2026-01-01", "2026-01-31", "EUR", "100.00"],
          ["H-2", "H1", "2026-01-29", "2026-02-28", "EUR", "100.00"],
          ["H-3", "H1", "2026-03-01", "2026-03-31", "EUR", "100.00"],
        ]);
        writeCsv(dir, "p.csv", PAYMENT_HEADER, [
          ["Q1", "H1", "", "2026-03-01", "EUR", "150.00", ""],
          ["Q2", "H1", "", "2026-03-15", "EUR", "100.00", ""],
        ]);
        await seedLedger(store.url, [
          ["customers", `${dir}/c.csv`],
          ["invoices", `${dir}/i.csv`],
          ["payments", `${dir}/p.csv`],
        ]);
        writeCsv(dir, "p.csv", PAYMENT_HEADER, [
          ["Q1", "H1", "", "2026-03-01", "EUR", "50.00", ""],
          ["Q2", "H1", "", "2026-03-15", "EUR", "100.00", ""],
        ]);
        const corrected = await importInProcess(store.url, "payments", join(dir, "p.csv"));
        expect(corrected.errors).toEqual([]);
        const aging = await agingInProcess(store.url, "2026-04-15");
        expect(customerAging(aging, "H1", "EUR")).toEqual({
          ...zeroFigures("EUR"),
          days1to30: "100.00",
          days31to60: "50.00",
          total: "150.00",
          overdueCount: 2,
        });
      });

      it("raising an invoice's amount uses the customer's credit, as the corrected files would", async () => {
        // Q1 (250.00, no invoice) pays H-1 and H-2 and leaves 50.00 credit. With H-2 corrected
        // to 130.00, the same files imported fresh leave nothing open and 20.00 credit: a
        // customer who has paid everything must not show as overdue.
        store = await freshStore(kind);
        const dir = store.dir;
        writeCsv(dir, "c.csv", CUSTOMER_HEADER, [
          ["H1", "Hansa GmbH", "business", "", "", "DE", "", "", "", "", "", ""],
        ]);
        const invoices = [
          ["H-1", "H1", "2026-01-01", "2026-01-31", "EUR", "100.00"],
          ["H-2", "H1", "2026-01-29", "2026-02-28", "EUR", "100.00"],
        ];
        writeCsv(dir, "i.csv", INVOICE_HEADER, invoices);
        writeCsv(dir, "p.csv", PAYMENT_HEADER, [
          ["Q1", "H1", "", "2026-03-01", "EUR", "250.00", ""],
        ]);
        await seedLedger(store.url, [
          ["customers", `${dir}/c.csv`],
          ["invoices", `${dir}/i.csv`],
          ["payments", `${dir}/p.csv`],
        ]);
        writeCsv(dir, "i.csv", INVOICE_HEADER, withChange(invoices, "H-2", 5, "130.00"));
        const corrected = await importInProcess(store.url, "invoices", join(dir, "i.csv"));
        expect(corrected).toMatchObject({ ok: true, updated: 1, unchanged: 1 });
        const aging = await agingInProcess(store.url, "2026-03-10");
        expect(customerAging(aging, "H1", "EUR")?.total ?? "0.00").toBe("0.00");
        expect(await queryRows(store.url, "select unallocated_minor from payments")).toEqual([
          { unallocated_minor: "2000" },
        ]);
      });
    });
  });
}
