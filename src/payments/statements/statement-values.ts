import { type CalendarDate, parseCalendarDate } from "../../kernel/calendar-date.js";
import { type Checked, invalid } from "../../kernel/errors.js";
import { type Currency, formatAmount } from "../../kernel/money.js";

/**
 * The calendar date an ISO 8601 date or date-time states (`2024-03-15`, `2024-03-15+01:00`,
 * `2024-03-15T23:30:00-05:00`): the bank's own local date, never shifted to another zone.
 */
export function isoDatePart(text: string): Checked<CalendarDate> {
  const match = /^\s*(\d{4}-\d{2}-\d{2})(?:$|[T\sZ+-])/.exec(text);
  if (!match?.[1]) return invalid(`"${text}" is not an ISO 8601 date or date-time`);
  return parseCalendarDate(match[1]);
}

/** What a balance check needs of a line. */
export type BookedAmount = {
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly creditDebit: "CRDT" | "DBIT";
};

/**
 * Checks opening + credits − debits = closing over the given (entry-level) amounts and says
 * how it fails; null when it adds up or when a balance is missing so there is nothing to check.
 */
export function checkBalances(
  opening: bigint | null,
  closing: bigint | null,
  amounts: readonly BookedAmount[],
  cur: Currency,
): string | null {
  if (opening === null || closing === null) return null;
  let credits = 0n;
  let debits = 0n;
  for (const [i, amount] of amounts.entries()) {
    if (amount.currency.code !== cur.code) {
      return `entry ${i + 1} is in ${amount.currency.code}, not the account currency ${cur.code}: the balances cannot be checked`;
    }
    if (amount.creditDebit === "CRDT") credits += amount.amountMinor;
    else debits += amount.amountMinor;
  }
  const computed = opening + credits - debits;
  if (computed === closing) return null;
  const show = (minor: bigint) => formatAmount(minor, cur);
  return `opening balance ${show(opening)} + credits ${show(credits)} - debits ${show(debits)} = ${show(computed)} ${cur.code}, but the closing balance is ${show(closing)} (a difference of ${show(closing - computed)})`;
}
