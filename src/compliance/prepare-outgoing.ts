import type { Kysely } from "kysely";
import type { LedgerSchema } from "../db/schema.js";
import type { OutgoingContact } from "../dunning/channels/channel.js";
import { CONFIRMATION_STEPS } from "../dunning/outgoing.js";
import { addDays, type CalendarDate } from "../kernel/calendar-date.js";
import { OverdueError } from "../kernel/errors.js";
import { contactCharges } from "./domain/contact-charges.js";
import type { LatePaymentRules } from "./domain/late-payment-rules.js";
import { instantAt } from "./domain/local-time.js";
import type { RuleProfiles } from "./domain/profile.js";
import { guardOutgoing } from "./guard-outgoing.js";
import { loadLatePaymentRules } from "./load-late-payment-rules.js";
import { loadRuleProfiles } from "./rule-profiles.js";
import { type ValidationStep, validationStep } from "./validation-notices.js";

type BusinessDays = (country: string, date: CalendarDate) => boolean;

/** What the guard reads besides the ledger: the rule files and the holiday calendar. */
export type ComplianceRules = {
  readonly profiles: RuleProfiles;
  readonly holidays: () => Promise<BusinessDays>;
  readonly latePayment: () => Promise<LatePaymentRules>;
};

/**
 * The rule files, each read when first needed: the holiday tables take a while to load, and
 * most contacts need neither them nor the late-payment rules.
 */
export async function loadComplianceRules(profiles?: RuleProfiles): Promise<ComplianceRules> {
  let calendar: Promise<BusinessDays> | undefined;
  let latePayment: Promise<LatePaymentRules> | undefined;
  return {
    profiles: profiles ?? (await loadRuleProfiles()),
    holidays: () => {
      calendar ??= import("../dunning/business-days.js").then((m) => m.businessDayCalendar());
      return calendar;
    },
    latePayment: () => {
      latePayment ??= loadLatePaymentRules();
      return latePayment;
    },
  };
}

/** A text or call waits this long for the written validation notice planned before it. */
const NOTICE_FIRST_WAIT_MS = 15 * 60_000;

export type PreparedContact =
  /** Send this: the contact with what its rules add (opt-out line, notice, charges). */
  | {
      readonly kind: "go";
      readonly contact: OutgoingContact;
      /** The validation notices it carries, to record once it is sent. */
      readonly carried?: Extract<ValidationStep, { kind: "carry" }>;
    }
  | {
      readonly kind: "delay";
      readonly until: number;
      readonly rule: string;
      readonly reason: string;
      /** The written validation notice should be planned first. */
      readonly noticeFirst: boolean;
    }
  | { readonly kind: "refuse"; readonly rule: string; readonly reason: string };

/**
 * Everything the debtor's rule profile says about one contact at the instant `at`: the guard's
 * verdict (hours, caps), then what the message must carry (the opt-out line, the validation
 * notice) or wait for, then the interest and fees its step adds. Dispatch sends what this
 * returns; preview shows it.
 */
export async function prepareOutgoing(
  db: Kysely<LedgerSchema>,
  rules: ComplianceRules,
  contact: OutgoingContact,
  at: string,
): Promise<PreparedContact> {
  const { profile, verdict, zones } = await guardOutgoing(db, rules.profiles, contact, at);
  if (verdict.kind === "refuse") return verdict;
  if (verdict.kind === "delay") return { ...verdict, noticeFirst: false };
  // A stop confirmation says only that contact ends: no notice, no opt-out line, no charges.
  if ((CONFIRMATION_STEPS as readonly (string | undefined)[]).includes(contact.template)) {
    return { kind: "go", contact };
  }
  let outgoing: OutgoingContact = profile?.optOutNotice
    ? { ...contact, optOutNotice: true }
    : contact;
  let carried: Extract<ValidationStep, { kind: "carry" }> | undefined;
  const validation = profile?.validationNotice;
  const zone = zones[0];
  if (validation && zone) {
    const step = await validationStep(db, validation, outgoing, zone, at, await rules.holidays());
    if (step.kind === "carry") {
      // Only a debt collector says it is one (15 U.S.C. 1692e(11)); a creditor must not.
      outgoing = { ...outgoing, validationEnds: step.periodEnds, debtCollector: profile.binding };
      carried = step;
    } else if (step.kind === "notice-first") {
      const until = Date.parse(at) + NOTICE_FIRST_WAIT_MS;
      return { kind: "delay", until, rule: step.rule, reason: step.reason, noticeFirst: true };
    } else if (step.kind === "overshadowing") {
      const until = instantAt(addDays(step.until, 1), 0, zone);
      return { kind: "delay", until, rule: step.rule, reason: step.reason, noticeFirst: false };
    }
  }
  if (outgoing.chargeRequest) {
    try {
      const charges = contactCharges(
        await rules.latePayment(),
        outgoing.chargeRequest,
        outgoing.customer,
        outgoing.invoices,
        outgoing.asOf,
      );
      if (charges.length > 0) outgoing = { ...outgoing, charges };
    } catch (error) {
      if (!(error instanceof OverdueError)) throw error;
      return {
        kind: "refuse",
        rule: "charges",
        reason: `the step adds interest or fees, but ${error.message}`,
      };
    }
  }
  return { kind: "go", contact: outgoing, ...(carried ? { carried } : {}) };
}
