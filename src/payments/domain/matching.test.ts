import { describe, expect, it } from "vitest";
import { calendarDate } from "../../kernel/calendar-date.js";
import {
  standInDecodeReference,
  standInOcrReference,
  standInRfReference,
} from "./labelled-credits.js";
import {
  appliesAutomatically,
  type CustomerForMatching,
  DEFAULT_AUTO_APPLY_THRESHOLD,
  defaultNormaliseNumber,
  type IncomingCredit,
  MAX_INVOICES_FOR_COMBINATIONS,
  normaliseCompanyName,
  type OpenInvoiceForMatching,
  PaymentMatcher,
} from "./matching.js";

const invoice = (
  id: string,
  customerId: string,
  openMinor: bigint,
  dueDate = "2026-03-01",
  currency = "SEK",
  number = `INV-${id.padStart(7, "0")}`,
): OpenInvoiceForMatching => ({
  id,
  number,
  customerId,
  currency,
  openMinor,
  dueDate: calendarDate(dueDate),
});

const CUSTOMERS: CustomerForMatching[] = [
  { id: "C1", name: "Norrsken Bygg AB", accounts: ["SE45 5000 0000 0583 9825 7466"] },
  { id: "C2", name: "Lombardi Tessuti S.r.l.", accounts: [] },
  { id: "C3", name: "Harrow Joinery Ltd", accounts: ["GB29 NWBK 6016 1331 9268 19"] },
  { id: "C4", name: "Blue Ridge Supply, Inc.", accounts: [] },
  { id: "C5", name: "Blue Ridge Supply Inc", accounts: [] },
  { id: "C6", name: "Älvdals Trä i Umeå AB", accounts: [] },
];

const INVOICES: OpenInvoiceForMatching[] = [
  invoice("1234", "C1", 125_000n, "2026-02-01"),
  invoice("1235", "C1", 40_000n, "2026-01-15"),
  invoice("1236", "C1", 10_000n, "2026-03-10"),
  invoice("2001", "C2", 99_00n, "2026-02-01", "EUR"),
  invoice("2002", "C2", 51_50n, "2026-02-15", "EUR"),
  invoice("3001", "C3", 700_00n, "2026-02-01", "GBP"),
  invoice("3002", "C3", 700_00n, "2026-02-20", "GBP"),
  invoice("4001", "C4", 300_00n, "2026-02-01", "USD"),
  invoice("5001", "C5", 300_00n, "2026-02-01", "USD"),
  invoice("6001", "C6", 8_000n, "2026-02-01"),
];

const options = {
  decodeReference: standInDecodeReference,
  normaliseNumber: defaultNormaliseNumber,
};
const matcherOf = (invoices = INVOICES, customers = CUSTOMERS) =>
  new PaymentMatcher(invoices, customers, options);

let lines = 0;
const credit = (amountMinor: bigint, fields: Partial<IncomingCredit> = {}): IncomingCredit => ({
  key: `L${++lines}`,
  amountMinor,
  currency: "SEK",
  reference: null,
  remittance: "",
  counterpartyName: null,
  counterpartyAccount: null,
  ...fields,
});

