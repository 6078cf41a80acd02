import { addDays, type CalendarDate } from "../../kernel/calendar-date.js";
import type { Money } from "../../kernel/money.js";
import {
  type DebtorKind,
  formatPercent,
  type JurisdictionRules,
  type ReferenceTables,
} from "./late-payment-rules.js";
import { statutoryInterest } from "./statutory-interest.js";

export type ChargeKind = "interest" | "fixed_compensation" | "reminder_fee";

/** A line to add to a letter or statement, with why, as data a message says in its language. */
export type ChargeLine = {
  readonly kind: ChargeKind;
  readonly amount: Money;
  readonly basis: ChargeBasis;
};

export type ChargeBasis = {
  readonly cite: string;
  /** Interest only: the yearly rates ("12.00"), the principal and the days it ran. */
  readonly rates?: readonly string[];
  readonly principal?: Money;
  readonly days?: number;
  readonly from?: CalendarDate;
  readonly until?: CalendarDate;
};

export type LateChargesInput = {
  readonly rules: JurisdictionRules;
  readonly tables: ReferenceTables;
  readonly invoice: { readonly open: Money; readonly dueDate: CalendarDate };
  readonly asOf: CalendarDate;
  readonly debtor: DebtorKind;
  /** SE: a påminnelseavgift is chargeable only if agreed no later than when the debt arose. */
  readonly reminderFeeAgreedAtOrigin: boolean;
  readonly contractDate?: CalendarDate;
};

/**
 * What the law lets a creditor add to an overdue invoice on `asOf`: interest from the day
 * after the due date to `asOf` inclusive (Directive 2011/7/EU Art. 3(3)(a); IT art. 4; UK
 * s. 4(2); SE-INT-03), the fixed compensation, and the SE reminder fee when agreed at origin
 * and no förseningsersättning is due (lag 1981:739 2 §; SE-FEE-05: never stacked). Nothing
 * before the due date has passed: fees cover only actions after it (SE-FEE-06). Throws like
 * `statutoryInterest` when a rate is unknown or the debtor's rule is not shipped.
 */
export function lateCharges(input: LateChargesInput): readonly ChargeLine[] {
  const { rules, invoice, asOf } = input;
  if (asOf <= invoice.dueDate || invoice.open.minor <= 0n) return [];
  const from = addDays(invoice.dueDate, 1);
  const result = statutoryInterest({
    rules,
    tables: input.tables,
    principal: invoice.open,
    from,
    until: asOf,
    debtor: input.debtor,
    ...(input.contractDate ? { contractDate: input.contractDate } : {}),
  });
  const currency = invoice.open.currency;
  const money = (minor: bigint): Money => ({ minor, currency });
  const lines: ChargeLine[] = [];

  if (result.totalInterestMinor > 0n) {
    const days = result.segments.reduce((sum, s) => sum + s.days, 0);
    lines.push({
      kind: "interest",
      amount: money(result.totalInterestMinor),
      basis: {
        cite: rules.interest.cite,
        rates: [...new Set(result.segments.map((s) => formatPercent(s.ratePpm)))],
        principal: invoice.open,
        days,
        from,
        until: asOf,
      },
    });
  }
  const compensation = rules.fixedCompensation;
  if (compensation && result.fixedCompensationMinor > 0n) {
    lines.push({
      kind: "fixed_compensation",
      amount: money(result.fixedCompensationMinor),
      basis: { cite: compensation.cite },
    });
  }
  const fee = rules.reminderFee;
  const feeAllowed =
    fee &&
    (!fee.requiresAgreementAtOrigin || input.reminderFeeAgreedAtOrigin) &&
    (fee.stacksWithFixedCompensation || result.fixedCompensationMinor === 0n);
  if (fee && feeAllowed) {
    lines.push({
      kind: "reminder_fee",
      amount: money(fee.maxMinor),
      basis: { cite: fee.cite },
    });
  }
  return lines;
}
