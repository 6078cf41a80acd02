import { addDays, type CalendarDate, daysBetween } from "../../kernel/calendar-date.js";
import { OverdueError } from "../../kernel/errors.js";
import { formatAmount, type Money } from "../../kernel/money.js";
import {
  compensationFor,
  DAY_COUNT_DENOMINATORS,
  type DebtorKind,
  formatPercent,
  type HalfYear,
  halfYearOf,
  type JurisdictionRules,
  PPM_PER_UNIT,
  type RatePpm,
  type ReferenceTables,
  rateInForce,
  sentenceCase,
} from "./late-payment-rules.js";

export type StatutoryInterestInput = {
  readonly rules: JurisdictionRules;
  readonly tables: ReferenceTables;
  readonly principal: Money;
  /** First day interest accrues (the day after the due date), inclusive. */
  readonly from: CalendarDate;
  /** Last day interest accrues (the payment day or the as-of day), inclusive. */
  readonly until: CalendarDate;
  readonly debtor: DebtorKind;
  readonly contractDate?: CalendarDate;
};

export type InterestSegment = {
  readonly from: CalendarDate;
  readonly to: CalendarDate;
  readonly days: number;
  readonly referencePpm: RatePpm;
  readonly ratePpm: RatePpm;
  /**
   * This segment's interest rounded on its own, for display. The total is rounded once over
   * the exact sum (§6), so the segments can add up to a minor unit more or less than it.
   */
  readonly interestMinor: bigint;
};

export type StatutoryInterest = {
  readonly jurisdiction: string;
  readonly principal: Money;
  readonly from: CalendarDate;
  readonly until: CalendarDate;
  readonly debtor: DebtorKind;
  /** The margin over the reference; null when the law gives this debtor no interest. */
  readonly marginPpm: RatePpm | null;
  readonly segments: readonly InterestSegment[];
  readonly totalInterestMinor: bigint;
  readonly fixedCompensationMinor: bigint;
  /** Why the figures are what they are: scope, margin, fixed rate, rounding. One sentence each. */
  readonly notes: readonly string[];
};

/**
 * Statutory late-payment interest, simple, on a constant principal, with the fixed
 * compensation for the invoice (§6 of collections-rules.md):
 *
 *   interest = Σ principal × rate_s × days_s / 365        (ACT/365F, days inclusive)
 *
 * Per-half-year jurisdictions split the period at every 1 Jan and 1 Jul and take the reference
 * in force on that day (Directive 2011/7/EU Art. 3(2); D.Lgs. 231/2002 art. 5(2); räntelagen
 * 6 § "vid varje tid gällande"). The UK fixes one rate for the debt, from the half-year in
 * which interest starts to run (SI 2002/1675 art. 4). The sum is kept as an exact fraction
 * and rounded once, half-up, to the currency's minor unit. A half-year without a known
 * reference rate is refused, never guessed.
 */
