import type { CalendarDate } from "../../kernel/calendar-date.js";

export type PromiseToPay = {
  readonly promisedOn: CalendarDate;
  /** What the customer promised to pay; null means the whole open balance. */
  readonly amountMinor: bigint | null;
  /** What was open on the invoice when the promise was taken. */
  readonly openAtPromise: bigint;
};

export type PromiseOutcome = "open" | "kept" | "partly_kept" | "broken";

/**
 * Whether a promise was kept, judged from what is still open: kept as soon as the promised
 * amount has come in, open until its day has passed, then partly kept or broken.
 */
export function promiseOutcome(
  promise: PromiseToPay,
  openNow: bigint,
  asOf: CalendarDate,
): PromiseOutcome {
  if (promiseKept(promise, openNow)) return "kept";
  if (asOf <= promise.promisedOn) return "open";
  return promise.openAtPromise - openNow > 0n ? "partly_kept" : "broken";
}

/** Kept as soon as the invoice is paid or the promised amount has come in, whatever the day. */
export function promiseKept(promise: PromiseToPay, openNow: bigint): boolean {
  const paid = promise.openAtPromise - openNow;
  return openNow <= 0n || paid >= (promise.amountMinor ?? promise.openAtPromise);
}
