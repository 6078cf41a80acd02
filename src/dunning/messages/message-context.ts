import type { CalendarDate } from "../../kernel/calendar-date.js";
import { OverdueError } from "../../kernel/errors.js";
import { currency, formatMoney } from "../../kernel/money.js";
import { checkReference, formatRfForPrint } from "../../payments/domain/reference.js";
import type { Channel, Tone } from "../domain/policy.js";
import type { MessageInput } from "./message.js";
import type { DateStyle, LabelKey, Labels } from "./message-library.js";

/**
 * Where the structured blocks go in a rendered body. Each renderer swaps them for its own form
 * (aligned text, an HTML table, a drawn PDF table); control characters are stripped from every
 * input value, so data can never forge one.
 */
export const INVOICE_TABLE_MARK = "\u0001invoices\u0001";
export const PAYMENT_DETAILS_MARK = "\u0001payment\u0001";

export type InvoiceLine = {
  readonly number: string;
  readonly issueDate: string;
  readonly dueDate: string;
  readonly daysOverdue: number;
  readonly overdue: boolean;
  readonly amount: string;
  readonly currency: string;
  readonly stepId: string;
  readonly tone: Tone;
  /** This invoice's payment reference as printed ("" without one). */
  readonly paymentReference: string;
  /** The amount invoiced and what was paid or credited since, as printed ("" when unknown). */
  readonly invoiced: string;
  readonly paidSince: string;
};

export type Party = {
  readonly name: string;
  readonly addressLines: readonly string[];
  /** The address lines on one line, comma-separated. */
  readonly address: string;
  readonly email: string;
  readonly phone: string;
};

/** A charge as printed: what for, the amount, and why. */
export type ChargeLine = {
  readonly invoiceNumber: string;
  readonly label: string;
  readonly amount: string;
  readonly explanation: string;
};

/** The variables a template sees as `it`; absent optional values are "" so nothing prints "undefined". */
export type TemplateContext = {
  readonly locale: string;
  readonly language: string;
  readonly channel: Channel;
  readonly certified: boolean;
  readonly tone: Tone;
  readonly date: string;
  readonly sender: Party & { readonly paymentInstructions: string };
  readonly recipient: Party;
  /**
   * The one payment reference of the whole message, as printed: the input's, or the one every
   * invoice shares. "" when there is none or each invoice has its own (see `invoices`).
   */
  readonly reference: string;
  readonly documentId: string;
  readonly invoices: readonly InvoiceLine[];
  readonly invoiceCount: number;
  /** Every invoice number as a list: "F-1, F-2 and F-3". */
  readonly numbers: string;
  /** The first few numbers, for short messages, and how many are left out. */
  readonly firstNumbers: string;
  readonly moreCount: number;
  /** The open total per currency as a list: "1 234,50 kr and 200,00 €". */
  readonly total: string;
  readonly totals: readonly { readonly currency: string; readonly amount: string }[];
  /** No invoice is past due yet: a courtesy note. */
  readonly beforeDue: boolean;
  readonly maxDaysOverdue: number;
  /** The sender's phone and/or e-mail: "08-123 45 67 or ar@example.se"; "" without either. */
  readonly contact: string;
  /** How to pay on one line, for SMS and calls, with the reference(s). */
  readonly paymentLine: string;
  /** How to pay as lines: the payment instructions, then the reference or one per invoice. */
  readonly paymentLines: readonly string[];
  readonly invoiceTable: string;
  readonly paymentDetails: string;
  readonly labels: Labels;
  /** The last day of the validation period this notice starts, as printed; "" on other messages. */
  readonly validationEnds: string;
  /** Whether the sender collects as a debt collector, who must say so (15 U.S.C. 1692e(11)). */
  readonly debtCollector: boolean;
  /** Interest and fees added under the invoices; `total` includes them. */
  readonly charges: readonly ChargeLine[];
};

/** Canonical BCP 47 for Intl; "sv_SE" from other systems is accepted, garbage becomes "en". */
export function resolveLocale(language: string): string {
  try {
    return Intl.getCanonicalLocales(language.trim().replaceAll("_", "-"))[0] ?? "en";
  } catch {
    return "en";
  }
}

export function primaryLanguage(locale: string): string {
  return new Intl.Locale(locale).language;
}

/** Building an Intl formatter costs far more than using one; a run formats thousands of dates. */
const formatters = new Map<string, Intl.DateTimeFormat | Intl.ListFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.ListFormat>(key: string, make: () => T): T {
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = make();
    formatters.set(key, formatter);
  }
  return formatter as T;
}

function formatDate(date: CalendarDate, locale: string, style: DateStyle): string {
  const options: Intl.DateTimeFormatOptions =
    style === "numeric"
      ? { year: "numeric", month: "2-digit", day: "2-digit" }
      : { dateStyle: style };
  // Noon UTC formatted in UTC: the calendar day never shifts with the server's zone.
  const format = cached(
    `date\u0000${locale}\u0000${style}`,
    () => new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }),
  );
  return format.format(new Date(`${date}T12:00:00Z`));
}

