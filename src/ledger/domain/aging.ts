import { addDays, type CalendarDate, daysBetween } from "../../kernel/calendar-date.js";

export const AGING_BUCKETS = [
  "current",
  "days1to30",
  "days31to60",
  "days61to90",
  "days91plus",
] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

export type AgingFigures = Readonly<Record<AgingBucket, bigint>> & {
  readonly total: bigint;
  readonly overdueCount: number;
};

/** Days past due on `asOf`: 0 or less is not yet due ("current"). */
export function daysPastDue(dueDate: CalendarDate, asOf: CalendarDate): number {
  return daysBetween(dueDate, asOf);
}

export function bucketFor(daysLate: number): AgingBucket {
  if (daysLate <= 0) return "current";
  if (daysLate <= 30) return "days1to30";
  if (daysLate <= 60) return "days31to60";
  if (daysLate <= 90) return "days61to90";
  return "days91plus";
}

/**
 * The same buckets as due-date thresholds, so a store can bucket with plain date comparisons:
 * an invoice falls in the first bucket whose threshold its due date is on or after.
 */
export function bucketThresholds(asOf: CalendarDate): readonly [AgingBucket, CalendarDate][] {
  return [
    ["current", asOf],
    ["days1to30", addDays(asOf, -30)],
    ["days31to60", addDays(asOf, -60)],
    ["days61to90", addDays(asOf, -90)],
  ];
}

export function emptyFigures(): AgingFigures {
  return {
    current: 0n,
    days1to30: 0n,
    days31to60: 0n,
    days61to90: 0n,
    days91plus: 0n,
    total: 0n,
    overdueCount: 0,
  };
}

export function addFigures(a: AgingFigures, b: AgingFigures): AgingFigures {
  return {
    current: a.current + b.current,
    days1to30: a.days1to30 + b.days1to30,
    days31to60: a.days31to60 + b.days31to60,
    days61to90: a.days61to90 + b.days61to90,
    days91plus: a.days91plus + b.days91plus,
    total: a.total + b.total,
    overdueCount: a.overdueCount + b.overdueCount,
  };
}

/** DSO window: receivables against the last 90 days of invoiced sales. */
export const DSO_WINDOW_DAYS = 90;

/**
 * Days sales outstanding by the standard (average) method:
 * receivables on the as-of date ÷ sales invoiced in the window ending that day × window days.
 * Returned in tenths of a day, rounded half up, computed on integers; null without sales.
 */
export function dsoTenths(receivablesMinor: bigint, windowSalesMinor: bigint): bigint | null {
  if (windowSalesMinor <= 0n) return null;
  const numerator = receivablesMinor * BigInt(DSO_WINDOW_DAYS) * 10n;
  return (numerator * 2n + windowSalesMinor) / (windowSalesMinor * 2n);
}

export function formatTenths(tenths: bigint): string {
  return `${tenths / 10n}.${tenths % 10n}`;
}
