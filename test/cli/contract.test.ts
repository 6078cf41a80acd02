import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { baseSeed, writeBaseLedger } from "../support/base-ledger.js";
import { runCli } from "../support/cli.js";
import { seedLedger } from "../support/in-process.js";
import {
  type AgingJson,
  CUSTOMER_HEADER,
  customerAging,
  dumpLedger,
  FIGURE_FIELDS,
  INVOICE_HEADER,
  PAYMENT_HEADER,
  reportedErrors,
  totalAging,
  writeCsv,
  zeroFigures,
} from "../support/ledger.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";

function parseAging(stdout: string): AgingJson {
  return JSON.parse(stdout) as AgingJson;
}

const ONE_CUSTOMER = [["C1", "Nordic Tools AB", "business", "", "", "SE", "", "", "", "", "", ""]];
const ONE_INVOICE = [["I1", "C1", "2026-01-05", "2026-02-04", "SEK", "1000.00"]];
const ONE_PAYMENT = [["P1", "C1", "", "2026-02-10", "SEK", "400.00", ""]];

// The two stores run side by side (the CLI runs in child processes, so this uses a second
// core); inside one store, the suites and their tests run in order.
for (const kind of STORE_KINDS) {
  describe(kind, { concurrent: true }, () => {
    describe.sequential("choosing the store", () => {
      let store: FreshStore | undefined;
      afterEach(async () => {
        await store?.drop();
        store = undefined;
      });

      it("a new, empty store is prepared on first use", async () => {
        store = await freshStore(kind);
        const result = await runCli([
          "aging",
          "--as-of",
          "2026-03-01",
          "--json",
          "--db",
          store.url,
        ]);
        expect(result.code, result.stderr).toBe(0);
        const report = parseAging(result.stdout);
        expect(report.asOf).toBe("2026-03-01");
        expect(report.totals).toEqual([]);
        expect(report.customers).toEqual([]);
      });

      it("--db works before or after the command, and OVERDUE_DATABASE_URL when --db is absent", async () => {
        store = await freshStore(kind);
        const { dir, url } = store;
        writeCsv(dir, "customers.csv", CUSTOMER_HEADER, ONE_CUSTOMER);
        writeCsv(dir, "invoices.csv", INVOICE_HEADER, ONE_INVOICE);
        writeCsv(dir, "payments.csv", PAYMENT_HEADER, ONE_PAYMENT);

        const before = await runCli(["--db", url, "import", "customers", "customers.csv"], {
          cwd: dir,
        });
        expect(before.code, before.stderr).toBe(0);
        const after = await runCli(["import", "invoices", "invoices.csv", "--db", url], {
          cwd: dir,
        });
        expect(after.code, after.stderr).toBe(0);
        const env = await runCli(["import", "payments", "payments.csv"], {
          cwd: dir,
          env: { OVERDUE_DATABASE_URL: url },
        });
        expect(env.code, env.stderr).toBe(0);
        expect(existsSync(join(dir, "overdue.db")), "the default store must not be used").toBe(
          false,
        );

        const aging = await runCli(["aging", "--as-of", "2026-02-20", "--json"], {
          cwd: dir,
          env: { OVERDUE_DATABASE_URL: url },
        });
        expect(aging.code, aging.stderr).toBe(0);
        expect(customerAging(parseAging(aging.stdout), "C1", "SEK")).toEqual({
          ...zeroFigures("SEK"),
          days1to30: "600.00",
          total: "600.00",
          overdueCount: 1,
        });

        // --db wins over the environment.
        const other = join(dir, "other.db");
        const override = await runCli(["--db", other, "aging", "--as-of", "2026-02-20", "--json"], {
          cwd: dir,
          env: { OVERDUE_DATABASE_URL: url },
        });
        expect(override.code, override.stderr).toBe(0);
        expect(parseAging(override.stdout).totals).toEqual([]);
        expect(existsSync(other)).toBe(true);
      });
    });

    describe.sequential("aging --json and import exit codes on a known ledger", () => {
      let store: FreshStore;
      beforeAll(async () => {
        store = await freshStore(kind);
        await seedLedger(store.url, baseSeed(writeBaseLedger(store.dir)));
      });
      afterAll(async () => {
        await store?.drop();
      });

      it("prints totals per currency and rows per customer and currency, amounts in the currency's digits", async () => {
        const result = await runCli([
          "--db",
          store.url,
          "aging",
          "--as-of",
          "2026-03-20",
          "--json",
        ]);
        expect(result.code, result.stderr).toBe(0);
        const report = parseAging(result.stdout);
        expect(report.asOf).toBe("2026-03-20");
        // By hand from the base ledger (see test/support/base-ledger.ts):
        // SEK: I2 500 − 200 = 300 (29 days late), I3 250 − 100 = 150 (17 days late).
        // EUR: I4 paid on 03-01; I5 300.00 and I8 80.00 not yet due. USD: I6 99.99 − 50 (34 days).
        // JPY: I7 paid on 03-15 by P4, the rest of P4 is credit.
        expect(totalAging(report, "SEK")).toEqual({
          ...zeroFigures("SEK"),
          days1to30: "450.00",
          total: "450.00",
          overdueCount: 2,
        });
        expect(totalAging(report, "EUR")).toEqual({
          ...zeroFigures("EUR"),
          current: "380.00",
          total: "380.00",
        });
        expect(totalAging(report, "USD")).toEqual({
          ...zeroFigures("USD"),
          days31to60: "49.99",
          total: "49.99",
          overdueCount: 1,
        });
        expect(totalAging(report, "JPY")?.total ?? "0").toBe("0");
        const listed = report.customers
          .filter((c) => c.total !== zeroFigures(c.currency).total)
          .map((c) => `${c.customerId} ${c.currency}`);
        expect(listed.sort()).toEqual(["C1 EUR", "C1 SEK", "C2 SEK", "C3 EUR", "C4 USD"]);
        expect(customerAging(report, "C1", "SEK")).toEqual({
          ...zeroFigures("SEK"),
          days1to30: "300.00",
          total: "300.00",
          overdueCount: 1,
        });
        expect(customerAging(report, "C1", "EUR")).toEqual({
          ...zeroFigures("EUR"),
          current: "80.00",
          total: "80.00",
        });
        expect(customerAging(report, "C2", "SEK")).toEqual({
          ...zeroFigures("SEK"),
          days1to30: "150.00",
          total: "150.00",
          overdueCount: 1,
        });
        expect(customerAging(report, "C3", "EUR")).toEqual({
          ...zeroFigures("EUR"),
          current: "300.00",
          total: "300.00",
        });
        expect(customerAging(report, "C4", "USD")).toEqual({
          ...zeroFigures("USD"),
          days31to60: "49.99",
          total: "49.99",
          overdueCount: 1,
        });
        for (const row of [...report.totals, ...report.customers]) {
          for (const field of FIGURE_FIELDS) expect(typeof row[field]).toBe("string");
          expect(Number.isInteger(row.overdueCount)).toBe(true);
        }
      });

      it("exits 0 on success and 1 on data errors", async () => {
        const before = await dumpLedger(store.url);
        writeCsv(store.dir, "ok.csv", CUSTOMER_HEADER, [
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
        ]);
        const ok = await runCli(["--db", store.url, "import", "customers", "ok.csv"], {
          cwd: store.dir,
        });
        expect(ok.code, ok.stderr).toBe(0);
        writeCsv(store.dir, "bad.csv", CUSTOMER_HEADER, [
          ["C9", "Bad", "vendor", "", "", "SE", "", "", "", "", "", ""],
        ]);
        const bad = await runCli(["--db", store.url, "import", "customers", "bad.csv"], {
          cwd: store.dir,
        });
        expect(bad.code).toBe(1);
        expect(reportedErrors(bad.stderr, "bad.csv").map((e) => [e.line, e.field])).toEqual([
          [2, "kind"],
        ]);
        // Re-importing an unchanged row and the failed imports left the ledger's data as it was.
        const after = await dumpLedger(store.url, {
          omitTables: ["imports"],
          omitColumns: ["import_id", "import_line"],
        });
        expect(after).toEqual(await dumpLedgerWithout(before));
      });
    });

    describe.sequential("--map", () => {
      let store: FreshStore;
      beforeAll(async () => {
        store = await freshStore(kind);
      });
      afterAll(async () => {
        await store?.drop();
      });

      it("--map reads a file with its own header names and reports errors under them", async () => {
        const header = ["Number", "Client", "Date", "Due", "Cur", "Total"];
        writeCsv(store.dir, "mapped.csv", header, [
          ["MAP-1", "C4", "2026-03-01", "2026-03-10", "USD", "25.00"],
          ["MAP-2", "C4", "2026-03-02", "2026-03-31", "USD", "5.50"],
        ]);
        const map =
          "invoice_id=Number,customer_id=Client,issue_date=Date,due_date=Due,currency=Cur,amount=Total";
        await seedLedger(store.url, [
          [
            "customers",
            writeCsv(store.dir, "c.csv", CUSTOMER_HEADER, [
              ["C4", "Acme LLC", "business", "", "", "US", "", "", "", "", "", ""],
            ]),
          ],
        ]);
        const ok = await runCli(
          ["--db", store.url, "import", "invoices", "mapped.csv", "--map", map],
          { cwd: store.dir },
        );
        expect(ok.code, ok.stderr).toBe(0);
        const aging = await runCli(["--db", store.url, "aging", "--as-of", "2026-03-20", "--json"]);
        // MAP-1 is 10 days late, MAP-2 not yet due.
        expect(customerAging(parseAging(aging.stdout), "C4", "USD")).toEqual({
          ...zeroFigures("USD"),
          current: "5.50",
          days1to30: "25.00",
          total: "30.50",
          overdueCount: 1,
        });

        writeCsv(store.dir, "mapped-bad.csv", header, [
          ["MAP-3", "C4", "2026-03-01", "2026-03-10", "USD", "25.001"],
        ]);
        const bad = await runCli(
          ["--db", store.url, "import", "invoices", "mapped-bad.csv", "--map", map],
          { cwd: store.dir },
        );
        expect(bad.code).toBe(1);
        const errors = reportedErrors(bad.stderr, "mapped-bad.csv");
        expect(errors.map((e) => e.line)).toEqual([2]);
        expect(errors[0]?.field).toMatch(/^(Total|amount)$/);
      });
    });
  });
}

