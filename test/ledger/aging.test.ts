import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agingInProcess, seedLedger } from "../support/in-process.js";
import {
  type AgingFigures,
  type AgingJson,
  agingJson,
  CUSTOMER_HEADER,
  contractFigures,
  customerAging,
  DIGITS,
  dayNumber,
  decimal,
  INVOICE_HEADER,
  importOk,
  PAYMENT_HEADER,
  queryRows,
  shiftDate,
  totalAging,
  writeCsv,
  zeroFigures,
} from "../support/ledger.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";

/*
 * A seeded ledger is imported through the CLI, and the aging it prints is compared with a
 * deliberately naive model computed here: payments replayed in file order against an
 * in-memory list of invoices, every allocation remembered with its payment's date, and the
 * balance of an invoice on a day = its amount minus the allocations dated on or before it.
 */

type Invoice = {
  id: string;
  customerId: string;
  issue: string;
  due: string;
  currency: string;
  minor: bigint;
};
type Payment = {
  id: string;
  customerId: string;
  invoiceId: string | null;
  date: string;
  currency: string;
  minor: bigint;
  kind: "" | "payment" | "credit_note";
};
type Customer = { id: string; country: string; currencies: string[] };

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const COUNTRY: Record<string, string> = { SEK: "SE", EUR: "DE", USD: "US", JPY: "JP", KWD: "KW" };

/** The day the edge customer is checked on, and its invoices' distance from it in days. */
const EDGE_AS_OF = "2025-10-15";
const EDGE_DAYS = [0, 1, 30, 31, 60, 61, 90, 91] as const;

