import type { InvoiceCharge } from "../../compliance/domain/contact-charges.js";
import type { CalendarDate } from "../../kernel/calendar-date.js";
import type { ReferenceSettings } from "../../payments/domain/reference.js";
import type { Channel, Tone } from "../domain/policy.js";

/** One invoice on a contact, at its own step of the ladder. */
export type MessageInvoice = {
  readonly number: string;
  readonly issueDate: CalendarDate;
  readonly dueDate: CalendarDate;
  /** Open balance in minor units of `currency` (ISO 4217). */
  readonly openMinor: bigint;
  /** The amount invoiced, for a validation notice's itemization (payments and credits since). */
  readonly invoicedMinor?: bigint;
  readonly currency: string;
  readonly stepId: string;
  readonly tone: Tone;
  /** Negative while the invoice is not yet due (a courtesy note). */
  readonly daysOverdue: number;
  /** The RF or OCR reference to pay this invoice with, in its compact form. */
  readonly paymentReference?: string;
};

export type Sender = {
  readonly name: string;
  readonly addressLines: readonly string[];
  readonly email?: string;
  readonly phone?: string;
  readonly paymentInstructions?: string;
  /**
   * The account payments go to (electronic form). With it, a letter whose invoices are all in
   * EUR carries an EPC QR code for a SEPA credit transfer.
   */
  readonly iban?: string;
  /** The bank's BIC, put in the EPC QR code when given (optional within the EEA). */
  readonly bic?: string;
  /** How payment references are made for this sender's invoices; RF per invoice when absent. */
  readonly references?: ReferenceSettings;
};

export type Recipient = {
  readonly name: string;
  readonly addressLines: readonly string[];
  readonly email?: string | null;
  readonly phone?: string | null;
};

/**
 * An amount the law lets the sender add to an invoice, with what the message needs to say why
 * in the debtor's language: the rule's citation, and for interest its rates and period.
 */
export type MessageCharge = InvoiceCharge;

/** Everything one contact (an e-mail, a letter, an SMS or a call) says. */
export type MessageInput = {
  /**
   * BCP 47 tag stored on the customer ("sv-SE", "it-IT", "en-US"). Templates are picked by
   * the primary subtag (English when there are none for it); dates and amounts are formatted
   * with the full tag.
   */
  readonly language: string;
  readonly channel: Channel;
  readonly tone: Tone;
  /** Template name from the policy step, overriding the tone's shipped template. */
  readonly template?: string;
  readonly sender: Sender;
  readonly recipient: Recipient;
  /** Every invoice chased by this contact; may span several currencies. */
  readonly invoices: readonly MessageInvoice[];
  /** The date printed on the letter or e-mail. */
  readonly date: CalendarDate;
  /**
   * The one payment reference the customer should quote for the whole message. Without it, a
   * reference every invoice shares (one per customer, or a single invoice's) is used; invoices
   * with references of their own are listed each with its own.
   */
  readonly reference?: string;
  /** Our id for the contact, printed small on letters. */
  readonly documentId?: string;
  /**
   * The contact carries the validation notice of a US consumer debt (12 CFR 1006.34); this is
   * the last day of its validation period.
   */
  readonly validationEnds?: CalendarDate;
  /** E-mails and texts end with how to opt out of more of them (12 CFR 1006.6(e)). */
  readonly optOutNotice?: boolean;
  /** The sender is a debt collector (FDCPA): the notice carries the disclosure 1692e(11) asks. */
  readonly debtCollector?: boolean;
  /** Interest and fees the policy step adds (statutory, or agreed), listed under the invoices. */
  readonly charges?: readonly MessageCharge[];
};
