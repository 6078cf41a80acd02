import type { Kysely } from "kysely";
import type { LedgerSchema } from "../db/schema.js";
import type { OutgoingContact } from "../dunning/channels/channel.js";
import { type CalendarDate, dateInZone } from "../kernel/calendar-date.js";
import type { RuleProfile } from "./domain/profile.js";
import { validationPeriodEnds } from "./domain/validation-period.js";

type ValidationRule = NonNullable<RuleProfile["validationNotice"]>;

/** What a contact under a profile with validation notices must do about them. */
export type ValidationStep =
  | { readonly kind: "none" }
  /** The contact is written (e-mail, letter): it carries the notice for these invoices. */
  | {
      readonly kind: "carry";
      readonly invoiceIds: readonly string[];
      readonly sentOn: CalendarDate;
      readonly periodEnds: CalendarDate;
    }
  /** A text or call about a debt without a notice yet waits for the written notice. */
  | { readonly kind: "notice-first"; readonly rule: string; readonly reason: string }
  /** A firm step would overshadow the dispute rights while the period runs (1006.38(b)). */
  | {
      readonly kind: "overshadowing";
      readonly until: CalendarDate;
      readonly rule: string;
      readonly reason: string;
    };

const WRITTEN = ["email", "letter", "certified_letter"];
/** Tones 3 and 4 press for payment now: not while the debtor may still dispute. */
const FIRM_TONE = 3;

/**
 * Decides, for a contact about to go out, what the validation-notice rule of 12 CFR 1006.34
 * asks: the first written contact about a debt carries the notice; a text or call about it
 * waits until one has gone; and during the validation period nothing firm is sent.
 */
export async function validationStep(
  db: Kysely<LedgerSchema>,
  rule: ValidationRule,
  contact: OutgoingContact,
  zone: string,
  now: string,
  isBusinessDay: (country: string, date: CalendarDate) => boolean,
): Promise<ValidationStep> {
  const ids = contact.invoices.map((i) => i.id);
  const notices = await db
    .selectFrom("validation_notices")
    .select(["invoice_id", "period_ends"])
    .where("invoice_id", "in", ids)
    .execute();
  const noticed = new Set(notices.map((n) => n.invoice_id));
  const missing = ids.filter((id) => !noticed.has(id));
  const today = dateInZone(new Date(now), zone);
  if (missing.length > 0) {
    if (!WRITTEN.includes(contact.channel)) {
      return {
        kind: "notice-first",
        rule: rule.rule,
        reason: `the validation notice for ${numbers(contact, missing)} goes out in writing first (${rule.cite})`,
      };
    }
    return {
      kind: "carry",
      invoiceIds: missing,
      sentOn: today,
      periodEnds: validationPeriodEnds(today, (day) => isBusinessDay(rule.holidays, day), rule),
    };
  }
  const running = notices.map((n) => n.period_ends as CalendarDate).filter((end) => end >= today);
  if (running.length > 0 && contact.tone >= FIRM_TONE) {
    const until = running.sort().at(-1) as CalendarDate;
    return {
      kind: "overshadowing",
      until,
      rule: "US-VAL-05",
      reason: `a firm reminder would overshadow the right to dispute until the validation period ends on ${until} (15 U.S.C. 1692g(b))`,
    };
  }
  return { kind: "none" };
}

/** Stores the notices a sent contact carried; a second copy of the same debt's is ignored. */
export async function recordValidationNotices(
  db: Kysely<LedgerSchema>,
  contact: OutgoingContact,
  step: Extract<ValidationStep, { kind: "carry" }>,
): Promise<void> {
  await db
    .insertInto("validation_notices")
    .values(
      step.invoiceIds.map((invoiceId) => ({
        invoice_id: invoiceId,
        customer_id: contact.customer.id,
        outbox_id: contact.outboxId,
        channel: contact.channel,
        sent_on: step.sentOn,
        period_ends: step.periodEnds,
      })),
    )
    .onConflict((oc) => oc.column("invoice_id").doNothing())
    .execute();
}

function numbers(contact: OutgoingContact, ids: readonly string[]): string {
  return contact.invoices
    .filter((i) => ids.includes(i.id))
    .map((i) => i.number)
    .join(", ");
}
