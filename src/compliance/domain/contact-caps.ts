import { addDays, type CalendarDate, daysBetween } from "../../kernel/calendar-date.js";
import { localTime } from "./local-time.js";
import type { ContactCap } from "./profile.js";

/** One earlier contact about a debt on the capped channel. */
export type PastContact = {
  readonly debt: string;
  /** When it was placed (ms since the epoch). */
  readonly at: number;
  /** A call in which the debtor was reached and the debt discussed. */
  readonly conversation: boolean;
};

export type CapCheck =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** The debtor's local date on which the next contact is allowed again. */
      readonly from: CalendarDate;
      readonly debt: string;
      readonly reason: string;
    };

/**
 * Regulation F's call-frequency presumption, generalised to any channel's cap: a contact about
 * a debt on local day D is allowed when fewer than `max` contacts about it fall in the `days`
 * consecutive days ending on D (12 CFR 1006.14(b)(2)(i)(A): the 8th call in any rolling 7 days
 * is the violation), and no conversation about it happened in the `quietDaysAfterConversation`
 * days ending on D, the conversation day being day 1 (1006.14(b)(2)(i)(B)). Days are the
 * debtor's local calendar days (US-FREQ-06). Counting is per debt (US-FREQ-05).
 */
export function checkCap(
  cap: Pick<ContactCap, "max" | "days" | "quietDaysAfterConversation">,
  now: number,
  zone: string,
  debts: readonly string[],
  history: readonly PastContact[],
): CapCheck {
  const today = localTime(now, zone).date;
  let latest: Extract<CapCheck, { allowed: false }> | undefined;
  for (const debt of debts) {
    const past = history
      .filter((h) => h.debt === debt)
      .map((h) => ({ day: localTime(h.at, zone).date, conversation: h.conversation }));
    const from = firstAllowedDay(cap, today, past);
    if (from === today) continue;
    if (latest && daysBetween(latest.from, from) <= 0) continue;
    const lastTalk = past
      .filter((p) => p.conversation)
      .map((p) => p.day)
      .sort()
      .at(-1);
    const talkedRecently =
      lastTalk !== undefined &&
      cap.quietDaysAfterConversation > 0 &&
      daysBetween(lastTalk, today) < cap.quietDaysAfterConversation;
    latest = {
      allowed: false,
      from,
      debt,
      reason: talkedRecently
        ? `a conversation about ${debt} on ${lastTalk}: no new contact for ${cap.quietDaysAfterConversation} days counting that day`
        : `${cap.max} contacts about ${debt} in the last ${cap.days} days already`,
    };
  }
  return latest ?? { allowed: true };
}

function firstAllowedDay(
  cap: Pick<ContactCap, "max" | "days" | "quietDaysAfterConversation">,
  today: CalendarDate,
  past: readonly { day: CalendarDate; conversation: boolean }[],
): CalendarDate {
  const horizon = Math.max(cap.days, cap.quietDaysAfterConversation);
  for (let ahead = 0; ahead <= horizon; ahead++) {
    const day = addDays(today, ahead);
    const count = past.filter((p) => within(p.day, day, cap.days)).length;
    const quiet = past.some(
      (p) => p.conversation && within(p.day, day, cap.quietDaysAfterConversation),
    );
    if (count < cap.max && !quiet) return day;
  }
  return addDays(today, horizon + 1);
}

/** Whether `day` lies in the `span` consecutive days that end on `end`. */
function within(day: CalendarDate, end: CalendarDate, span: number): boolean {
  const back = daysBetween(day, end);
  return back >= 0 && back < span;
}
