import { describe, expect, it } from "vitest";
import type { CalendarDate } from "../../kernel/calendar-date.js";
import { validationPeriodEnds } from "./validation-period.js";

const REG_F = { assumedReceiptBusinessDays: 5, periodDays: 30 };
/** US federal holidays of late 2026 that matter here: Veterans Day, Thanksgiving, Christmas. */
const HOLIDAYS = new Set(["2026-11-11", "2026-11-26", "2026-12-25"]);
const isBusinessDay = (date: CalendarDate) => {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !HOLIDAYS.has(date);
};

describe("the validation period (12 CFR 1006.34(b)(5))", () => {
  it("assumes receipt five business days after sending and runs 30 days from then", () => {
    // Sent Monday 2 November: 3, 4, 5, 6, 9 November; receipt Monday 9th; ends 9 December.
    expect(validationPeriodEnds("2026-11-02" as CalendarDate, isBusinessDay, REG_F)).toBe(
      "2026-12-09",
    );
  });

  it("skips weekends and federal holidays when counting to receipt", () => {
    // Sent Monday 23 November: 24, 25, (26 Thanksgiving), 27, (weekend), 30 November, 1 December.
    expect(validationPeriodEnds("2026-11-23" as CalendarDate, isBusinessDay, REG_F)).toBe(
      "2026-12-31",
    );
    // Sent Friday 6 November: 9, 10, (11 Veterans Day), 12, 13, 16 November.
    expect(validationPeriodEnds("2026-11-06" as CalendarDate, isBusinessDay, REG_F)).toBe(
      "2026-12-16",
    );
  });
});
