import { describe, expect, it } from "vitest";
import { calendarDate } from "../../kernel/calendar-date.js";
import { OverdueError } from "../../kernel/errors.js";
import { currency, formatAmount } from "../../kernel/money.js";
import { loadLatePaymentRules } from "../load-late-payment-rules.js";
import {
  type DebtorKind,
  formatPercent,
  type JurisdictionRules,
  type LatePaymentRules,
  parsePercent,
} from "./late-payment-rules.js";
import { roundHalfUp, statutoryInterest } from "./statutory-interest.js";

// The vectors run on the shipped rules/ files, so they also check the data.
const shipped: LatePaymentRules = await loadLatePaymentRules();

function rulesOf(code: string): JurisdictionRules {
  const rules = shipped.jurisdictions.get(code);
  if (!rules) throw new Error(`no rules for ${code}`);
  return rules;
}

/** Runs one case; amounts in and out as decimal strings, as a reviewer reads them. */
function compute(
  code: string,
  amount: string,
  currencyCode: string,
  from: string,
  until: string,
  options: { debtor?: DebtorKind; contractDate?: string } = {},
) {
  const cur = currency(currencyCode);
  const [whole = "0", fraction = ""] = amount.split(".");
  const result = statutoryInterest({
    rules: rulesOf(code),
    tables: shipped.tables,
    principal: { minor: BigInt(whole + fraction.padEnd(cur.digits, "0")), currency: cur },
    from: calendarDate(from),
    until: calendarDate(until),
    debtor: options.debtor ?? "business",
    ...(options.contractDate ? { contractDate: calendarDate(options.contractDate) } : {}),
  });
  return {
    total: formatAmount(result.totalInterestMinor, cur),
    compensation: formatAmount(result.fixedCompensationMinor, cur),
    segments: result.segments.map((s) => ({
      from: s.from,
      to: s.to,
      days: s.days,
      rate: formatPercent(s.ratePpm),
      interest: formatAmount(s.interestMinor, cur),
    })),
    notes: result.notes,
  };
}

