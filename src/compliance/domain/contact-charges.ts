import type { CalendarDate } from "../../kernel/calendar-date.js";
import { currency } from "../../kernel/money.js";
import { lateCharges } from "./late-charges.js";
import type { DebtorKind, LatePaymentRules } from "./late-payment-rules.js";

/** EU member states other than those with rules of their own follow the directive's defaults. */
const EU_MEMBER_STATES = new Set([
  "AT",
  "BE",
  "BG",
  "CY",
  "CZ",
  "DE",
  "DK",
  "EE",
  "ES",
  "FI",
  "FR",
  "GR",
  "HR",
  "HU",
  "IE",
  "IT",
  "LT",
  "LU",
  "LV",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SE",
  "SI",
  "SK",
]);

/** The late-payment jurisdiction of a debtor's country: its own rules, else the EU's, else none. */
export function jurisdictionFor(rules: LatePaymentRules, country: string): string | undefined {
  const own = country === "GB" ? "UK" : country;
  if (rules.jurisdictions.has(own)) return own;
  return EU_MEMBER_STATES.has(country) && rules.jurisdictions.has("EU") ? "EU" : undefined;
}

export type ChargeRequest = {
  readonly kinds: readonly ("interest" | "compensation" | "reminder-fee")[];
  readonly reminderFeeAgreed: boolean;
};

/** One charge on one invoice, and why: the rule it follows and, for interest, its rates and period. */
export type InvoiceCharge = {
  readonly invoiceNumber: string;
  readonly kind: "interest" | "fixed_compensation" | "reminder_fee";
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly cite: string;
  readonly interest?: {
    readonly rates: readonly string[];
    readonly principalMinor: bigint;
    readonly days: number;
    readonly from: CalendarDate;
    readonly until: CalendarDate;
  };
};

const KIND = {
  interest: "interest",
  fixed_compensation: "compensation",
  reminder_fee: "reminder-fee",
} as const;

/**
 * The charges a step asks for, on each invoice of a contact, as far as the debtor's law
 * allows them (docs/interest.md): nothing in a country without late-payment rules, nothing the
 * law does not give, and an error (never a guess) where a reference rate is not known.
 */
export function contactCharges(
  rules: LatePaymentRules,
  request: ChargeRequest,
  debtor: { readonly country: string; readonly kind: string },
  invoices: readonly {
    readonly number: string;
    readonly dueDate: CalendarDate;
    readonly openMinor: bigint;
    readonly currency: string;
  }[],
  asOf: CalendarDate,
): InvoiceCharge[] {
  const code = jurisdictionFor(rules, debtor.country);
  const jurisdiction = code ? rules.jurisdictions.get(code) : undefined;
  if (!jurisdiction || request.kinds.length === 0) return [];
  // Where no rule for this kind of debtor ships (IT consumers), nothing is added.
  if (jurisdiction.debtors[debtor.kind as DebtorKind]?.interest === "refuse") return [];
  return invoices.flatMap((invoice) => {
    // A rule is written for one currency: an invoice in another one gets nothing added.
    if (invoice.currency !== jurisdiction.currency.code) return [];
    return lateCharges({
      rules: jurisdiction,
      tables: rules.tables,
      invoice: {
        open: { minor: invoice.openMinor, currency: currency(invoice.currency) },
        dueDate: invoice.dueDate,
      },
      asOf,
      debtor: debtor.kind as DebtorKind,
      reminderFeeAgreedAtOrigin: request.reminderFeeAgreed,
    })
      .filter((line) => request.kinds.includes(KIND[line.kind]))
      .map(({ kind, amount, basis }): InvoiceCharge => {
        const { rates, principal, days, from, until } = basis;
        return {
          invoiceNumber: invoice.number,
          kind,
          amountMinor: amount.minor,
          currency: invoice.currency,
          cite: basis.cite,
          ...(rates && principal && days !== undefined && from && until
            ? { interest: { rates, principalMinor: principal.minor, days, from, until } }
            : {}),
        };
      });
  });
}
