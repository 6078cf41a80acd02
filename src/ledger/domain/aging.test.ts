import { describe, expect, it } from "vitest";
import { addDays, calendarDate } from "../../kernel/calendar-date.js";
import { bucketFor, bucketThresholds, daysPastDue, dsoTenths, formatTenths } from "./aging.js";

describe("aging buckets", () => {
  it("puts each day past due in the right bucket at the edges", () => {
    const cases: [number, string][] = [
      [-10, "current"],
      [0, "current"],
      [1, "days1to30"],
      [30, "days1to30"],
      [31, "days31to60"],
      [60, "days31to60"],
      [61, "days61to90"],
      [90, "days61to90"],
      [91, "days91plus"],
      [1000, "days91plus"],
    ];
    for (const [days, bucket] of cases) expect(bucketFor(days), String(days)).toBe(bucket);
  });

  it("gives the stores thresholds that agree with the day count", () => {
    const asOf = calendarDate("2026-03-01");
    const thresholds = bucketThresholds(asOf);
    for (let late = -3; late <= 120; late++) {
      const due = addDays(asOf, -late);
      const byThreshold = thresholds.find(([, threshold]) => due >= threshold)?.[0] ?? "days91plus";
      expect(byThreshold, `due ${due}`).toBe(bucketFor(daysPastDue(due, asOf)));
    }
  });
});

describe("DSO", () => {
  it("is receivables over the last 90 days' sales times 90, in tenths", () => {
    expect(dsoTenths(50_000n, 90_000n)).toBe(500n);
    expect(formatTenths(dsoTenths(1n, 3n) ?? 0n)).toBe("30.0");
    expect(formatTenths(dsoTenths(10n, 7n) ?? 0n)).toBe("128.6");
    expect(dsoTenths(100n, 0n)).toBeNull();
  });
});
