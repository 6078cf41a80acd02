import { type ComplianceRules, prepareOutgoing } from "../compliance/prepare-outgoing.js";
import type { Database } from "../db/database.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import { messageInput } from "./channels/channel.js";
import type { PolicySet } from "./domain/policy.js";
import {
  type MessageLibrary,
  renderCallScript,
  renderEmail,
  renderLetterText,
  renderSms,
  type Sender,
} from "./messages/index.js";
import { contactAsItStands } from "./outgoing.js";
import { planDailyRun } from "./plan-daily-run.js";

export type PreviewContact = {
  channel: string;
  tone: number;
  needsApproval: boolean;
  fallbackFrom?: string;
  invoices: { number: string; stepId: string }[];
  to: string;
  subject: string;
  text: string;
  /** The guard holds it back at the instant previewed (hours, caps, a notice first): why. */
  waits?: string;
};

export type Preview = {
  asOf: CalendarDate;
  customerId: string;
  contacts: PreviewContact[];
  escalation: boolean;
  notChased: { invoiceId: string; rule: string; reason: string }[];
  /** Contacts the guard would refuse (a rate unknown for the interest a step adds, …). */
  refused: { channel: string; rule: string; reason: string }[];
};

/**
 * Exactly what the run of `asOf` would send one customer, rendered with the same templates
 * and the same checks at sending (the guard at `at`, the opt-out line, the validation notice,
 * interest and fees), without writing anything.
 */
export async function previewCustomer(
  database: Database,
  customerId: string,
  options: {
    asOf: CalendarDate;
    policies: PolicySet;
    isBusinessDay: (country: string, date: CalendarDate) => boolean;
    library: MessageLibrary;
    sender: Sender;
    compliance: ComplianceRules;
    /** The instant the guard checks hours and caps at. */
    at: string;
  },
): Promise<Preview> {
  const { db } = database;
  const plan = await planDailyRun(database, options.asOf, options.policies, options.isBusinessDay, {
    customerId,
  });
  const contacts: PreviewContact[] = [];
  const refused: Preview["refused"] = [];
  for (const planned of plan.contacts) {
    const loaded = await contactAsItStands(
      db,
      {
        outboxId: 0n,
        key: `preview/${planned.channel}/${customerId}`,
        customerId,
        channel: planned.channel,
        asOf: options.asOf,
        items: planned.items.map((i) => ({
          invoiceId: i.invoiceId,
          stepId: i.stepId,
          tone: i.tone,
        })),
      },
      options.policies,
    );
    if (loaded.kind === "stopped") continue;
    const prepared = await prepareOutgoing(db, options.compliance, loaded.contact, options.at);
    if (prepared.kind === "refuse") {
      refused.push({ channel: planned.channel, rule: prepared.rule, reason: prepared.reason });
      continue;
    }
    const contact = prepared.kind === "go" ? prepared.contact : loaded.contact;
    const input = messageInput(contact, options.sender, options.asOf);
    const rendered = (() => {
      switch (planned.channel) {
        case "email": {
          const email = renderEmail(options.library, input);
          return { to: contact.customer.email ?? "", subject: email.subject, text: email.text };
        }
        case "sms":
          return {
            to: contact.customer.phone ?? "",
            subject: "",
            text: renderSms(options.library, input),
          };
        case "call":
          return {
            to: contact.customer.collectorId ?? "the collections team",
            subject: "",
            text: renderCallScript(options.library, input),
          };
        default: {
          const letter = renderLetterText(options.library, input);
          return {
            to: [contact.customer.name, ...contact.customer.addressLines].join(", "),
            ...letter,
          };
        }
      }
    })();
    contacts.push({
      channel: planned.channel,
      tone: contact.tone,
      needsApproval: planned.needsApproval,
      ...(planned.fallbackFrom ? { fallbackFrom: planned.fallbackFrom } : {}),
      invoices: contact.invoices.map((i) => ({ number: i.number, stepId: i.stepId })),
      ...rendered,
      ...(prepared.kind === "delay" ? { waits: `${prepared.rule}: ${prepared.reason}` } : {}),
    });
  }
  return {
    asOf: options.asOf,
    customerId,
    contacts,
    escalation: plan.escalations.length > 0,
    notChased: plan.notChased.map(({ invoiceId, rule, reason }) => ({ invoiceId, rule, reason })),
    refused,
  };
}