/** `before` as dumpLedger would give it without import bookkeeping. */
async function dumpLedgerWithout(before: Awaited<ReturnType<typeof dumpLedger>>) {
  const out: Record<string, string[]> = {};
  for (const [table, rows] of Object.entries(before)) {
    if (table === "imports") continue;
    out[table] = rows
      .map((row) =>
        JSON.stringify(
          (JSON.parse(row) as [string, unknown][]).filter(
            ([k]) => k !== "import_id" && k !== "import_line",
          ),
        ),
      )
      .sort();
  }
  return out;
}

describe("sqlite file defaults", { concurrent: true }, () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "overdue-cwd-"));
  });
  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it("a missing file or an impossible --as-of date is an error, not a crash", async () => {
    const missing = await runCli(["import", "customers", "no-such-file.csv"], { cwd });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("no-such-file.csv");
    expect(missing.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const badDate = await runCli(["aging", "--as-of", "2026-02-30", "--json"], { cwd });
    expect(badDate.code).not.toBe(0);
    expect(badDate.stderr).toContain("2026-02-30");
    expect(badDate.stderr).not.toMatch(/\n\s+at /);
    expect(badDate.stdout).toBe("");
  });

  it("without --db or OVERDUE_DATABASE_URL the ledger is ./overdue.db", async () => {
    writeCsv(cwd, "customers.csv", CUSTOMER_HEADER, ONE_CUSTOMER);
    writeCsv(cwd, "invoices.csv", INVOICE_HEADER, ONE_INVOICE);
    expect((await runCli(["import", "customers", "customers.csv"], { cwd })).code).toBe(0);
    expect(existsSync(join(cwd, "overdue.db"))).toBe(true);
    expect((await runCli(["import", "invoices", "invoices.csv"], { cwd })).code).toBe(0);
    const aging = await runCli(["aging", "--as-of", "2026-02-04", "--json"], { cwd });
    expect(aging.code, aging.stderr).toBe(0);
    expect(customerAging(parseAging(aging.stdout), "C1", "SEK")).toEqual({
      ...zeroFigures("SEK"),
      current: "1000.00",
      total: "1000.00",
    });
  });
});

