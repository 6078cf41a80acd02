import { describe, expect, it } from "vitest";
import { calendarDate } from "../../kernel/calendar-date.js";
import { currency, formatAmount } from "../../kernel/money.js";
import { loadLatePaymentRules } from "../load-late-payment-rules.js";
import { lateCharges } from "./late-charges.js";
import type { DebtorKind } from "./late-payment-rules.js";

const shipped = await loadLatePaymentRules();

function charges(
  code: string,
  openMinor: bigint,
  currencyCode: string,
  dueDate: string,
  asOf: string,
  debtor: DebtorKind,
  reminderFeeAgreedAtOrigin = false,
) {
  const rules = shipped.jurisdictions.get(code);
  if (!rules) throw new Error(`no rules for ${code}`);
  const cur = currency(currencyCode);
  return lateCharges({
    rules,
    tables: shipped.tables,
    invoice: { open: { minor: openMinor, currency: cur }, dueDate: calendarDate(dueDate) },
    asOf: calendarDate(asOf),
    debtor,
    reminderFeeAgreedAtOrigin,
  }).map((line) => ({
    kind: line.kind,
    amount: formatAmount(line.amount.minor, line.amount.currency),
    basis: line.basis,
  }));
}

describe("lateCharges", () => {
  it("adds nothing on or before the due date", () => {
    expect(charges("EU", 1_000_000n, "EUR", "2024-05-31", "2024-05-31", "business")).toEqual([]);
  });

  it("EU business: interest from the day after the due date to the as-of day, and EUR 40", () => {
    // Due 2024-05-31, as of 2024-09-30: the EU vector of statutory-interest.test.ts, 411.51.
    const lines = charges("EU", 1_000_000n, "EUR", "2024-05-31", "2024-09-30", "business");
    expect(lines.map((l) => [l.kind, l.amount])).toEqual([
      ["interest", "411.51"],
      ["fixed_compensation", "40.00"],
    ]);
    // Why, as data a letter words in the debtor's language: both half-years' rates, 122 days.
    expect(lines[0]?.basis).toEqual({
      cite: "Directive 2011/7/EU Art. 2(6)-(7), Art. 3(2)",
      rates: ["12.50", "12.25"],
      principal: { minor: 1_000_000n, currency: currency("EUR") },
      days: 122,
      from: "2024-06-01",
      until: "2024-09-30",
    });
    expect(lines[1]?.basis.cite).toMatch(/Art\. 6\(1\)/);
  });

  it("SE business: the 450 kr replaces an agreed reminder fee, never both", () => {
    // 10,000 kr due 2023-05-31, as of 2023-07-31: 183.97 (see the SE vector).
    const lines = charges("SE", 1_000_000n, "SEK", "2023-05-31", "2023-07-31", "business", true);
    expect(lines.map((l) => [l.kind, l.amount])).toEqual([
      ["interest", "183.97"],
      ["fixed_compensation", "450.00"],
    ]);
  });

  it("SE consumer: interest, and the 60 kr reminder fee only if agreed when the debt arose", () => {
    const agreed = charges("SE", 1_000_000n, "SEK", "2023-05-31", "2023-07-31", "consumer", true);
    expect(agreed.map((l) => [l.kind, l.amount])).toEqual([
      ["interest", "183.97"],
      ["reminder_fee", "60.00"],
    ]);
    expect(agreed[1]?.basis.cite).toMatch(/2 §, 4 §/);
    const notAgreed = charges("SE", 1_000_000n, "SEK", "2023-05-31", "2023-07-31", "consumer");
    expect(notAgreed.map((l) => l.kind)).toEqual(["interest"]);
  });

  it("EU and UK consumers: nothing to add", () => {
    expect(charges("EU", 1_000_000n, "EUR", "2024-05-31", "2024-09-30", "consumer")).toEqual([]);
    expect(charges("UK", 1_000_000n, "GBP", "2024-05-31", "2024-09-30", "consumer")).toEqual([]);
  });

  it("UK business: the band follows the open amount", () => {
    const lines = charges("UK", 99_999n, "GBP", "2024-01-31", "2024-02-29", "business");
    expect(lines.map((l) => l.kind)).toEqual(["interest", "fixed_compensation"]);
    expect(lines[1]?.amount).toBe("40.00");
  });
});
