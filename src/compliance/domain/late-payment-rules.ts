import type { CalendarDate } from "../../kernel/calendar-date.js";
import { type Checked, invalid, valid } from "../../kernel/errors.js";
import type { Currency } from "../../kernel/money.js";

/**
 * Rates are integers in hundredths of a basis point, i.e. parts per million a year:
 * 12.25 % = 122_500. Four decimals of a percent cover every published rate exactly, and keep
 * all interest arithmetic in bigint (no float ever touches money or a rate).
 */
export type RatePpm = bigint;
export const PPM_PER_UNIT = 1_000_000n;
const PPM_PER_PERCENT = 10_000n;

export const DEBTOR_KINDS = ["business", "consumer"] as const;
export type DebtorKind = (typeof DEBTOR_KINDS)[number];

/** EU, IT, SE reset the rate every half-year; the UK fixes it when interest starts (§6). */
export const RATE_RESETS = ["per_half_year", "fixed_at_start"] as const;
export type RateReset = (typeof RATE_RESETS)[number];

/** The days in the year a day's interest is divided by; ACT/365F ignores 29 Feb (§6). */
export const DAY_COUNTS = ["ACT/365F"] as const;
export type DayCount = (typeof DAY_COUNTS)[number];
export const DAY_COUNT_DENOMINATORS: Readonly<Record<DayCount, bigint>> = { "ACT/365F": 365n };

/**
 * A step function of dates: each rate is in force from its `from` until the next one's.
 * `changes` lists a central bank's rate changes (ECB MRO); `half_years` lists a value per
 * half-year starting 1 Jan / 1 Jul (Riksbank referensränta, UK reference). Either way the
 * late-payment reference for a half-year is the value in force on its first day.
 */
export type ReferenceTable = {
  readonly name: string;
  readonly kind: "changes" | "half_years";
  readonly source: string;
  readonly asOf: CalendarDate;
  /** The last day the table is known to be complete; a half-year starting later is refused. */
  readonly knownUntil: CalendarDate;
  readonly rates: readonly { readonly from: CalendarDate; readonly ppm: RatePpm }[];
};

export type ReferenceTables = ReadonlyMap<string, ReferenceTable>;

export type DebtorRules = {
  /** statutory: computed · none: the law gives nothing (zero, with `why`) · refuse: not shipped. */
  readonly interest: "statutory" | "none" | "refuse";
  readonly fixedCompensation: boolean;
  readonly why?: string;
  readonly cite: string;
};

/** A fixed sum chosen by the debt: the first band whose `belowMinor` exceeds it, else the last. */
export type CompensationBand = { readonly belowMinor?: bigint; readonly amountMinor: bigint };

export type JurisdictionRules = {
  readonly code: string;
  readonly name: string;
  /** The only currency the rules are written for (the fixed sums and reference rate are in it). */
  readonly currency: Currency;
  readonly currencyWhy: string;
  readonly interest: {
    readonly referenceTable: string;
    readonly marginPpm: RatePpm;
    readonly rateReset: RateReset;
    readonly dayCount: DayCount;
    readonly cite: string;
  };
  /** IT: contracts concluded before a date keep an older margin (D.Lgs. 192/2012). */
  readonly legacyMargin?: {
    readonly contractsBefore: CalendarDate;
    readonly marginPpm: RatePpm;
    readonly cite: string;
  };
  readonly fixedCompensation?: {
    readonly label: string;
    readonly bands: readonly CompensationBand[];
    readonly cite: string;
  };
  /** SE påminnelseavgift: only if agreed when the debt arose (lag 1981:739 2 §). */
  readonly reminderFee?: {
    readonly label: string;
    readonly maxMinor: bigint;
    readonly requiresAgreementAtOrigin: boolean;
    readonly stacksWithFixedCompensation: boolean;
    readonly cite: string;
  };
  readonly debtors: Readonly<Record<DebtorKind, DebtorRules>>;
};

export type LatePaymentRules = {
  readonly jurisdictions: ReadonlyMap<string, JurisdictionRules>;
  readonly tables: ReferenceTables;
};

const PERCENT = /^(-)?(\d{1,3})(?:\.(\d{1,4}))?$/;

/** "12.25" → 122_500 ppm; at most four decimals, so a rate is never rounded on the way in. */
export function parsePercent(text: string): Checked<RatePpm> {
  const match = PERCENT.exec(text);
  if (!match) return invalid(`"${text}" is not a percentage such as "8.00" (at most 4 decimals)`);
  const [, sign, whole = "0", fraction = ""] = match;
  const ppm = BigInt(whole) * PPM_PER_PERCENT + BigInt(fraction.padEnd(4, "0"));
  return valid(sign ? -ppm : ppm);
}

/** 122_500 ppm → "12.25": at least two decimals, more only when the rate has them. */
export function formatPercent(ppm: RatePpm): string {
  const negative = ppm < 0n;
  const abs = negative ? -ppm : ppm;
  const whole = abs / PPM_PER_PERCENT;
  const fraction = (abs % PPM_PER_PERCENT)
    .toString()
    .padStart(4, "0")
    .replace(/0{1,2}$/, "");
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

export type HalfYear = { readonly start: CalendarDate; readonly end: CalendarDate };

/** The calendar half-year holding `date`: 1 Jan–30 Jun or 1 Jul–31 Dec. */
export function halfYearOf(date: CalendarDate): HalfYear {
  const year = date.slice(0, 4);
  return date.slice(5, 7) <= "06"
    ? { start: `${year}-01-01` as CalendarDate, end: `${year}-06-30` as CalendarDate }
    : { start: `${year}-07-01` as CalendarDate, end: `${year}-12-31` as CalendarDate };
}

/**
 * The table's value in force on `day`, or undefined when the table does not reach that far
 * back or `day` is after `knownUntil`: a rate we do not know is never guessed.
 */
export function rateInForce(table: ReferenceTable, day: CalendarDate): RatePpm | undefined {
  if (day > table.knownUntil) return undefined;
  let found: RatePpm | undefined;
  for (const rate of table.rates) {
    if (rate.from > day) break;
    found = rate.ppm;
  }
  return found;
}

/** The fixed sum for a debt of `principalMinor` (UK s. 5A(2) bands; EU/IT/SE one band). */
export function compensationFor(
  bands: readonly CompensationBand[],
  principalMinor: bigint,
): bigint | undefined {
  return bands.find((band) => band.belowMinor === undefined || principalMinor < band.belowMinor)
    ?.amountMinor;
}

/** "fixed sum for …" → "Fixed sum for …": labels in the data file start a sentence. */
export function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
