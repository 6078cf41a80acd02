import { type Checked, invalid, OverdueError, valid } from "./errors.js";

/**
 * A business date with no time and no zone, as `YYYY-MM-DD`. ISO strings sort and compare
 * correctly as text, in JavaScript and in both databases, so the type stays a string.
 */
export type CalendarDate = string & { readonly __calendarDate: unique symbol };

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export function parseCalendarDate(text: string): Checked<CalendarDate> {
  const trimmed = text.trim();
  const match = SHAPE.exec(trimmed);
  if (!match) return invalid(`"${text}" is not a date in the form YYYY-MM-DD`);
  const [, y, m, d] = match;
  // Date.UTC rolls 2026-02-30 over to March; a round trip tells a real day from one that isn't.
  const epoch = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (
    epoch.getUTCFullYear() !== Number(y) ||
    epoch.getUTCMonth() !== Number(m) - 1 ||
    epoch.getUTCDate() !== Number(d)
  ) {
    return invalid(`"${text}" is not a day of the calendar`);
  }
  return valid(trimmed as CalendarDate);
}

export function calendarDate(text: string): CalendarDate {
  const parsed = parseCalendarDate(text);
  if (!parsed.ok) throw new OverdueError("invalid_date", parsed.problem);
  return parsed.value;
}

/** Days since 1970-01-01; integer arithmetic on UTC midnights has no DST or float drift. */
export function toEpochDay(date: CalendarDate): number {
  return Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY;
}

export function fromEpochDay(day: number): CalendarDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10) as CalendarDate;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Today in a given IANA time zone (the server's clock, read by the caller). */
export function dateInZone(instant: Date, timeZone: string): CalendarDate {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(instant) as CalendarDate;
}
