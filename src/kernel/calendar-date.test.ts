import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  calendarDate,
  dateInZone,
  daysBetween,
  fromEpochDay,
  parseCalendarDate,
  toEpochDay,
} from "./calendar-date.js";

describe("calendar dates", () => {
  it("accepts real days and refuses impossible ones", () => {
    expect(parseCalendarDate("2024-02-29").ok).toBe(true);
    expect(parseCalendarDate("2026-02-29").ok).toBe(false);
    expect(parseCalendarDate("2026-02-30").ok).toBe(false);
    expect(parseCalendarDate("2026-13-01").ok).toBe(false);
    expect(parseCalendarDate("26-01-01").ok).toBe(false);
    expect(parseCalendarDate("2026-1-1").ok).toBe(false);
    expect(parseCalendarDate("01/02/2026").ok).toBe(false);
  });

  it("counts days across month ends, leap days and DST changes", () => {
    expect(addDays(calendarDate("2024-02-28"), 1)).toBe("2024-02-29");
    expect(addDays(calendarDate("2024-02-28"), 2)).toBe("2024-03-01");
    expect(addDays(calendarDate("2026-03-29"), 1)).toBe("2026-03-30");
    expect(addDays(calendarDate("2026-01-01"), -1)).toBe("2025-12-31");
    expect(daysBetween(calendarDate("2025-12-31"), calendarDate("2026-12-31"))).toBe(365);
    expect(daysBetween(calendarDate("2024-01-01"), calendarDate("2025-01-01"))).toBe(366);
  });

  it("adding then subtracting days returns the same day", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -200_000, max: 200_000 }),
        fc.integer({ min: -5000, max: 5000 }),
        (day, n) => {
          const date = fromEpochDay(day);
          expect(toEpochDay(date)).toBe(day);
          expect(addDays(addDays(date, n), -n)).toBe(date);
          expect(daysBetween(date, addDays(date, n))).toBe(n);
        },
      ),
    );
  });

  it("tells today's date in a given time zone", () => {
    const instant = new Date("2026-03-01T23:30:00Z");
    expect(dateInZone(instant, "Europe/Stockholm")).toBe("2026-03-02");
    expect(dateInZone(instant, "America/Los_Angeles")).toBe("2026-03-01");
  });
});

describe("leap years", () => {
  it("follows the Gregorian rule for 29 February", () => {
    for (const [year, leap] of [
      [2024, true],
      [2023, false],
      [2000, true],
      [1900, false],
      [2100, false],
    ] as const) {
      expect(parseCalendarDate(`${year}-02-29`).ok, String(year)).toBe(leap);
    }
  });
});