const listFormat = (locale: string, type: "conjunction" | "disjunction") =>
  cached(`list\u0000${locale}\u0000${type}`, () => new Intl.ListFormat(locale, { type }));

/** Names and address lines are single lines; only payment instructions keep line breaks. */
const oneLine = (text: string) =>
  text
    .replace(/\p{Cc}+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
const multiLine = (text: string) =>
  text
    .replace(/\r\n?/g, "\n")
    .replace(/[^\P{Cc}\n]/gu, "")
    .split("\n")
    .map(oneLine)
    .filter((line) => line !== "")
    .join("\n");

function party(
  name: string,
  lines: readonly string[],
  email?: string | null,
  phone?: string | null,
) {
  const addressLines = lines.map(oneLine).filter((line) => line !== "");
  return {
    name: oneLine(name),
    addressLines,
    address: addressLines.join(", "),
    email: oneLine(email ?? ""),
    phone: oneLine(phone ?? ""),
  };
}

export type BuildOptions = {
  /** How many invoice numbers `firstNumbers` names. */
  readonly firstCount: number;
  /** For a short SMS: `paymentLine` keeps the first line of the instructions, `contact` one way. */
  readonly brief: boolean;
  /** How many invoices' own references `paymentLine` names (an SMS names as many as numbers). */
  readonly referenceCount: number;
};

/**
 * The reference the whole message asks the customer to quote, as given (compact): the input's
 * own, or the one every invoice shares (a per-customer reference, or a single invoice's).
 * "" when the invoices have different references, or none.
 */
export function messageReference(input: MessageInput): string {
  if (input.reference) return oneLine(input.reference);
  const [first, ...rest] = input.invoices.map((invoice) => oneLine(invoice.paymentReference ?? ""));
  return first && rest.every((reference) => reference === first) ? first : "";
}

/**
 * References are compact in e-mails and SMS (copied into a bank app as they are); on paper an
 * RF reference is printed in groups of four, ISO 11649's paper form, easier to read and type.
 */
function shownReference(reference: string, onPaper: boolean): string {
  if (!onPaper) return reference;
  const checked = checkReference(reference);
  return checked.valid && checked.kind === "rf" ? formatRfForPrint(checked.reference) : reference;
}

type ChargeKind = NonNullable<MessageInput["charges"]>[number]["kind"];
const CHARGE_LABELS = {
  interest: "interest",
  fixed_compensation: "compensation",
  reminder_fee: "reminderFee",
} as const satisfies Record<ChargeKind, LabelKey>;
/** The sentence that says why, with {rates}, {principal}, {days}, {from}, {until}, {cite}. */
const CHARGE_REASONS = {
  interest: "interestWhy",
  fixed_compensation: "compensationWhy",
  reminder_fee: "reminderFeeWhy",
} as const satisfies Record<ChargeKind, LabelKey>;

function decimalSeparator(locale: string): string {
  return (
    new Intl.NumberFormat(locale).formatToParts(1.5).find((part) => part.type === "decimal")
      ?.value ?? "."
  );
}

export function buildContext(
  input: MessageInput,
  locale: string,
  language: string,
  labels: Labels,
  options: BuildOptions,
): TemplateContext {
  if (input.invoices.length === 0) {
    throw new OverdueError("no_invoices", "a message needs at least one invoice");
  }
  const date = (day: CalendarDate) => formatDate(day, locale, labels.dateStyle);
  const onPaper = input.channel === "letter" || input.channel === "certified_letter";
  const sums = new Map<string, bigint>();
  const invoices = input.invoices.map((invoice): InvoiceLine => {
    sums.set(invoice.currency, (sums.get(invoice.currency) ?? 0n) + invoice.openMinor);
    const money = (minor: bigint) => formatMoney(minor, currency(invoice.currency), locale);
    const invoiced = invoice.invoicedMinor;
    return {
      number: oneLine(invoice.number),
      issueDate: date(invoice.issueDate),
      dueDate: date(invoice.dueDate),
      daysOverdue: invoice.daysOverdue,
      overdue: invoice.daysOverdue > 0,
      amount: formatMoney(invoice.openMinor, currency(invoice.currency), locale),
      currency: invoice.currency,
      stepId: invoice.stepId,
      tone: invoice.tone,
      paymentReference: shownReference(oneLine(invoice.paymentReference ?? ""), onPaper),
      invoiced: invoiced === undefined ? "" : money(invoiced),
      paidSince: invoiced === undefined ? "" : money(invoiced - invoice.openMinor),
    };
  });
  const decimal = decimalSeparator(locale);
  const charges = (input.charges ?? []).map((charge): ChargeLine => {
    sums.set(charge.currency, (sums.get(charge.currency) ?? 0n) + charge.amountMinor);
    const unit = currency(charge.currency);
    const { interest } = charge;
    const why = labels[CHARGE_REASONS[charge.kind]]
      .replaceAll("{cite}", charge.cite)
      .replaceAll(
        "{rates}",
        listFormat(locale, "conjunction").format(
          (interest?.rates ?? []).map((rate) => rate.replace(".", decimal)),
        ),
      )
      .replaceAll("{principal}", interest ? formatMoney(interest.principalMinor, unit, locale) : "")
      .replaceAll("{days}", String(interest?.days ?? ""))
      .replaceAll("{from}", interest ? date(interest.from) : "")
      .replaceAll("{until}", interest ? date(interest.until) : "");
    return {
      invoiceNumber: oneLine(charge.invoiceNumber),
      label: `${labels[CHARGE_LABELS[charge.kind]]} ${oneLine(charge.invoiceNumber)}`,
      amount: formatMoney(charge.amountMinor, unit, locale),
      explanation: oneLine(why),
    };
  });
  const totals = [...sums].map(([code, minor]) => ({
    currency: code,
    amount: formatMoney(minor, currency(code), locale),
  }));
  const and = listFormat(locale, "conjunction");
  const or = listFormat(locale, "disjunction");
  const numbers = invoices.map((invoice) => invoice.number);
  const shortened = numbers.length > options.firstCount;

  const sender = {
    ...party(input.sender.name, input.sender.addressLines, input.sender.email, input.sender.phone),
    paymentInstructions: multiLine(input.sender.paymentInstructions ?? ""),
  };
  const reference = shownReference(messageReference(input), onPaper);
  // Without one reference for the message, each invoice that has one is listed with it.
  const ownReferences = reference
    ? []
    : invoices
        .filter((invoice) => invoice.paymentReference !== "")
        .map((invoice) => `${labels.reference} ${invoice.number}: ${invoice.paymentReference}`);
  const referenceLines = reference ? [`${labels.reference}: ${reference}`] : ownReferences;
  const instructions = sender.paymentInstructions ? sender.paymentInstructions.split("\n") : [];
  const payAsInvoiced = labels.payAsInvoiced;
  const paymentLines = [
    ...(instructions.length > 0
      ? instructions
      : [payAsInvoiced.charAt(0).toLocaleUpperCase(locale) + payAsInvoiced.slice(1)]),
    ...referenceLines,
  ];

  return {
    locale,
    language,
    channel: input.channel,
    certified: input.channel === "certified_letter",
    tone: input.tone,
    date: date(input.date),
    sender,
    recipient: party(
      input.recipient.name,
      input.recipient.addressLines,
      input.recipient.email,
      input.recipient.phone,
    ),
    reference,
    documentId: oneLine(input.documentId ?? ""),
    invoices,
    invoiceCount: invoices.length,
    numbers: and.format(numbers),
    firstNumbers: shortened ? numbers.slice(0, options.firstCount).join(", ") : and.format(numbers),
    moreCount: shortened ? numbers.length - options.firstCount : 0,
    total: and.format(totals.map((t) => t.amount)),
    totals,
    beforeDue: invoices.every((invoice) => invoice.daysOverdue < 0),
    maxDaysOverdue: Math.max(0, ...invoices.map((invoice) => invoice.daysOverdue)),
    contact: or.format(
      [sender.phone, sender.email].filter((value) => value !== "").slice(0, options.brief ? 1 : 2),
    ),
    paymentLine: [
      ...(instructions.length > 0
        ? instructions.slice(0, options.brief ? 1 : undefined)
        : [payAsInvoiced]),
      ...referenceLines.slice(0, reference ? 1 : options.referenceCount),
    ]
      .filter((line) => line !== "")
      .join(", "),
    paymentLines,
    invoiceTable: INVOICE_TABLE_MARK,
    paymentDetails: PAYMENT_DETAILS_MARK,
    labels,
    validationEnds: input.validationEnds ? date(input.validationEnds) : "",
    debtCollector: input.debtCollector === true,
    charges,
  };
}

/** The rows a table of invoices shows, in the context's labels and formats. */
export function invoiceTableRows(context: TemplateContext): {
  readonly header: readonly [string, string, string, string];
  readonly rows: readonly (readonly [string, string, string, string])[];
  readonly totals: readonly (readonly [string, string])[];
} {
  const { labels } = context;
  const several = context.totals.length > 1;
  return {
    header: [labels.invoice, labels.dueDate, labels.daysOverdue, labels.openAmount],
    rows: [
      ...context.invoices.map(
        (invoice) =>
          [
            invoice.number,
            invoice.dueDate,
            invoice.daysOverdue < 0 ? labels.notYetDue : String(invoice.daysOverdue),
            invoice.amount,
          ] as const,
      ),
      ...context.charges.map((charge) => [charge.label, "", "", charge.amount] as const),
    ],
    totals: context.totals.map((total) => [
      several ? `${labels.total} ${total.currency}` : labels.total,
      total.amount,
    ]),
  };
}
