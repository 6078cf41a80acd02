import { describe, expect, it } from "vitest";
import {
  evaluate,
  generateLabelledSet,
  type LabelledSet,
  NOISE_CATEGORIES,
  type NoiseCategory,
  standInDecodeReference,
  standInOcrReference,
  standInRfReference,
} from "./labelled-credits.js";
import { defaultNormaliseNumber, PaymentMatcher } from "./matching.js";

const matcherFor = (set: LabelledSet) =>
  new PaymentMatcher(set.invoices(), set.customers(), {
    decodeReference: standInDecodeReference,
    normaliseNumber: defaultNormaliseNumber,
  });

describe("stand-in references", () => {
  it("makes and checks the ISO 11649 example RF18 5390 0754 7034", () => {
    expect(standInRfReference("539007547034")).toBe("RF18539007547034");
    expect(standInDecodeReference("RF18 5390 0754 7034")).toEqual({
      kind: "rf",
      base: "539007547034",
    });
    expect(standInDecodeReference("RF19539007547034")).toBeNull();
  });

  it("makes and checks Luhn references (7992739871 → check digit 3)", () => {
    expect(standInOcrReference("7992739871")).toBe("79927398713");
    expect(standInDecodeReference("79927398713")).toEqual({ kind: "ocr", base: "7992739871" });
    expect(standInDecodeReference("79927398714")).toBeNull();
  });
});

describe("the labelled set", () => {
  const set = generateLabelledSet({ seed: 7, customers: 4_000, credits: 5_000 });

  it("is the same for the same seed and differs for another", () => {
    const again = generateLabelledSet({ seed: 7, customers: 4_000, credits: 5_000 });
    const other = generateLabelledSet({ seed: 8, customers: 4_000, credits: 5_000 });
    const sample = (s: LabelledSet) =>
      s.credits.slice(0, 200).map((c) => [c.category, c.credit.amountMinor, c.credit.remittance]);
    expect(sample(again)).toEqual(sample(set));
    expect(sample(other)).not.toEqual(sample(set));
    expect([...again.invoices()].slice(0, 50)).toEqual([...set.invoices()].slice(0, 50));
  });

  it("covers every kind of noise, with labels that never allocate more than came", () => {
    const seen = new Set<NoiseCategory>(set.credits.map((c) => c.category));
    expect([...seen].sort()).toEqual([...NOISE_CATEGORIES].sort());
    const invoiceIds = new Set([...set.invoices()].map((invoice) => invoice.id));
    for (const { credit, label } of set.credits) {
      if (label.kind !== "allocate") continue;
      const total = label.allocations.reduce((sum, allocation) => sum + allocation.minor, 0n);
      expect(total).toBeLessThanOrEqual(credit.amountMinor);
      for (const allocation of label.allocations)
        expect(invoiceIds.has(allocation.invoiceId)).toBe(true);
    }
  });

  it("has realistic company names from four countries, a few of them shared", () => {
    const names = [...set.customers()].map((customer) => customer.name);
    expect(names.some((name) => / AB$/.test(name))).toBe(true);
    expect(names.some((name) => /S\.r\.l\.$/.test(name))).toBe(true);
    expect(names.some((name) => /Ltd$/.test(name))).toBe(true);
    expect(names.some((name) => /Inc\.$/.test(name))).toBe(true);
    const distinct = new Set(names).size;
    expect(distinct).toBeLessThan(names.length);
    expect(distinct).toBeGreaterThan(names.length * 0.85);
  });
});

describe("match quality on 5,000 labelled credits", () => {
  const set = generateLabelledSet({ seed: 2026, customers: 4_000, credits: 5_000 });
  const result = evaluate(matcherFor(set), set.credits);

  it("is almost never wrong when it applies a match by itself", () => {
    expect(result.precision).toBeGreaterThanOrEqual(0.995);
  });

  // Measured 64.8 % (and 64.6 % on 100,000 credits): about a third of the set is, by design,
  // for review (amount and payer only, partial payments by text, typos, strangers, …).
  it("applies at least three in five credits that have a right allocation", () => {
    expect(result.recall).toBeGreaterThanOrEqual(0.6);
  });

  it("applies every valid structured reference and every exact invoice number by itself", () => {
    for (const category of [
      "rf-reference",
      "ocr-reference",
      "customer-reference",
      "number-in-text",
      "several-invoices",
    ] as const) {
      const figures = result.byCategory[category];
      expect(figures.autoCorrect / figures.credits, category).toBeGreaterThanOrEqual(0.99);
    }
  });

  it("sends strangers, other currencies and look-alike numbers to review", () => {
    for (const category of ["unknown-payer", "wrong-currency", "look-alike-numbers"] as const) {
      expect(result.byCategory[category].autoApplied, category).toBe(0);
      expect(result.byCategory[category].credits, category).toBeGreaterThan(0);
    }
  });

  it("counts wrong matches: applying everything it proposes costs precision", () => {
    const reckless = evaluate(matcherFor(set), set.credits, 1);
    expect(reckless.autoApplied).toBeGreaterThan(result.autoApplied);
    expect(reckless.precision).toBeLessThan(result.precision);
    expect(reckless.wrong.length).toBeGreaterThan(0);
  });
});
