import { describe, expect, it } from "vitest";
import { calendarDate } from "../../kernel/calendar-date.js";
import { promiseOutcome } from "./promise.js";

const promise = (amountMinor: bigint | null = null) => ({
  promisedOn: calendarDate("2026-05-10"),
  amountMinor,
  openAtPromise: 50_000n,
});

describe("promiseOutcome", () => {
  it("stays open until the promised day has passed", () => {
    expect(promiseOutcome(promise(), 50_000n, calendarDate("2026-05-10"))).toBe("open");
    expect(promiseOutcome(promise(), 50_000n, calendarDate("2026-05-11"))).toBe("broken");
  });

  it("is kept as soon as the promised amount is in, even early", () => {
    expect(promiseOutcome(promise(20_000n), 30_000n, calendarDate("2026-05-01"))).toBe("kept");
    expect(promiseOutcome(promise(), 0n, calendarDate("2026-06-01"))).toBe("kept");
  });

  it("is partly kept when some but not all of the promised amount came in by the day", () => {
    expect(promiseOutcome(promise(20_000n), 40_000n, calendarDate("2026-05-11"))).toBe(
      "partly_kept",
    );
    expect(promiseOutcome(promise(), 1n, calendarDate("2026-05-11"))).toBe("partly_kept");
  });
});
