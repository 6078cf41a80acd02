import { addDays, type CalendarDate } from "../../kernel/calendar-date.js";

/**
 * The end of a debt's validation period (12 CFR 1006.34(b)(5)): 30 days after the debtor
 * receives the notice, where receipt may be assumed on the 5th day after it was provided,
 * not counting Saturdays, Sundays and legal public holidays (5 U.S.C. 6103(a)).
 */
export function validationPeriodEnds(
  providedOn: CalendarDate,
  isBusinessDay: (date: CalendarDate) => boolean,
  rule: { readonly assumedReceiptBusinessDays: number; readonly periodDays: number },
): CalendarDate {
  let receipt = providedOn;
  for (let counted = 0; counted < rule.assumedReceiptBusinessDays; ) {
    receipt = addDays(receipt, 1);
    if (isBusinessDay(receipt)) counted++;
  }
  return addDays(receipt, rule.periodDays);
}