describe("rule 1: a valid structured reference", () => {
  const rf = standInRfReference("INV0001234");

  it("pays the invoice it names and applies automatically", () => {
    const proposal = matcherOf().propose(credit(125_000n, { reference: rf }));
    expect(proposal).toMatchObject({
      rule: "reference",
      confidence: 100,
      customerId: "C1",
      allocations: [{ invoiceId: "1234", minor: 125_000n }],
      creditMinor: 0n,
    });
    expect(appliesAutomatically(proposal)).toBe(true);
  });

  it("allocates what came on a partial payment, leaving the rest open", () => {
    const proposal = matcherOf().propose(credit(50_000n, { reference: rf }));
    expect(proposal.allocations).toEqual([{ invoiceId: "1234", minor: 50_000n }]);
    expect(proposal.creditMinor).toBe(0n);
    expect(appliesAutomatically(proposal)).toBe(true);
    expect(proposal.reason).toMatch(/part of the 1,250.00 SEK open/);
  });

  it("settles the invoice and keeps an over-payment as the customer's credit", () => {
    const proposal = matcherOf().propose(credit(130_000n, { reference: rf }));
    expect(proposal.allocations).toEqual([{ invoiceId: "1234", minor: 125_000n }]);
    expect(proposal.creditMinor).toBe(5_000n);
    expect(proposal.reason).toMatch(/50.00 SEK stays as the customer's credit/);
    expect(appliesAutomatically(proposal)).toBe(true);
  });

  it("reads an OCR reference made from the invoice number's digits", () => {
    const proposal = matcherOf().propose(
      credit(40_000n, { reference: standInOcrReference("0001235") }),
    );
    expect(proposal).toMatchObject({
      rule: "reference",
      allocations: [{ invoiceId: "1235", minor: 40_000n }],
    });
  });

  it("finds an RF reference printed in groups of four in the message", () => {
    const printed = (rf.match(/.{1,4}/g) ?? []).join(" ");
    const proposal = matcherOf().propose(credit(125_000n, { remittance: `Betalning ${printed}` }));
    expect(proposal).toMatchObject({ rule: "reference", allocations: [{ invoiceId: "1234" }] });
  });

  it("does not pay an invoice in another currency", () => {
    const proposal = matcherOf().propose(credit(125_000n, { reference: rf, currency: "EUR" }));
    expect(proposal.allocations).toEqual([]);
    expect(proposal.confidence).toBeLessThan(DEFAULT_AUTO_APPLY_THRESHOLD);
    expect(proposal.reason).toMatch(/in SEK, but the payment is 1,250.00 EUR/);
  });

  it("ignores a reference whose check digits fail and falls through to the text", () => {
    const broken = `RF${String(((Number(rf.slice(2, 4)) + 1) % 97) + 2).padStart(2, "0")}${rf.slice(4)}`;
    expect(standInDecodeReference(broken)).toBeNull();
    const alone = matcherOf().propose(credit(125_000n, { reference: broken }));
    expect(alone.rule).toBe("none");
    const withNumber = matcherOf().propose(
      credit(125_000n, { reference: broken, remittance: "INV-0001234" }),
    );
    expect(withNumber).toMatchObject({
      rule: "invoice-number",
      allocations: [{ invoiceId: "1234" }],
    });
    expect(withNumber.reason).toMatch(/check digits are wrong/);
  });

  describe("per customer", () => {
    const customerRf = standInRfReference("C1");

    it("pays the invoice whose open amount equals the payment", () => {
      const proposal = matcherOf().propose(credit(40_000n, { reference: customerRf }));
      expect(proposal).toMatchObject({
        rule: "reference",
        customerId: "C1",
        allocations: [{ invoiceId: "1235", minor: 40_000n }],
      });
      expect(appliesAutomatically(proposal)).toBe(true);
    });

    it("pays the oldest invoices first (by due date) when none equals the payment, and says so", () => {
      const proposal = matcherOf().propose(credit(170_000n, { reference: customerRf }));
      expect(proposal.allocations).toEqual([
        { invoiceId: "1235", minor: 40_000n },
        { invoiceId: "1234", minor: 125_000n },
        { invoiceId: "1236", minor: 5_000n },
      ]);
      expect(proposal.reason).toMatch(/oldest first \(INV-0001235, INV-0001234, INV-0001236\)/);
      expect(appliesAutomatically(proposal)).toBe(true);
    });

    it("breaks a due-date tie by invoice number", () => {
      const matcher = matcherOf([
        invoice("9", "C1", 100n, "2026-01-01"),
        invoice("8", "C1", 100n, "2026-01-01"),
      ]);
      expect(
        matcher
          .propose(credit(150n, { reference: customerRf }))
          .allocations.map((a) => a.invoiceId),
      ).toEqual(["8", "9"]);
    });

    it("keeps everything as credit, for review, when the customer owes nothing in that currency", () => {
      const proposal = matcherOf().propose(
        credit(10_000n, { reference: customerRf, currency: "EUR" }),
      );
      expect(proposal).toMatchObject({ allocations: [], creditMinor: 10_000n, customerId: "C1" });
      expect(appliesAutomatically(proposal)).toBe(false);
    });
  });
});

describe("rule 2: invoice numbers in the text", () => {
  it.each([
    "INV-0001234",
    "inv-0001234",
    "INV 0001234",
    "Faktura INV0001234",
    "Betalning faktura 0001234",
    "INV-1234",
    "INV - 0001234 tack",
    "INV-0001234 15.03.2026",
  ])("finds %j and applies it when the amount is exactly what is open", (remittance) => {
    const proposal = matcherOf().propose(credit(125_000n, { remittance }));
    expect(proposal).toMatchObject({
      rule: "invoice-number",
      allocations: [{ invoiceId: "1234", minor: 125_000n }],
    });
    expect(appliesAutomatically(proposal)).toBe(true);
  });

  it.each([
    "1234",
    "2026-03-15",
    "order 12 34",
    "paid 1.234.567,00",
    "1234567.00 kr",
    "15.03.2026,",
    "20260315",
  ])("does not read %j as an invoice number (too short, a date or an amount)", (remittance) => {
    const ledger = [
      ...INVOICES,
      invoice("20260315", "C1", 5n),
      invoice("1234567", "C1", 7n),
      invoice("123456700", "C1", 7n),
      invoice("32026", "C1", 7n),
      invoice("15032026", "C1", 7n),
    ];
    expect(matcherOf(ledger).propose(credit(125_000n, { remittance })).rule).not.toBe(
      "invoice-number",
    );
  });

  it("pays several invoices of one customer when the amount is their open total", () => {
    const proposal = matcherOf().propose(
      credit(165_000n, { remittance: "INV-0001234, INV-0001235" }),
    );
    expect(proposal.allocations).toEqual([
      { invoiceId: "1235", minor: 40_000n },
      { invoiceId: "1234", minor: 125_000n },
    ]);
    expect(appliesAutomatically(proposal)).toBe(true);
  });

  it("proposes a partial payment of the quoted invoices for review", () => {
    const proposal = matcherOf().propose(credit(50_000n, { remittance: "INV-0001234/0001235" }));
    expect(proposal.allocations).toEqual([
      { invoiceId: "1235", minor: 40_000n },
      { invoiceId: "1234", minor: 10_000n },
    ]);
    expect(appliesAutomatically(proposal)).toBe(false);
  });

  it("proposes an over-payment with the rest as credit, for review", () => {
    const proposal = matcherOf().propose(credit(130_000n, { remittance: "INV-0001234" }));
    expect(proposal).toMatchObject({
      allocations: [{ invoiceId: "1234", minor: 125_000n }],
      creditMinor: 5_000n,
    });
    expect(appliesAutomatically(proposal)).toBe(false);
  });

  it("pays the invoice quoted even when another customer pays it", () => {
    const proposal = matcherOf().propose(
      credit(99_00n, {
        currency: "EUR",
        remittance: "Fattura INV-0002001",
        counterpartyName: "Harrow Joinery Ltd",
      }),
    );
    expect(proposal).toMatchObject({ customerId: "C2", allocations: [{ invoiceId: "2001" }] });
    expect(appliesAutomatically(proposal)).toBe(true);
  });

  it("does not guess between two invoices whose numbers normalise alike", () => {
    const ledger = [...INVOICES, invoice("77", "C3", 125_000n, "2026-01-01", "SEK", "INV0001234")];
    const proposal = matcherOf(ledger).propose(credit(125_000n, { remittance: "INV-0001234" }));
    expect(proposal.allocations).toEqual([]);
    expect(appliesAutomatically(proposal)).toBe(false);
    expect(proposal.reason).toMatch(/fits 2 invoices \(INV-0001234, INV0001234\)/);
  });

  it("lets the amount suggest one of two look-alike numbers, but only for review", () => {
    const ledger = [...INVOICES, invoice("77", "C3", 7_700n, "2026-01-01", "SEK", "INV0001234")];
    const proposal = matcherOf(ledger).propose(
      credit(125_000n, { remittance: "INV-0001234", counterpartyName: "Norrsken Bygg AB" }),
    );
    expect(proposal.allocations).toEqual([{ invoiceId: "1234", minor: 125_000n }]);
    expect(appliesAutomatically(proposal, 50)).toBe(false);
    expect(proposal.reason).toMatch(/fits 2 invoices/);
  });

  it("does not pay invoices of two customers from one line", () => {
    const proposal = matcherOf().propose(
      credit(105_00n, { currency: "USD", remittance: "INV-0004001 INV-0005001" }),
    );
    expect(appliesAutomatically(proposal)).toBe(false);
  });

  it("does not pay a quoted invoice in another currency", () => {
    const proposal = matcherOf().propose(
      credit(99_00n, { currency: "SEK", remittance: "INV-0002001" }),
    );
    expect(proposal).toMatchObject({ rule: "invoice-number", allocations: [] });
    expect(appliesAutomatically(proposal)).toBe(false);
  });
});

describe("rule 3: amount and customer", () => {
  it("finds the payer by account and the one invoice of that amount, for review", () => {
    const proposal = matcherOf().propose(
      credit(40_000n, { counterpartyAccount: "SE4550000000058398257466" }),
    );
    expect(proposal).toMatchObject({
      rule: "amount-and-customer",
      allocations: [{ invoiceId: "1235" }],
      customerId: "C1",
    });
    expect(appliesAutomatically(proposal)).toBe(false);
    expect(appliesAutomatically(proposal, 80)).toBe(true);
  });

  it.each(["NORRSKEN BYGG AB", "Norrsken Bygg", "norrsken bygg aktiebolag", "Norrsken Bygg AB."])(
    "finds the payer by a name variant: %j",
    (counterpartyName) => {
      expect(matcherOf().propose(credit(40_000n, { counterpartyName })).allocations).toEqual([
        { invoiceId: "1235", minor: 40_000n },
      ]);
    },
  );

  it("finds the one customer a truncated name can be", () => {
    const proposal = matcherOf().propose(credit(8_000n, { counterpartyName: "ALVDALS TRA I UME" }));
    expect(proposal).toMatchObject({ customerId: "C6", allocations: [{ invoiceId: "6001" }] });
  });

  it("does not choose between two customers with the same name", () => {
    const proposal = matcherOf().propose(
      credit(300_00n, { currency: "USD", counterpartyName: "Blue Ridge Supply Inc." }),
    );
    expect(proposal).toMatchObject({ rule: "none", confidence: 0, allocations: [] });
    expect(proposal.reason).toMatch(/2 customers are called/);
  });

  it("does not choose between two open invoices of the same amount", () => {
    const proposal = matcherOf().propose(
      credit(700_00n, { currency: "GBP", counterpartyName: "Harrow Joinery Limited" }),
    );
    expect(proposal.allocations).toEqual([]);
    expect(proposal.reason).toMatch(/2 invoices open for exactly 700.00 GBP/);
  });

  it("finds the one combination of open invoices that adds up to the amount", () => {
    const proposal = matcherOf().propose(
      credit(135_000n, { counterpartyName: "Norrsken Bygg AB" }),
    );
    expect(proposal).toMatchObject({
      rule: "amount-and-customer",
      allocations: [
        { invoiceId: "1234", minor: 125_000n },
        { invoiceId: "1236", minor: 10_000n },
      ],
    });
  });

  it("goes to review when two combinations fit", () => {
    const ledger = [
      invoice("1", "C1", 100n),
      invoice("2", "C1", 200n),
      invoice("3", "C1", 300n),
      invoice("4", "C1", 400n),
    ];
    const proposal = matcherOf(ledger).propose(
      credit(500n, { counterpartyName: "Norrsken Bygg AB" }),
    );
    expect(proposal).toMatchObject({ rule: "none", allocations: [] });
    expect(proposal.reason).toMatch(/several combinations/);
  });

  it("does not try combinations over more invoices than the bound", () => {
    const many = Array.from({ length: MAX_INVOICES_FOR_COMBINATIONS + 1 }, (_, at) =>
      invoice(String(at + 1), "C1", BigInt(2 ** at)),
    );
    const proposal = matcherOf(many).propose(credit(3n, { counterpartyName: "Norrsken Bygg AB" }));
    expect(proposal.allocations).toEqual([]);
    expect(proposal.reason).toMatch(/too many to try combinations/);
  });

  it("stays bounded on a customer with many invoices that nearly fit", () => {
    const many = Array.from({ length: MAX_INVOICES_FOR_COMBINATIONS }, (_, at) =>
      invoice(String(at + 1), "C1", 1_000n + BigInt(at)),
    );
    const started = performance.now();
    const proposal = matcherOf(many).propose(
      credit(9_999n, { counterpartyName: "Norrsken Bygg AB" }),
    );
    expect(performance.now() - started).toBeLessThan(500);
    expect(proposal.allocations).toEqual([]);
  });

  it("sends payments from strangers to review", () => {
    const proposal = matcherOf().propose(
      credit(125_000n, { counterpartyName: "Acme Holdings", remittance: "Refund" }),
    );
    expect(proposal).toMatchObject({
      rule: "none",
      confidence: 0,
      customerId: null,
      allocations: [],
      creditMinor: 125_000n,
    });
  });
});

describe("apply", () => {
  it("stops a second line from taking the balance the first one paid", () => {
    const matcher = matcherOf();
    const first = matcher.propose(credit(125_000n, { remittance: "INV-0001234" }));
    matcher.apply(first);
    const second = matcher.propose(credit(125_000n, { remittance: "INV-0001234" }));
    expect(second.allocations).toEqual([]);
    expect(second.reason).toMatch(/already paid/);
    expect(appliesAutomatically(second)).toBe(false);
  });

  it("refuses a proposal made before another took the same balance, and changes nothing", () => {
    const matcher = matcherOf();
    const early = matcher.propose(credit(125_000n, { remittance: "INV-0001234" }));
    const late = matcher.propose(credit(125_000n, { reference: standInRfReference("INV0001234") }));
    matcher.apply(early);
    expect(() => matcher.apply(late)).toThrow(/0.00 SEK open/);
    expect(
      matcher.propose(credit(40_000n, { remittance: "INV-0001235" })).allocations,
    ).toHaveLength(1);
  });

  it("leaves the rest of a partly paid invoice to be found by its new open amount", () => {
    const matcher = matcherOf();
    matcher.apply(
      matcher.propose(credit(100_000n, { reference: standInRfReference("INV0001234") })),
    );
    const rest = matcher.propose(credit(25_000n, { counterpartyName: "Norrsken Bygg AB" }));
    expect(rest.allocations).toEqual([{ invoiceId: "1234", minor: 25_000n }]);
  });

  it("moves a per-customer payment on to the next oldest invoice once the oldest is paid", () => {
    const matcher = matcherOf();
    matcher.apply(matcher.propose(credit(40_000n, { remittance: "INV-0001235" })));
    const next = matcher.propose(credit(1_000n, { reference: standInRfReference("C1") }));
    expect(next.allocations).toEqual([{ invoiceId: "1234", minor: 1_000n }]);
  });

  it("applies a proposal made by hand (from the review queue)", () => {
    const matcher = matcherOf();
    matcher.apply({
      key: "manual",
      rule: "none",
      confidence: 0,
      customerId: "C3",
      allocations: [{ invoiceId: "3002", minor: 700_00n }],
      creditMinor: 0n,
      reason: "chosen by a person",
    });
    const proposal = matcher.propose(
      credit(700_00n, { currency: "GBP", counterpartyName: "Harrow Joinery Ltd" }),
    );
    expect(proposal.allocations).toEqual([{ invoiceId: "3001", minor: 700_00n }]);
  });
});

describe("normaliseCompanyName", () => {
  it.each([
    ["Lombardi Tessuti S.r.l.", "lombardi tessuti"],
    ["LOMBARDI TESSUTI SRL", "lombardi tessuti"],
    ["Blue Ridge Supply, Inc.", "blue ridge supply"],
    ["Älvdal AB (publ)", "alvdal"],
    ["The Harrow Joinery Co. Ltd", "harrow joinery"],
    ["Smith & Sons GmbH", "smith and sons"],
    ["AB", "ab"],
  ])("%j → %j", (name, expected) => {
    expect(normaliseCompanyName(name)).toBe(expected);
  });
});
