import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseSeed, writeBaseLedger } from "../support/base-ledger.js";
import { agingInProcess, importInProcess, type Kind, seedLedger } from "../support/in-process.js";
import {
  CUSTOMER_HEADER,
  csvText,
  customerAging,
  dumpLedger,
  INVOICE_HEADER,
  importFile,
  PAYMENT_HEADER,
  queryRows,
  reportedErrors,
  writeCsv,
} from "../support/ledger.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";

const customer = (
  id: string,
  changes: Partial<Record<(typeof CUSTOMER_HEADER)[number], string>> = {},
) =>
  CUSTOMER_HEADER.map((column) => {
    if (column in changes) return changes[column] as string;
    return (
      { customer_id: id, name: `Name of ${id}`, kind: "business", country: "SE" }[
        column as string
      ] ?? ""
    );
  });

// The two stores run side by side (the CLI runs in child processes, so this uses a second
// core); inside one store, the suites and their tests run in order.
for (const kind of STORE_KINDS) {
  describe(kind, { concurrent: true }, () => {
    describe.sequential("each bad value is reported on its row and field, and nothing is imported", () => {
      let store: FreshStore;
      let before: Awaited<ReturnType<typeof dumpLedger>>;
      beforeAll(async () => {
        store = await freshStore(kind);
        await seedLedger(store.url, baseSeed(writeBaseLedger(store.dir)));
        before = await dumpLedger(store.url);
      });
      afterAll(async () => {
        await store?.drop();
      });

      /** Imports `file`, expects exit 1, exactly these [line, field] errors, and no change. */
      async function expectErrors(
        importKind: "customers" | "invoices" | "payments",
        file: string,
        expected: [number, string | RegExp][],
      ) {
        const result = await importFile(store.url, importKind, file, { cwd: store.dir });
        expect(result.code, result.stderr).toBe(1);
        const errors = reportedErrors(result.stderr, file);
        const lines = [...new Set(errors.map((e) => e.line))];
        expect(lines, result.stderr).toEqual(expected.map(([line]) => line));
        for (const [line, field] of expected) {
          const fields = errors.filter((e) => e.line === line).map((e) => e.field);
          const pattern = typeof field === "string" ? new RegExp(`^${field}$`) : field;
          expect(
            fields.some((f) => pattern.test(f)),
            `line ${line}: ${fields.join(", ")}\n${result.stderr}`,
          ).toBe(true);
        }
        expect(await dumpLedger(store.url)).toEqual(before);
      }

      /** The same check in process, for cases about reading the file rather than the CLI's output. */
      async function expectErrorsInProcess(
        importKind: Kind,
        file: string,
        expected: [number, string][],
      ) {
        const result = await importInProcess(store.url, importKind, join(store.dir, file));
        expect(result.ok).toBe(false);
        const lines = [...new Set(result.errors.map((e) => e.line))];
        expect(lines, JSON.stringify(result.errors)).toEqual(expected.map(([line]) => line));
        for (const [line, field] of expected) {
          expect(result.errors.filter((e) => e.line === line).map((e) => e.field)).toContain(field);
        }
        expect(await dumpLedger(store.url)).toEqual(before);
      }

      it("customers: kind, country, e-mail, phone, time zone, language and required fields", async () => {
        writeCsv(store.dir, "customers.csv", CUSTOMER_HEADER, [
          customer("V1"), // 2: valid
          customer("V2", { kind: "vendor" }),
          customer("V3", { country: "Sweden" }),
          customer("V4", { country: "XX" }),
          customer("V5", { email: "anna.example.com" }),
          customer("V6", { name: "" }),
          customer(""),
          customer("V8", { name: "Quoted, Name", kind: "consumer" }), // 9: valid
          customer("V9", { timezone: "Mars/Olympus" }),
          customer("V10", { phone: "12" }),
          customer("V11", { kind: "" }),
          customer("V12", { language: "not a language!" }),
          customer("V13", { country: "" }),
        ]);
        await expectErrors("customers", "customers.csv", [
          [3, "kind"],
          [4, "country"],
          [5, "country"],
          [6, "email"],
          [7, "name"],
          [8, "customer_id"],
          [10, "timezone"],
          [11, "phone"],
          [12, "kind"],
          [13, "language"],
          [14, "country"],
        ]);
      });

      it("invoices: decimals per currency, sign, currency, dates, order of dates, customer", async () => {
        writeCsv(store.dir, "invoices.csv", INVOICE_HEADER, [
          ["J1", "C1", "2026-03-01", "2026-03-31", "EUR", "10.5"], // 2: valid
          ["J2", "C1", "2026-03-01", "2026-03-31", "EUR", "10.005"],
          ["J3", "C5", "2026-03-01", "2026-03-31", "JPY", "10.5"],
          ["J4", "C1", "2026-03-01", "2026-03-31", "KWD", "1.2345"],
          ["J5", "C1", "2026-03-01", "2026-03-31", "SEK", "-5.00"],
          ["J6", "C1", "2026-03-01", "2026-03-31", "SEK", "0.00"],
          ["J7", "C5", "2026-03-01", "2026-03-31", "JPY", "0"],
          ["J8", "C1", "2026-03-01", "2026-03-31", "EUR", "12,50"],
          ["J9", "C1", "2026-03-01", "2026-03-31", "ABC", "10.00"],
          ["J10", "C1", "2026-03-01", "2026-03-31", "", "10.00"],
          ["J11", "C1", "2026-02-30", "2026-03-31", "SEK", "10.00"],
          ["J12", "C1", "2026-03-01", "2026-13-01", "SEK", "10.00"],
          ["J13", "C1", "01/03/2026", "2026-03-31", "SEK", "10.00"],
          ["J14", "C1", "2026-03-01", "2026-02-28", "SEK", "10.00"],
          ["J15", "C99", "2026-03-01", "2026-03-31", "SEK", "10.00"],
          ["", "C1", "2026-03-01", "2026-03-31", "SEK", "10.00"],
          ["J17", "C1", "2026-03-01", "2026-03-31", "KWD", "1.234"], // 18: valid
          ["J18", "C1", "2026-03-01", "2026-03-31", "SEK", ""],
          ["J19", "C1", "2026-03-01", "2026-03-31", "SEK", "1e3"],
          ["J20", "C1", "2026-03-01", "2026-03-31", "XAU", "10.00"],
          ["J21", "C1", "2026-03-01", "2026-03-31", "JPY", "1000"], // 22: valid
        ]);
        await expectErrors("invoices", "invoices.csv", [
          [3, "amount"],
          [4, "amount"],
          [5, "amount"],
          [6, "amount"],
          [7, "amount"],
          [8, "amount"],
          [9, "amount"],
          [10, "currency"],
          [11, "currency"],
          [12, "issue_date"],
          [13, "due_date"],
          [14, "issue_date"],
          [15, "due_date"],
          [16, "customer_id"],
          [17, "invoice_id"],
          [19, "amount"],
          [20, "amount"],
          [21, "currency"],
        ]);
      });

      it("payments: invoice of another customer or currency, unknown ids, amounts, kind, date", async () => {
        writeCsv(
          store.dir,
          "payments.csv",
          [...PAYMENT_HEADER, "kind"],
          [
            ["R1", "C1", "", "2026-03-10", "SEK", "10.00", "", ""], // 2: valid
            ["R2", "C1", "I4", "2026-03-10", "EUR", "10.00", "", ""], // I4 is C3's
            ["R3", "C1", "I1", "2026-03-10", "EUR", "10.00", "", ""], // I1 is in SEK
            ["R4", "C1", "I404", "2026-03-10", "SEK", "10.00", "", ""],
            ["R5", "C99", "", "2026-03-10", "SEK", "10.00", "", ""],
            ["R6", "C1", "", "2026-03-10", "SEK", "0.00", "", ""],
            ["R7", "C1", "", "2026-03-10", "SEK", "-10.00", "", ""],
            ["R8", "C1", "", "2026-03-10", "SEK", "10.00", "", "refund"],
            ["R9", "C1", "", "2026-03-10", "SEK", "10.001", "", ""],
            ["R10", "C1", "", "2026-02-30", "SEK", "10.00", "", ""],
            ["R11", "C1", "", "2026-03-10", "EURO", "10.00", "", ""],
            ["R12", "C3", "I5", "2026-03-10", "EUR", "10.00", "", "credit_note"], // 13: valid
            ["", "C1", "", "2026-03-10", "SEK", "10.00", "", ""],
            ["R14", "C1", "", "", "SEK", "10.00", "", ""],
            ["R15", "C5", "", "2026-03-10", "JPY", "100.5", "", ""],
          ],
        );
        await expectErrors("payments", "payments.csv", [
          [3, "invoice_id"],
          [4, /^(currency|invoice_id)$/],
          [5, "invoice_id"],
          [6, "customer_id"],
          [7, "amount"],
          [8, "amount"],
          [9, "kind"],
          [10, "amount"],
          [11, "date"],
          [12, "currency"],
          [14, "payment_id"],
          [15, "date"],
          [16, "amount"],
        ]);
      });

      it("a row with more or fewer fields than the header is an error on its line", async () => {
        const text = `${csvText(INVOICE_HEADER, [["K1", "C1", "2026-03-01", "2026-03-31", "SEK", "10.00"]])}K2,C1,2026-03-01,2026-03-31,SEK\nK3,C1,2026-03-01,2026-03-31,SEK,10.00,extra\n`;
        writeFileSync(join(store.dir, "ragged.csv"), text);
        const result = await importInProcess(store.url, "invoices", join(store.dir, "ragged.csv"));
        expect(result.ok).toBe(false);
        expect(result.errors.map((e) => e.line)).toEqual([3, 4]);
        expect(await dumpLedger(store.url)).toEqual(before);
      });

      it("counts lines inside quoted fields and blank lines when numbering rows (LF file)", async () => {
        const rows = [
          customer("M1", {
            name: "Smith, Jones",
            address_line1: "1 High Street\nFloor 2\nBack door",
          }), // lines 2-4
          customer("M2", { kind: "vendor" }), // 5
          [""], // 6: a blank line
          customer("M3", { name: "Two\nlines" }), // 7-8
          customer("M4", { country: "Nowhere" }), // 9
        ];
        writeFileSync(join(store.dir, "multiline.csv"), csvText(CUSTOMER_HEADER, rows, "\n"));
        await expectErrorsInProcess("customers", "multiline.csv", [
          [5, "kind"],
          [9, "country"],
        ]);
      });

      it("counts a CRLF inside a quoted field as one line (CRLF file)", async () => {
        const rows = [
          customer("M1", { name: "Smith, Jones\r\nand Partners" }), // lines 2-3
          customer("M2", { kind: "vendor" }), // 4
          customer("M3", { address_line1: "1 High Street\r\nFloor 2\r\nBack door" }), // 5-7
          customer("M4", { country: "Nowhere" }), // 8
        ];
        writeFileSync(
          join(store.dir, "multiline-crlf.csv"),
          csvText(CUSTOMER_HEADER, rows, "\r\n"),
        );
        await expectErrorsInProcess("customers", "multiline-crlf.csv", [
          [4, "kind"],
          [8, "country"],
        ]);
      });

      it("rejects two-letter codes that are not ISO 3166-1 countries (UK, EU, UN)", async () => {
        writeCsv(store.dir, "not-countries.csv", CUSTOMER_HEADER, [
          customer("Z1", { country: "UK" }),
          customer("Z2", { country: "EU" }),
          customer("Z3", { country: "UN" }),
        ]);
        await expectErrorsInProcess("customers", "not-countries.csv", [
          [2, "country"],
          [3, "country"],
          [4, "country"],
        ]);
      });
    });

    describe.sequential("reads the CSV files people actually have", () => {
      let store: FreshStore;
      beforeAll(async () => {
        store = await freshStore(kind);
      });
      afterAll(async () => {
        await store?.drop();
      });

      it("quoted fields with commas, quotes and line breaks, a BOM and CRLF line ends", async () => {
        const rows = [
          customer("Q1", {
            name: 'Smith, Jones & "Partners" Ltd',
            email: "ar@smith.example",
            country: "GB",
            address_line1: "1 High Street\nFloor 2",
            postal_code: "EC1A 1BB",
            city: "London",
          }),
          customer("Q2", { name: "Plain", kind: "consumer" }),
        ];
        writeFileSync(
          join(store.dir, "bom.csv"),
          `\uFEFF${csvText(CUSTOMER_HEADER, rows, "\r\n")}`,
        );
        const result = await importInProcess(store.url, "customers", join(store.dir, "bom.csv"));
        expect(result.errors).toEqual([]);
        expect(result.inserted).toBe(2);
        const stored = await queryRows(
          store.url,
          "select id, name, kind, email, phone, country, address_line1, address_line2, postal_code, city from customers order by id",
        );
        expect(stored).toEqual([
          {
            id: "Q1",
            name: 'Smith, Jones & "Partners" Ltd',
            kind: "business",
            email: "ar@smith.example",
            phone: null,
            country: "GB",
            address_line1: "1 High Street\nFloor 2",
            address_line2: null,
            postal_code: "EC1A 1BB",
            city: "London",
          },
          {
            id: "Q2",
            name: "Plain",
            kind: "consumer",
            email: null,
            phone: null,
            country: "SE",
            address_line1: null,
            address_line2: null,
            postal_code: null,
            city: null,
          },
        ]);
      });

      it("a file delimited by semicolons, with commas inside fields", async () => {
        const customers = [
          CUSTOMER_HEADER.join(";"),
          "S1;Müller, Hans;consumer;;;DE;;;Hauptstraße 5, Hinterhaus;;10115;Berlin",
        ].join("\n");
        writeFileSync(join(store.dir, "semi-customers.csv"), `${customers}\n`);
        const invoices = [
          INVOICE_HEADER.join(";"),
          "S-1;S1;2026-03-01;2026-03-31;EUR;1234.50",
        ].join("\n");
        writeFileSync(join(store.dir, "semi-invoices.csv"), `${invoices}\n`);
        const c = await importInProcess(
          store.url,
          "customers",
          join(store.dir, "semi-customers.csv"),
        );
        expect(c.errors).toEqual([]);
        const i = await importInProcess(
          store.url,
          "invoices",
          join(store.dir, "semi-invoices.csv"),
        );
        expect(i.errors).toEqual([]);
        expect(
          await queryRows(store.url, "select name, address_line1 from customers where id = 'S1'"),
        ).toEqual([{ name: "Müller, Hans", address_line1: "Hauptstraße 5, Hinterhaus" }]);
        expect(
          await queryRows(
            store.url,
            "select customer_id, amount_minor from invoices where id = 'S-1'",
          ),
        ).toEqual([{ customer_id: "S1", amount_minor: "123450" }]);
      });

      it("amounts with up to the currency's digits are exact (JPY 0, EUR 2, KWD 3)", async () => {
        writeCsv(store.dir, "k.csv", CUSTOMER_HEADER, [customer("K1", { country: "KW" })]);
        writeCsv(store.dir, "amounts.csv", INVOICE_HEADER, [
          ["A-JPY", "K1", "2026-03-01", "2026-03-31", "JPY", "1000"],
          ["A-KWD", "K1", "2026-03-01", "2026-03-31", "KWD", "1.234"],
          ["A-KWD2", "K1", "2026-03-01", "2026-03-31", "KWD", "0.5"],
          ["A-EUR", "K1", "2026-03-01", "2026-03-31", "EUR", "10.5"],
          ["A-EUR2", "K1", "2026-03-01", "2026-03-31", "EUR", "7"],
        ]);
        expect(
          (await importInProcess(store.url, "customers", join(store.dir, "k.csv"))).errors,
        ).toEqual([]);
        const result = await importInProcess(store.url, "invoices", join(store.dir, "amounts.csv"));
        expect(result.errors).toEqual([]);
        const stored = await queryRows(
          store.url,
          "select id, amount_minor from invoices where id like 'A-%' order by id",
        );
        expect(stored).toEqual([
          { id: "A-EUR", amount_minor: "1050" },
          { id: "A-EUR2", amount_minor: "700" },
          { id: "A-JPY", amount_minor: "1000" },
          { id: "A-KWD", amount_minor: "1234" },
          { id: "A-KWD2", amount_minor: "500" },
        ]);
        const aging = await agingInProcess(store.url, "2026-03-15");
        expect(customerAging(aging, "K1", "KWD")?.current).toBe("1.734");
        expect(customerAging(aging, "K1", "JPY")?.current).toBe("1000");
        expect(customerAging(aging, "K1", "EUR")?.current).toBe("17.50");
      });
    });
  });
}