function generateLedger(seed: number) {
  const random = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const unit = (currency: string) => 10n ** BigInt(DIGITS[currency] ?? 2);
  /** An amount of `major` whole units plus random minor units. */
  const amount = (currency: string, majorMin: number, majorMax: number) =>
    BigInt(int(majorMin, majorMax)) * unit(currency) + BigInt(int(0, Number(unit(currency)) - 1));
  const fraction = (minor: bigint, percent: number) => (minor * BigInt(percent)) / 100n;

  const currencies = ["SEK", "EUR", "USD", "JPY", "KWD"];
  const customers: Customer[] = [];
  for (let n = 1; n <= 20; n++) {
    const currency = currencies[n % currencies.length] as string;
    customers.push({
      id: `C${String(n).padStart(3, "0")}`,
      country: COUNTRY[currency] ?? "SE",
      currencies: [currency],
    });
  }
  customers.push({ id: "C-MULTI", country: "IE", currencies: ["EUR", "USD"] });

  // Invoices get ids from a shuffled sequence, so id order is unrelated to date order.
  const drafts: Omit<Invoice, "id">[] = [];
  for (const customer of customers) {
    for (const currency of customer.currencies) {
      const scale = currency === "JPY" ? 100 : 1;
      let issue = shiftDate("2025-01-01", int(0, 25));
      const count = int(30, 40);
      for (let i = 0; i < count; i++) {
        const due = shiftDate(issue, pick([0, 7, 14, 30, 45, 60]));
        drafts.push({
          customerId: customer.id,
          issue,
          due,
          currency,
          minor: amount(currency, 20 * scale, 4000 * scale),
        });
        const sibling = random();
        if (sibling < 0.15) {
          // Same due and issue date: only the invoice id decides the order.
          drafts.push({
            customerId: customer.id,
            issue,
            due,
            currency,
            minor: amount(currency, 10 * scale, 900 * scale),
          });
        } else if (sibling < 0.25) {
          // Same due date, earlier issue date: the issue date decides.
          drafts.push({
            customerId: customer.id,
            issue: shiftDate(issue, -int(1, 9)),
            due,
            currency,
            minor: amount(currency, 10 * scale, 900 * scale),
          });
        }
        issue = shiftDate(issue, int(3, 12));
      }
    }
  }
  const numbers = drafts.map((_, i) => i + 1);
  for (let i = numbers.length - 1; i > 0; i--) {
    const j = int(0, i);
    [numbers[i], numbers[j]] = [numbers[j] as number, numbers[i] as number];
  }
  const invoices: Invoice[] = drafts.map((d, i) => ({
    ...d,
    id: `INV-${String(numbers[i]).padStart(5, "0")}`,
  }));

  const payDrafts: Omit<Payment, "id">[] = [];
  const pay = (
    invoice: Invoice,
    named: boolean,
    date: string,
    minor: bigint,
    kind: Payment["kind"] = pick(["", "payment"]),
  ) => {
    if (minor <= 0n) return;
    payDrafts.push({
      customerId: invoice.customerId,
      invoiceId: named ? invoice.id : null,
      date,
      currency: invoice.currency,
      minor,
      kind,
    });
  };
  for (const invoice of invoices) {
    const roll = random();
    if (roll < 0.4) {
      // Named: in full, in part (sometimes the rest later, named or not), or too much.
      const how = random();
      const date = shiftDate(invoice.due, int(-15, 70));
      if (how < 0.45) pay(invoice, true, date, invoice.minor);
      else if (how < 0.8) {
        const first = fraction(invoice.minor, int(20, 80));
        pay(invoice, true, date, first);
        if (random() < 0.6)
          pay(invoice, random() < 0.5, shiftDate(date, int(3, 50)), invoice.minor - first);
      } else pay(invoice, true, date, fraction(invoice.minor, int(101, 140)));
    } else if (roll < 0.75) {
      // Unnamed, anything from a part of this invoice to more than it.
      pay(
        invoice,
        false,
        shiftDate(invoice.due, int(-20, 90)),
        fraction(invoice.minor, int(15, 170)),
      );
    } else if (roll < 0.85) {
      // Credit note, named or not, soon after the invoice.
      pay(
        invoice,
        random() < 0.5,
        shiftDate(invoice.issue, int(0, 25)),
        fraction(invoice.minor, int(10, 60)),
        "credit_note",
      );
    }
    if (random() < 0.4) {
      // Small unnamed payments on account.
      pay(
        invoice,
        false,
        shiftDate(invoice.issue, int(-10, 120)),
        fraction(invoice.minor, int(5, 25)),
      );
    }
    if (random() < 0.08) {
      // An advance, dated before this invoice was issued.
      pay(
        invoice,
        false,
        shiftDate(invoice.issue, -int(1, 20)),
        fraction(invoice.minor, int(30, 120)),
      );
    }
    if (random() < 0.04) {
      // A large unnamed over-payment that leaves customer credit.
      pay(invoice, false, shiftDate(invoice.due, int(0, 60)), invoice.minor * 3n);
    }
  }
  // Roughly in date order, as a bank export, but not strictly: file order is what counts.
  payDrafts.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (let i = 0; i + 1 < payDrafts.length; i++) {
    if (random() < 0.15) {
      const j = Math.min(payDrafts.length - 1, i + int(1, 6));
      [payDrafts[i], payDrafts[j]] = [
        payDrafts[j] as Omit<Payment, "id">,
        payDrafts[i] as Omit<Payment, "id">,
      ];
    }
  }
  const payments: Payment[] = payDrafts.map((p, i) => ({
    ...p,
    id: `PAY-${String(i + 1).padStart(5, "0")}`,
  }));

  // The edge customer: one invoice due exactly 0, 1, 30, 31, 60, 61, 90 and 91 days before
  // EDGE_AS_OF, one issued on it, one issued the day after, and payments on and after it.
  customers.push({ id: "EDGE", country: "SE", currencies: ["SEK"] });
  EDGE_DAYS.forEach((days, i) => {
    const due = shiftDate(EDGE_AS_OF, -days);
    invoices.push({
      id: `EDGE-${days}`,
      customerId: "EDGE",
      issue: shiftDate(due, -20),
      due,
      currency: "SEK",
      minor: BigInt(100 * 2 ** i) * 100n,
    });
  });
  invoices.push({
    id: "EDGE-ON",
    customerId: "EDGE",
    issue: EDGE_AS_OF,
    due: shiftDate(EDGE_AS_OF, 30),
    currency: "SEK",
    minor: 25_600_00n,
  });
  invoices.push({
    id: "EDGE-LATER",
    customerId: "EDGE",
    issue: shiftDate(EDGE_AS_OF, 1),
    due: shiftDate(EDGE_AS_OF, 31),
    currency: "SEK",
    minor: 51_200_00n,
  });
  payments.push({
    id: "EDGE-PAY-ON",
    customerId: "EDGE",
    invoiceId: "EDGE-0",
    date: EDGE_AS_OF,
    currency: "SEK",
    minor: 50_00n,
    kind: "payment",
  });
  payments.push({
    id: "EDGE-PAY-AFTER",
    customerId: "EDGE",
    invoiceId: "EDGE-1",
    date: shiftDate(EDGE_AS_OF, 1),
    currency: "SEK",
    minor: 100_00n,
    kind: "payment",
  });

  // Invoice file order is shuffled too: the allocation order must come from the data.
  const invoiceFile = [...invoices];
  for (let i = invoiceFile.length - 1; i > 0; i--) {
    const j = int(0, i);
    [invoiceFile[i], invoiceFile[j]] = [invoiceFile[j] as Invoice, invoiceFile[i] as Invoice];
  }
  return { customers, invoices: invoiceFile, payments };
}

