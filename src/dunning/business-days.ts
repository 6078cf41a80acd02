import Holidays from "date-holidays";
import type { CalendarDate } from "../kernel/calendar-date.js";

/**
 * The debtor country's business days: not Saturday or Sunday, and not a public holiday or a
 * day banks close (Swedish midsummer eve, for one), from the `date-holidays` tables.
 */
export function businessDayCalendar(): (country: string, date: CalendarDate) => boolean {
  const closed = new Map<string, ReadonlySet<string>>();
  const closedDays = (country: string, year: number) => {
    const key = `${country}-${year}`;
    let days = closed.get(key);
    if (!days) {
      const holidays = new Holidays(country);
      const list = holidays.getHolidays(year) || [];
      days = new Set(
        list
          .filter((h) => h.type === "public" || h.type === "bank")
          .map((h) => h.date.slice(0, 10)),
      );
      closed.set(key, days);
    }
    return days;
  };
  return function isBusinessDay(country, date) {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6) return false;
    return !closedDays(country, Number(date.slice(0, 4))).has(date);
  };
}
