import { describe, expect, it } from "vitest";
import { calendarDate } from "../kernel/calendar-date.js";
import { businessDayCalendar } from "./business-days.js";

describe("business days", () => {
  const isBusinessDay = businessDayCalendar();
  it("closes weekends and each country's own holidays", () => {
    expect(isBusinessDay("SE", calendarDate("2026-11-25"))).toBe(true);
    expect(isBusinessDay("SE", calendarDate("2026-11-28"))).toBe(false); // Saturday
    expect(isBusinessDay("SE", calendarDate("2026-06-19"))).toBe(false); // midsommarafton
    expect(isBusinessDay("IT", calendarDate("2026-06-19"))).toBe(true);
    expect(isBusinessDay("IT", calendarDate("2026-06-02"))).toBe(false); // Festa della Repubblica
    expect(isBusinessDay("US", calendarDate("2026-11-26"))).toBe(false); // Thanksgiving
    expect(isBusinessDay("GB", calendarDate("2026-12-28"))).toBe(false); // Boxing Day, substitute
  });
});