type Ledger = ReturnType<typeof generateLedger>;

/** The naive model: replay in file order, keep every allocation with its date. */
function replay(ledger: Ledger) {
  const state = ledger.invoices.map((invoice) => ({
    invoice,
    open: invoice.minor,
    allocations: [] as { date: string; minor: bigint; paymentDate: string; invoiceIssue: string }[],
  }));
  const byId = new Map(state.map((s) => [s.invoice.id, s]));
  const credit = new Map<string, bigint>();
  for (const payment of ledger.payments) {
    let targets: typeof state;
    if (payment.invoiceId) {
      targets = [byId.get(payment.invoiceId) as (typeof state)[number]];
    } else {
      targets = state
        .filter(
          (s) =>
            s.invoice.customerId === payment.customerId &&
            s.invoice.currency === payment.currency &&
            s.open > 0n,
        )
        .sort(
          (a, b) =>
            a.invoice.due.localeCompare(b.invoice.due) ||
            a.invoice.issue.localeCompare(b.invoice.issue) ||
            (a.invoice.id < b.invoice.id ? -1 : a.invoice.id > b.invoice.id ? 1 : 0),
        );
    }
    let left = payment.minor;
    for (const target of targets) {
      if (left === 0n) break;
      // biome-ignore lint/complexity/useMathMinMax: Math.min does not take bigints
      const minor = target.open < left ? target.open : left;
      if (minor === 0n) continue;
      target.open -= minor;
      left -= minor;
      target.allocations.push({
        date: payment.date,
        minor,
        paymentDate: payment.date,
        invoiceIssue: target.invoice.issue,
      });
    }
    credit.set(payment.id, left);
  }
  return { state, credit };
}

type Expected = { totals: Record<string, AgingFigures>; customers: Record<string, AgingFigures> };

function bucketOf(
  daysLate: number,
): "current" | "days1to30" | "days31to60" | "days61to90" | "days91plus" {
  if (daysLate <= 0) return "current";
  if (daysLate <= 30) return "days1to30";
  if (daysLate <= 60) return "days31to60";
  if (daysLate <= 90) return "days61to90";
  return "days91plus";
}

