import type { Kysely } from "kysely";
import type { ChargeRequest } from "../../compliance/domain/contact-charges.js";
import type { LedgerSchema } from "../../db/schema.js";
import type { CalendarDate } from "../../kernel/calendar-date.js";
import {
  DEFAULT_REFERENCE_SETTINGS,
  paymentReferenceFor,
} from "../../payments/domain/reference.js";
import type { Tone } from "../domain/policy.js";
import type { MessageCharge, MessageInput, MessageInvoice, Sender } from "../messages/index.js";

/** A contact as it leaves: the customer and the invoices still open at the moment of sending. */
export type OutgoingContact = {
  readonly outboxId: bigint;
  readonly key: string;
  /** `email`, `letter`, `certified_letter`, `sms`, `call`, or `escalation`. */
  readonly channel: string;
  readonly asOf: CalendarDate;
  readonly tone: Tone;
  readonly template?: string;
  /** What the policy step asks to add (interest, compensation, reminder fee), and the result. */
  readonly chargeRequest?: ChargeRequest;
  readonly charges?: readonly MessageCharge[];
  /** Set when the contact carries a debt's validation notice: its period's last day. */
  readonly validationEnds?: CalendarDate;
  /** The sender collects as a debt collector (a binding FDCPA profile): the notice says so. */
  readonly debtCollector?: boolean;
  /** The debtor's profile asks every e-mail and text to say how to opt out of them. */
  readonly optOutNotice?: boolean;
  readonly customer: {
    readonly id: string;
    readonly name: string;
    readonly email: string | null;
    readonly phone: string | null;
    readonly language: string;
    /** `business` or `consumer`, the country and the IANA zone(s): what the guard's rules key on. */
    readonly kind: string;
    readonly country: string;
    readonly timeZone: string | null;
    readonly collectorId: string | null;
    readonly addressLines: readonly string[];
  };
  readonly invoices: readonly (MessageInvoice & { readonly id: string })[];
};

export type Delivery =
  | {
      readonly outcome: "sent";
      readonly messageId?: string;
      readonly document?: string;
      /** Said in the contact log, e.g. where a letter was written. */
      readonly note?: string;
    }
  /** Worth trying again later: a busy server, a dropped connection. */
  | { readonly outcome: "temporary"; readonly error: string }
  /** Will not work by retrying: an address the server refuses. */
  | { readonly outcome: "permanent"; readonly error: string };

/** The template a contact carrying a validation notice is written with. */
export const VALIDATION_TEMPLATE = "validation";

/** One way of reaching a customer: it renders the contact and delivers it. */
export type ChannelAdapter = {
  /**
   * Whether delivering again after a crash that lost the outcome is harmless: a letter file is
   * rewritten, a task is keyed. An e-mail or SMS is not: it would reach the customer twice.
   */
  readonly idempotent: boolean;
  deliver(contact: OutgoingContact, db: Kysely<LedgerSchema>): Promise<Delivery>;
  close?(): Promise<void>;
};

/**
 * What the message library needs to write a contact. Each invoice gets the payment reference
 * the sender's settings make for it (from its number, or the customer id); an invoice without
 * one (no scheme, or a number that cannot make one) is paid quoting its number, as before
 * references existed.
 */
export function messageInput(
  contact: OutgoingContact,
  sender: Sender,
  date: CalendarDate,
): MessageInput {
  const settings = sender.references ?? DEFAULT_REFERENCE_SETTINGS;
  const invoices = contact.invoices.map((invoice) => {
    const paymentReference = paymentReferenceFor(settings, {
      invoiceNumber: invoice.number,
      customerId: contact.customer.id,
    });
    return paymentReference ? { ...invoice, paymentReference } : invoice;
  });
  const only = invoices.length === 1 ? invoices[0] : undefined;
  return {
    language: contact.customer.language,
    // Escalations are written by their own task note; every contact here is a message channel.
    channel: contact.channel as MessageInput["channel"],
    tone: contact.tone,
    ...(contact.template ? { template: contact.template } : {}),
    ...(contact.charges?.length ? { charges: contact.charges } : {}),
    ...(contact.optOutNotice ? { optOutNotice: true } : {}),
    ...(contact.validationEnds
      ? {
          template: VALIDATION_TEMPLATE,
          validationEnds: contact.validationEnds,
          debtCollector: contact.debtCollector === true,
        }
      : {}),
    sender,
    recipient: {
      name: contact.customer.name,
      addressLines: contact.customer.addressLines,
      email: contact.customer.email,
      phone: contact.customer.phone,
    },
    invoices,
    date,
    ...(only && !only.paymentReference ? { reference: only.number } : {}),
    documentId: String(contact.outboxId),
  };
}