describe("overdue demo", { concurrent: true }, () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "overdue-demo-"));
  });
  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it("builds ./overdue-demo.db, prints its aging, and the ledger has old debt in four currencies", async () => {
    const demo = await runCli(["demo"], { cwd });
    expect(demo.code, demo.stderr).toBe(0);
    // The demo's "today" is the local date, as the CLI's.
    const asOf = new Intl.DateTimeFormat("en-CA", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).format(new Date());
    for (const heading of ["SEK", "EUR", "USD", "GBP", "91+"])
      expect(demo.stdout).toContain(heading);
    expect(existsSync(join(cwd, "overdue-demo.db"))).toBe(true);

    const aging = await runCli(["--db", "overdue-demo.db", "aging", "--as-of", asOf, "--json"], {
      cwd,
    });
    expect(aging.code, aging.stderr).toBe(0);
    const report = parseAging(aging.stdout);
    const currencies = new Set(report.customers.map((c) => c.currency));
    for (const currency of ["SEK", "EUR", "USD", "GBP"]) expect(currencies).toContain(currency);
    const old = report.customers.filter((c) => c.days91plus !== zeroFigures(c.currency).days91plus);
    expect(old.length).toBeGreaterThan(0);
    // The per-customer rows add up to the per-currency totals.
    for (const total of report.totals) {
      const cents = (s: string) => BigInt(s.replace(".", ""));
      const sum = report.customers
        .filter((c) => c.currency === total.currency)
        .reduce((a, c) => a + cents(c.total), 0n);
      expect(sum).toBe(cents(total.total));
    }
  });
});