function expectedAging(model: ReturnType<typeof replay>, asOf: string): Expected {
  type Sums = { buckets: Record<string, bigint>; overdue: number; currency: string };
  const customers = new Map<string, Sums>();
  const totals = new Map<string, Sums>();
  const add = (
    map: Map<string, Sums>,
    key: string,
    currency: string,
    bucket: string,
    minor: bigint,
    overdue: boolean,
  ) => {
    let sums = map.get(key);
    if (!sums) {
      sums = { buckets: {}, overdue: 0, currency };
      map.set(key, sums);
    }
    sums.buckets[bucket] = (sums.buckets[bucket] ?? 0n) + minor;
    sums.buckets.total = (sums.buckets.total ?? 0n) + minor;
    if (overdue) sums.overdue += 1;
  };
  for (const { invoice, allocations } of model.state) {
    if (invoice.issue > asOf) continue;
    let balance = invoice.minor;
    for (const allocation of allocations) if (allocation.date <= asOf) balance -= allocation.minor;
    if (balance === 0n) continue;
    const daysLate = dayNumber(asOf) - dayNumber(invoice.due);
    const bucket = bucketOf(daysLate);
    add(
      customers,
      `${invoice.customerId}|${invoice.currency}`,
      invoice.currency,
      bucket,
      balance,
      daysLate > 0,
    );
    add(totals, invoice.currency, invoice.currency, bucket, balance, daysLate > 0);
  }
  const figures = (sums: Sums): AgingFigures => {
    const out = zeroFigures(sums.currency);
    for (const [bucket, minor] of Object.entries(sums.buckets)) {
      (out as Record<string, string | number>)[bucket] = decimal(minor, sums.currency);
    }
    out.overdueCount = sums.overdue;
    return out;
  };
  return {
    totals: Object.fromEntries([...totals].map(([k, s]) => [k, figures(s)])),
    customers: Object.fromEntries([...customers].map(([k, s]) => [k, figures(s)])),
  };
}

/** The report's rows keyed like the model's; rows of nothing but zeros may or may not be listed. */
function actualAging(report: AgingJson): Expected {
  const nonZero = (row: AgingFigures) => row.overdueCount !== 0 || !/^0(\.0+)?$/.test(row.total);
  return {
    totals: Object.fromEntries(
      report.totals.filter(nonZero).map((t) => [t.currency, contractFigures(t)]),
    ),
    customers: Object.fromEntries(
      report.customers
        .filter(nonZero)
        .map((c) => [`${c.customerId}|${c.currency}`, contractFigures(c)]),
    ),
  };
}

const LEDGER = generateLedger(20260214);
const MODEL = replay(LEDGER);
const AS_OF_DATES = [
  "2024-12-31",
  "2025-02-10",
  "2025-05-01",
  "2025-07-31",
  EDGE_AS_OF,
  shiftDate(EDGE_AS_OF, 1),
  "2026-01-15",
  "2026-09-30",
];

function writeLedgerFiles(dir: string) {
  const customers = writeCsv(
    dir,
    "customers.csv",
    CUSTOMER_HEADER,
    LEDGER.customers.map((c, i) => [
      c.id,
      `Customer ${c.id}`,
      i % 3 === 0 ? "consumer" : "business",
      "",
      "",
      c.country,
      "",
      "",
      "",
      "",
      "",
      "",
    ]),
  );
  const invoices = writeCsv(
    dir,
    "invoices.csv",
    INVOICE_HEADER,
    LEDGER.invoices.map((i) => [
      i.id,
      i.customerId,
      i.issue,
      i.due,
      i.currency,
      decimal(i.minor, i.currency),
    ]),
  );
  const payments = writeCsv(
    dir,
    "payments.csv",
    [...PAYMENT_HEADER, "kind"],
    LEDGER.payments.map((p) => [
      p.id,
      p.customerId,
      p.invoiceId ?? "",
      p.date,
      p.currency,
      decimal(p.minor, p.currency),
      `ref ${p.id}`,
      p.kind,
    ]),
  );
  return { customers, invoices, payments };
}

