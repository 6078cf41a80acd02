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
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return invalid(`"${text}" is not a day of the calendar`);
  }
  return valid(trimmed as CalendarDate);
}

/** Gregorian month lengths (checked per row on imports, so no Date objects here). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
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