function refusal(run: () => unknown): OverdueError {
  try {
    run();
  } catch (error) {
    if (error instanceof OverdueError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("statutoryInterest: per-half-year reset (EU, IT, SE)", () => {
  it("EU: splits at 1 Jul 2024, 12.50 % then 12.25 % (ECB 4.50 on 1 Jan, 4.25 on 1 Jul, + 8)", () => {
    // EUR 10,000.00, 2024-06-01 … 2024-09-30:
    //   30 days × 10,000 × 12.50 % / 365 = 102.7397… → 102.74
    //   92 days × 10,000 × 12.25 % / 365 = 308.7671… → 308.77
    //   total 411.5068… → 411.51; EUR 40 (Directive 2011/7/EU Art. 6(1))
    expect(compute("EU", "10000.00", "EUR", "2024-06-01", "2024-09-30")).toMatchObject({
      total: "411.51",
      compensation: "40.00",
      segments: [
        { from: "2024-06-01", to: "2024-06-30", days: 30, rate: "12.50", interest: "102.74" },
        { from: "2024-07-01", to: "2024-09-30", days: 92, rate: "12.25", interest: "308.77" },
      ],
    });
  });

  it("IT: the same Gazzetta Ufficiale rates, over the whole leap year 2024 (182 + 184 days)", () => {
    // EUR 1,000.00, 2024-01-01 … 2024-12-31 (GU 16-01-2024: 12.50; GU 29-07-2024: 12.25):
    //   182 × 1,000 × 12.50 % / 365 = 62.3287… → 62.33
    //   184 × 1,000 × 12.25 % / 365 = 61.7534… → 61.75
    //   total 124.0821… → 124.08
    expect(compute("IT", "1000.00", "EUR", "2024-01-01", "2024-12-31")).toMatchObject({
      total: "124.08",
      compensation: "40.00",
      segments: [
        { days: 182, rate: "12.50", interest: "62.33" },
        { days: 184, rate: "12.25", interest: "61.75" },
      ],
    });
  });

  it("ACT/365F: a period holding 29 Feb 2024 counts that day and still divides by 365", () => {
    // EUR 10,000.00, 2024-02-01 … 2024-03-31 = 29 + 31 = 60 days at 12.50 %:
    //   60 × 10,000 × 12.50 % / 365 = 205.4794… → 205.48
    const result = compute("EU", "10000.00", "EUR", "2024-02-01", "2024-03-31");
    expect(result.segments).toEqual([
      { from: "2024-02-01", to: "2024-03-31", days: 60, rate: "12.50", interest: "205.48" },
    ]);
    expect(result.total).toBe("205.48");
  });

  it("SE: 10.50 % in 2023 H1, 11.50 % in 2023 H2 (referensränta 2.50 → 3.50, + 8)", () => {
    // SEK 10,000.00, 2023-06-01 … 2023-07-31:
    //   30 × 10,000 × 10.50 % / 365 = 86.3013… → 86.30
    //   31 × 10,000 × 11.50 % / 365 = 97.6712… → 97.67
    //   total 183.9726… → 183.97; 450 kr förseningsersättning (lag 1981:739 4 a §)
    expect(compute("SE", "10000.00", "SEK", "2023-06-01", "2023-07-31")).toMatchObject({
      total: "183.97",
      compensation: "450.00",
      segments: [
        { from: "2023-06-01", to: "2023-06-30", days: 30, rate: "10.50", interest: "86.30" },
        { from: "2023-07-01", to: "2023-07-31", days: 31, rate: "11.50", interest: "97.67" },
      ],
    });
  });

  it("SE: reproduces Lawline's Kronofogden result, 6,780 kr 2021-01-01 … 2021-04-20 → 163 kr", () => {
    // https://lawline.se/answers/berakning-av-drojsmalsranta-3: 6,780 kr at 8 % (referensränta
    // 0.00 in 2021 H1), Kronofogden's calculator: interest 163 kr (whole kronor).
    //   31 + 28 + 31 + 20 = 110 days, both ends included:
    //   110 × 6,780 × 8 % / 365 = 163.4630… → 163.46 (163 in whole kronor; 109 days gives 161.98)
    const result = compute("SE", "6780.00", "SEK", "2021-01-01", "2021-04-20");
    expect(result.total).toBe("163.46");
    expect(result.segments).toEqual([
      { from: "2021-01-01", to: "2021-04-20", days: 110, rate: "8.00", interest: "163.46" },
    ]);
  });

  it("IT legacy margin: reproduces the pavonecostruzioni.it worked example (ECB + 7, 161.26)", () => {
    // http://www.pavonecostruzioni.it/joomla/index.php/news/108-esempio-calcolo-interesse-mora.html
    // EUR 1,000.00 from 01/01/2010 (the deadline; interest from the next day) to 01/01/2012,
    // pre-2013 contract so ECB + 7. ECB in force on 1 Jan 2010, 1 Jul 2010, 1 Jan 2011: 1.00;
    // on 1 Jul 2011: 1.25 (raised to 1.50 only on 13 Jul); on 1 Jan 2012: 1.00 (§7.1).
    //   180 × 1,000 × 8.00 % / 365 = 39.4520… → 39.45
    //   184 × 1,000 × 8.00 % / 365 = 40.3287… → 40.33
    //   181 × 1,000 × 8.00 % / 365 = 39.6712… → 39.67
    //   184 × 1,000 × 8.25 % / 365 = 41.5890… → 41.59
    //     1 × 1,000 × 8.00 % / 365 =  0.2191… →  0.22
    //   total 58,860 / 365 = 161.2602… → 161.26 (the page's TOT € 161.26)
    const result = compute("IT", "1000.00", "EUR", "2010-01-02", "2012-01-01", {
      contractDate: "2009-06-15",
    });
    expect(result.total).toBe("161.26");
    expect(result.segments.map((s) => [s.days, s.rate, s.interest])).toEqual([
      [180, "8.00", "39.45"],
      [184, "8.00", "40.33"],
      [181, "8.00", "39.67"],
      [184, "8.25", "41.59"],
      [1, "8.00", "0.22"],
    ]);
  });

  it("IT: margin 7 for a contract of 2012-12-31, 8 from 2013-01-01, 8 (with a note) when unknown", () => {
    // EUR 10,000.00, 2024-07-01 … 2024-07-31, 31 days, ECB 4.25 on 1 Jul 2024:
    //   legacy 11.25 %: 31 × 10,000 × 11.25 % / 365 = 95.5479… → 95.55
    //   current 12.25 %: 31 × 10,000 × 12.25 % / 365 = 104.0410… → 104.04
    const period = ["10000.00", "EUR", "2024-07-01", "2024-07-31"] as const;
    const legacy = compute("IT", ...period, { contractDate: "2012-12-31" });
    expect(legacy.segments[0]?.rate).toBe("11.25");
    expect(legacy.total).toBe("95.55");
    const current = compute("IT", ...period, { contractDate: "2013-01-01" });
    expect(current.segments[0]?.rate).toBe("12.25");
    expect(current.total).toBe("104.04");
    const unknown = compute("IT", ...period);
    expect(unknown.total).toBe("104.04");
    expect(unknown.notes.join(" ")).toMatch(/No contract date given/);
  });
});

describe("statutoryInterest: UK fixed at the start (SI 2002/1675 art. 4)", () => {
  it("interest starting in 2023 H2 keeps 13.00 % into 2024 (no reset at 1 Jan)", () => {
    // GBP 5,000.00 from 2023-08-01: Bank Rate on 30 Jun 2023 = 5.00 → 13.00 % for the debt.
    // 2023-08-01 … 2024-03-31 = 153 + 91 = 244 days (29 Feb included):
    //   244 × 5,000 × 13.00 % / 365 = 434.5205… → 434.52; £70 (≥ £1,000, < £10,000)
    const result = compute("UK", "5000.00", "GBP", "2023-08-01", "2024-03-31");
    expect(result.segments).toEqual([
      { from: "2023-08-01", to: "2024-03-31", days: 244, rate: "13.00", interest: "434.52" },
    ]);
    expect(result.total).toBe("434.52");
    expect(result.compensation).toBe("70.00");
    expect(result.notes.join(" ")).toMatch(/2023-07-01 – 2023-12-31/);
  });

  it("a whole leap year is 366/365 of the annual rate (ACT/365F)", () => {
    // GBP 1,000.00 from 2024-01-01 (Bank Rate 31 Dec 2023 = 5.25 → 13.25 %) to 2024-12-31:
    //   366 × 1,000 × 13.25 % / 365 = 132.8630… → 132.86 (not 132.50)
    expect(compute("UK", "1000.00", "GBP", "2024-01-01", "2024-12-31").total).toBe("132.86");
  });

  it("never rounds the daily interest: £5,000 for 101 days at 12.25 % is 169.49", () => {
    // Paidnice's manual example (support.paidnice.com, "How to automatically calculate
    // Statutory Interest in the UK"): £5,000 × 12.25 % / 365 rounded to £1.68 a day × 101 days
    // = £169.68. Exactly: 101 × 5,000 × 12.25 % / 365 = 169.4863… → 169.49. Interest starting
    // 2025-07-01 takes Bank Rate on 30 Jun 2025 = 4.25 → 12.25 %; 2025-07-01 … 2025-10-09 = 101 days.
    expect(compute("UK", "5000.00", "GBP", "2025-07-01", "2025-10-09")).toMatchObject({
      total: "169.49",
      segments: [{ days: 101, rate: "12.25" }],
    });
  });

  it("a period running past the last known half-year is fine: only the start counts", () => {
    expect(compute("UK", "1000.00", "GBP", "2026-06-30", "2026-07-01").segments).toEqual([
      { from: "2026-06-30", to: "2026-07-01", days: 2, rate: "11.75", interest: "0.64" },
    ]);
  });

  it.each([
    ["999.99", "40.00"],
    ["1000.00", "70.00"],
    ["9999.99", "70.00"],
    ["10000.00", "100.00"],
  ])(
    "fixed sum for a debt of £%s is £%s (s. 5A(2): < 1,000 → 40; < 10,000 → 70; else 100)",
    (amount, sum) => {
      expect(compute("UK", amount, "GBP", "2024-02-01", "2024-02-29").compensation).toBe(sum);
    },
  );
});

describe("statutoryInterest: rounding once, half-up (§6)", () => {
  it("rounds the exact total, not the sum of rounded segments", () => {
    // EUR 1,000.10, 2024-06-01 … 2024-09-30, in cents:
    //   30 × 100,010 × 12.50 % / 365 = 1,027.5 exactly   → segment 10.28 (half-up)
    //   92 × 100,010 × 12.25 % / 365 = 3,087.98…         → segment 30.88
    //   exact total 4,115.48… cents → 41.15; rounding segments first would give 41.16
    const result = compute("EU", "1000.10", "EUR", "2024-06-01", "2024-09-30");
    expect(result.segments.map((s) => s.interest)).toEqual(["10.28", "30.88"]);
    expect(result.total).toBe("41.15");
    expect(result.notes.join(" ")).toMatch(/segments add up to 41\.16/);
  });

  it("roundHalfUp: halves go up, below half goes down, exact stays", () => {
    expect(roundHalfUp(5n, 2n)).toBe(3n);
    expect(roundHalfUp(7n, 3n)).toBe(2n);
    expect(roundHalfUp(8n, 3n)).toBe(3n);
    expect(roundHalfUp(6n, 3n)).toBe(2n);
    expect(roundHalfUp(-5n, 2n)).toBe(-3n);
  });

  it("percentages go in and out exactly, in hundredths of a basis point", () => {
    expect(parsePercent("12.25")).toEqual({ ok: true, value: 122_500n });
    expect(parsePercent("-0.50")).toEqual({ ok: true, value: -5_000n });
    expect(parsePercent("8.1234")).toEqual({ ok: true, value: 81_234n });
    expect(parsePercent("8.12345").ok).toBe(false);
    expect(parsePercent("8,25").ok).toBe(false);
    expect(formatPercent(122_500n)).toBe("12.25");
    expect(formatPercent(80_000n)).toBe("8.00");
    expect(formatPercent(81_250n)).toBe("8.125");
    expect(formatPercent(-5_000n)).toBe("-0.50");
  });
});

describe("statutoryInterest: refusals, never a guess", () => {
  it("SE: no referensränta after 2024-06-30", () => {
    const error = refusal(() => compute("SE", "1000.00", "SEK", "2024-06-15", "2024-07-15"));
    expect(error.code).toBe("no_reference_rate");
    expect(error.message).toBe(
      "no SE reference rate known for 2024-07-01 – 2024-12-31; add it to rules/reference-rates.json (table SE_REFERENSRANTA)",
    );
  });

  it("SE: nor before the table starts (2018 H2)", () => {
    const error = refusal(() => compute("SE", "1000.00", "SEK", "2018-06-01", "2018-07-15"));
    expect(error.message).toMatch(/^no SE reference rate known for 2018-01-01 – 2018-06-30;/);
  });

  it("EU: 2026 H2 is not known yet", () => {
    const error = refusal(() => compute("EU", "1000.00", "EUR", "2026-06-01", "2026-07-01"));
    expect(error.code).toBe("no_reference_rate");
    expect(error.message).toMatch(/^no EU reference rate known for 2026-07-01 – 2026-12-31;/);
  });

  it("UK: interest starting in 2026 H2", () => {
    const error = refusal(() => compute("UK", "1000.00", "GBP", "2026-07-01", "2026-07-31"));
    expect(error.message).toMatch(/^no UK reference rate known for 2026-07-01 – 2026-12-31;/);
  });

  it.each([
    ["EU", "SEK"],
    ["IT", "USD"],
    ["SE", "EUR"],
    ["UK", "EUR"],
  ])("%s refuses a %s principal", (code, cur) => {
    const error = refusal(() => compute(code, "1000.00", cur, "2024-02-01", "2024-02-29"));
    expect(error.code).toBe("wrong_currency");
    expect(error.message).toMatch(new RegExp(`^${code} statutory interest .*; got ${cur}$`));
  });

  it("refuses an empty period and a principal that is not positive", () => {
    expect(refusal(() => compute("EU", "1.00", "EUR", "2024-03-02", "2024-03-01")).code).toBe(
      "invalid_period",
    );
    expect(refusal(() => compute("EU", "0.00", "EUR", "2024-03-01", "2024-03-01")).code).toBe(
      "invalid_principal",
    );
  });
});

describe("statutoryInterest: consumers", () => {
  it.each([
    ["EU", "EUR", /Directive covers commercial transactions only/],
    ["UK", "GBP", /both parties act in the course of business/],
  ])("%s: nothing for a consumer, with the reason", (code, cur, reason) => {
    const result = compute(code, "5000.00", cur, "2024-02-01", "2024-05-31", {
      debtor: "consumer",
    });
    expect(result).toMatchObject({ total: "0.00", compensation: "0.00", segments: [] });
    expect(result.notes.join(" ")).toMatch(reason);
  });

  it("SE: räntelagen gives a consumer interest, but no 450 kr", () => {
    // Same days as the SE business case above: 183.97 interest, 0.00 compensation.
    const result = compute("SE", "10000.00", "SEK", "2023-06-01", "2023-07-31", {
      debtor: "consumer",
    });
    expect(result.total).toBe("183.97");
    expect(result.compensation).toBe("0.00");
    expect(result.notes.join(" ")).toMatch(/No förseningsersättning/);
  });

  it("IT: the civil-code legal rate is not shipped, so a consumer case is refused", () => {
    const error = refusal(() =>
      compute("IT", "1000.00", "EUR", "2024-02-01", "2024-02-29", { debtor: "consumer" }),
    );
    expect(error.code).toBe("unsupported_debtor");
    expect(error.message).toMatch(/art\. 1284 c\.c\./);
  });
});