describe("the generated ledger exercises what the aging must get right", () => {
  it("has partial, unallocated and early payments, credit notes and a two-currency customer", () => {
    const allocated = MODEL.state;
    expect(LEDGER.invoices.length).toBeGreaterThan(700);
    expect(LEDGER.payments.length).toBeGreaterThan(1000); // more than one import batch
    expect(new Set(LEDGER.invoices.map((i) => i.currency))).toEqual(
      new Set(["SEK", "EUR", "USD", "JPY", "KWD"]),
    );
    expect(LEDGER.payments.some((p) => p.kind === "credit_note")).toBe(true);
    const creditNamed = LEDGER.payments.filter(
      (p) => p.invoiceId && (MODEL.credit.get(p.id) ?? 0n) > 0n,
    );
    const creditUnnamed = LEDGER.payments.filter(
      (p) => !p.invoiceId && (MODEL.credit.get(p.id) ?? 0n) > 0n,
    );
    expect(creditNamed.length).toBeGreaterThan(5);
    expect(creditUnnamed.length).toBeGreaterThan(5);
    expect(allocated.filter((s) => s.open > 0n && s.open < s.invoice.minor).length).toBeGreaterThan(
      10,
    );
    expect(allocated.some((s) => s.allocations.some((a) => a.paymentDate < s.invoice.issue))).toBe(
      true,
    );
    expect(allocated.filter((s) => s.allocations.length > 1).length).toBeGreaterThan(20);
    const multi = LEDGER.invoices.filter((i) => i.customerId === "C-MULTI");
    expect(new Set(multi.map((i) => i.currency))).toEqual(new Set(["EUR", "USD"]));
    const fileOrderIsDateOrder = LEDGER.payments.every(
      (p, i, all) => i === 0 || (all[i - 1] as Payment).date <= p.date,
    );
    expect(fileOrderIsDateOrder).toBe(false);
  });
});