export function statutoryInterest(input: StatutoryInterestInput): StatutoryInterest {
  const { rules, principal, from, until, debtor } = input;
  if (principal.minor <= 0n) {
    throw new OverdueError("invalid_principal", "the principal must be greater than 0");
  }
  if (from > until) {
    throw new OverdueError(
      "invalid_period",
      `the first accrual day ${from} is after the last ${until}`,
    );
  }
  if (principal.currency.code !== rules.currency.code) {
    throw new OverdueError(
      "wrong_currency",
      `${rules.code} statutory interest is computed for ${rules.currency.code} debts only ` +
        `(${rules.currencyWhy}); got ${principal.currency.code}`,
    );
  }

  const debtorRules = rules.debtors[debtor];
  const notes: string[] = [];
  const base = { jurisdiction: rules.code, principal, from, until, debtor };
  if (debtorRules.interest === "refuse") {
    throw new OverdueError(
      "unsupported_debtor",
      `${rules.code} interest for a ${debtor} debtor is not computed: ${debtorRules.why ?? "no rule is shipped"} (${debtorRules.cite})`,
    );
  }
  if (debtorRules.interest === "none") {
    notes.push(`No interest: ${debtorRules.why ?? "the law gives none"} (${debtorRules.cite}).`);
    return {
      ...base,
      marginPpm: null,
      segments: [],
      totalInterestMinor: 0n,
      fixedCompensationMinor: 0n,
      notes,
    };
  }

  const marginPpm = marginFor(rules, input.contractDate, notes);
  const periods = accrualPeriods(rules, from, until);
  const denominator = PPM_PER_UNIT * DAY_COUNT_DENOMINATORS[rules.interest.dayCount];
  let exact = 0n;
  const segments = periods.map((period): InterestSegment => {
    const referencePpm = referenceFor(rules, input.tables, period.rateHalfYear);
    const ratePpm = referencePpm + marginPpm;
    const days = daysBetween(period.from, period.to) + 1;
    const numerator = principal.minor * ratePpm * BigInt(days);
    exact += numerator;
    return {
      from: period.from,
      to: period.to,
      days,
      referencePpm,
      ratePpm,
      interestMinor: roundHalfUp(numerator, denominator),
    };
  });
  const totalInterestMinor = roundHalfUp(exact, denominator);

  if (rules.interest.rateReset === "fixed_at_start") {
    const start = halfYearOf(from);
    notes.push(
      `One rate for the whole debt: the reference for ${start.start} – ${start.end}, the half-year in which interest starts to run (${rules.interest.cite}).`,
    );
  }
  const shown = segments.reduce((sum, segment) => sum + segment.interestMinor, 0n);
  if (shown !== totalInterestMinor) {
    notes.push(
      `Each segment's interest is rounded for display; the total is rounded once over the exact sum, so the segments add up to ${formatAmount(shown, principal.currency)}.`,
    );
  }

  let fixedCompensationMinor = 0n;
  const compensation = rules.fixedCompensation;
  if (compensation && debtorRules.fixedCompensation) {
    fixedCompensationMinor = compensationFor(compensation.bands, principal.minor) ?? 0n;
    notes.push(
      `${sentenceCase(compensation.label)}: ${principal.currency.code} ${formatAmount(fixedCompensationMinor, principal.currency)} for this invoice (${compensation.cite}).`,
    );
  } else if (compensation && debtorRules.why) {
    notes.push(`No ${compensation.label}: ${debtorRules.why} (${debtorRules.cite}).`);
  }

  return { ...base, marginPpm, segments, totalInterestMinor, fixedCompensationMinor, notes };
}

/** IT: contracts before 2013-01-01 keep ECB + 7 (D.Lgs. 192/2012); otherwise the margin. */
function marginFor(
  rules: JurisdictionRules,
  contractDate: CalendarDate | undefined,
  notes: string[],
): RatePpm {
  const legacy = rules.legacyMargin;
  if (!legacy) return rules.interest.marginPpm;
  if (contractDate === undefined) {
    notes.push(
      `No contract date given: the ${formatPercent(rules.interest.marginPpm)}-point margin applies; a contract concluded before ${legacy.contractsBefore} takes ${formatPercent(legacy.marginPpm)} points (${legacy.cite}).`,
    );
    return rules.interest.marginPpm;
  }
  if (contractDate < legacy.contractsBefore) {
    notes.push(
      `Contract of ${contractDate}, before ${legacy.contractsBefore}: margin ${formatPercent(legacy.marginPpm)} points (${legacy.cite}).`,
    );
    return legacy.marginPpm;
  }
  return rules.interest.marginPpm;
}

type AccrualPeriod = {
  readonly from: CalendarDate;
  readonly to: CalendarDate;
  /** The half-year whose reference rate applies to these days. */
  readonly rateHalfYear: HalfYear;
};

/** Splits at each 1 Jan and 1 Jul (per_half_year), or one period at the starting rate. */
function accrualPeriods(
  rules: JurisdictionRules,
  from: CalendarDate,
  until: CalendarDate,
): readonly AccrualPeriod[] {
  if (rules.interest.rateReset === "fixed_at_start") {
    return [{ from, to: until, rateHalfYear: halfYearOf(from) }];
  }
  const periods: AccrualPeriod[] = [];
  for (let cursor = from; cursor <= until; ) {
    const halfYear = halfYearOf(cursor);
    const to = halfYear.end < until ? halfYear.end : until;
    periods.push({ from: cursor, to, rateHalfYear: halfYear });
    cursor = addDays(to, 1);
  }
  return periods;
}

function referenceFor(
  rules: JurisdictionRules,
  tables: ReferenceTables,
  halfYear: HalfYear,
): RatePpm {
  const tableName = rules.interest.referenceTable;
  const table = tables.get(tableName);
  const rate = table ? rateInForce(table, halfYear.start) : undefined;
  if (rate === undefined) {
    throw new OverdueError(
      "no_reference_rate",
      `no ${rules.code} reference rate known for ${halfYear.start} – ${halfYear.end}; ` +
        `add it to rules/reference-rates.json (table ${tableName})`,
    );
  }
  return rate;
}

/** numerator / denominator rounded half-up (half away from zero), exactly, in bigint. */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n) return -roundHalfUp(-numerator, denominator);
  return (2n * numerator + denominator) / (2n * denominator);
}