// The two stores run side by side (the CLI runs in child processes, so this uses a second
// core); inside one store, the suites and their tests run in order.
for (const kind of STORE_KINDS) {
  describe(kind, { concurrent: true }, () => {
    describe.sequential("aging of a generated ledger equals an independent computation", () => {
      let store: FreshStore;
      beforeAll(async () => {
        store = await freshStore(kind);
        const files = writeLedgerFiles(store.dir);
        await importOk(store.url, "customers", files.customers);
        await importOk(store.url, "invoices", files.invoices);
        await importOk(store.url, "payments", files.payments);
      });
      afterAll(async () => {
        await store?.drop();
      });

      // Every date in process (fast); two of them through the CLI as well, the contract itself.
      it.each(AS_OF_DATES)("as of %s", async (asOf) => {
        const report = await agingInProcess(store.url, asOf);
        expect(report.asOf).toBe(asOf);
        const expected = expectedAging(MODEL, asOf);
        const actual = actualAging(report);
        expect(actual.totals).toEqual(expected.totals);
        expect(actual.customers).toEqual(expected.customers);
      });

      it.each([EDGE_AS_OF, "2025-05-01"])(
        "as of %s through the CLI's aging --json",
        async (asOf) => {
          const report = await agingJson(store.url, asOf);
          expect(report.asOf).toBe(asOf);
          const expected = expectedAging(MODEL, asOf);
          const actual = actualAging(report);
          expect(actual.totals).toEqual(expected.totals);
          expect(actual.customers).toEqual(expected.customers);
        },
      );

      it("puts invoices due exactly on the bucket edges in the right bucket", async () => {
        // Worked out by hand from the EDGE invoices (100·2^i SEK, due EDGE_DAYS[i] days before).
        const report = await agingJson(store.url, EDGE_AS_OF);
        expect(customerAging(report, "EDGE", "SEK")).toEqual({
          currency: "SEK",
          current: "25650.00", // due on the day: 100 − 50 paid that day; + 25 600 issued that day
          days1to30: "600.00", // 1 day (its payment is the next day) and 30 days
          days31to60: "2400.00",
          days61to90: "9600.00",
          days91plus: "12800.00",
          total: "51050.00", // EDGE-LATER, issued the next day, does not count
          overdueCount: 7,
        });
      });

      it("keeps over-payments and unmatched money as the payment's unallocated credit", async () => {
        const rows = await queryRows(store.url, "select id, unallocated_minor from payments");
        const actual = Object.fromEntries(rows.map((r) => [r.id, r.unallocated_minor]));
        const expected = Object.fromEntries(
          [...MODEL.credit].map(([id, minor]) => [id, minor.toString()]),
        );
        expect(actual).toEqual(expected);
      });
    });

    describe.sequential("amounts beyond 2^53 minor units", () => {
      let store: FreshStore;
      beforeAll(async () => {
        store = await freshStore(kind);
      });
      afterAll(async () => {
        await store?.drop();
      });

      it("stay exact in storage, allocation and aging sums", async () => {
        const big = 90_000_000_000_000_00n; // 90 000 000 000 000.00 EUR
        const kwd = 2n ** 53n + 1n; // the first integer a double cannot hold
        const jpy = 2n ** 62n / 5n;
        const customers = writeCsv(store.dir, "customers.csv", CUSTOMER_HEADER, [
          ["BIG", "Big Spender", "business", "", "", "DE", "", "", "", "", "", ""],
        ]);
        const invoices = writeCsv(store.dir, "invoices.csv", INVOICE_HEADER, [
          ["B1", "BIG", "2026-01-01", "2026-01-31", "EUR", decimal(big, "EUR")],
          ["B2", "BIG", "2026-01-02", "2026-02-01", "EUR", decimal(big, "EUR")],
          ["B3", "BIG", "2026-01-03", "2026-04-30", "EUR", decimal(big + 1n, "EUR")],
          ["K1", "BIG", "2026-01-01", "2026-01-31", "KWD", decimal(kwd, "KWD")],
          ["K2", "BIG", "2026-01-01", "2026-01-31", "KWD", decimal(kwd, "KWD")],
          ["J1", "BIG", "2026-01-01", "2026-01-31", "JPY", decimal(jpy, "JPY")],
          ["J2", "BIG", "2026-01-01", "2026-04-30", "JPY", decimal(jpy, "JPY")],
        ]);
        const payments = writeCsv(store.dir, "payments.csv", PAYMENT_HEADER, [
          [
            "PB1",
            "BIG",
            "",
            "2026-02-10",
            "EUR",
            decimal(big + 1n, "EUR"),
            "all of B1 and 0.01 of B2",
          ],
          ["PK1", "BIG", "K1", "2026-02-10", "KWD", decimal(1n, "KWD"), "0.001 of K1"],
          [
            "PJ1",
            "BIG",
            "J1",
            "2026-02-10",
            "JPY",
            decimal(jpy + 7n, "JPY"),
            "J1 and 7 yen credit",
          ],
        ]);
        await seedLedger(store.url, [
          ["customers", customers],
          ["invoices", invoices],
          ["payments", payments],
        ]);

        const stored = await queryRows(
          store.url,
          "select id, amount_minor from invoices where id = 'K1'",
        );
        expect(stored[0]?.amount_minor).toBe(kwd.toString());
        const credit = await queryRows(
          store.url,
          "select unallocated_minor from payments where id = 'PJ1'",
        );
        expect(credit[0]?.unallocated_minor).toBe("7");

        const report = await agingJson(store.url, "2026-03-01");
        expect(totalAging(report, "EUR")).toEqual({
          ...zeroFigures("EUR"),
          current: decimal(big + 1n, "EUR"),
          days1to30: decimal(big - 1n, "EUR"),
          total: decimal(2n * big, "EUR"),
          overdueCount: 1,
        });
        expect(totalAging(report, "KWD")).toEqual({
          ...zeroFigures("KWD"),
          days1to30: decimal(2n * kwd - 1n, "KWD"),
          total: decimal(2n * kwd - 1n, "KWD"),
          overdueCount: 2,
        });
        expect(totalAging(report, "JPY")).toEqual({
          ...zeroFigures("JPY"),
          current: decimal(jpy, "JPY"),
          total: decimal(jpy, "JPY"),
          overdueCount: 0,
        });
        // Before the payments: every invoice whole.
        const before = await agingInProcess(store.url, "2026-02-09");
        expect(totalAging(before, "EUR")?.total).toBe(decimal(3n * big + 1n, "EUR"));
        expect(totalAging(before, "KWD")?.total).toBe(decimal(2n * kwd, "KWD"));
        expect(totalAging(before, "JPY")?.total).toBe(decimal(2n * jpy, "JPY"));
      });
    });
  });
}
