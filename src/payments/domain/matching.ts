/**
 * Matches incoming bank credits to open invoices (issue #6, item 3). Pure: no database, no
 * clock; the caller builds a `PaymentMatcher` from the open ledger, asks it for a proposal per
 * statement line, and tells it which proposals it applied.
 *
 * Rules, in order; the first that decides wins:
 * 1. A valid structured reference (the `reference` field, or an `RF…` reference printed in the
 *    free text) names an invoice, else a customer. An invalid one (check digit fails) is
 *    ignored and the next rules run.
 * 2. Invoice numbers in the free text. When that does not give the exact open amount, rule 3
 *    runs too and the more confident of the two is proposed.
 * 3. Amount + customer: the payer found by bank account, else by company name; then exactly one
 *    open invoice of that amount, or exactly one combination of open invoices adding up to it.
 * 4. Otherwise `none`, for the review queue.
 *
 * Confidence (the default threshold is 90: a valid structured reference, or the invoice number
 * in the text with the exact open amount, applies automatically; nothing else does):
 *
 * | rule                | situation                                                  | conf |
 * |---------------------|------------------------------------------------------------|-----:|
 * | reference           | invoice, exact open amount                                 |  100 |
 * | reference           | invoice, partial payment or over-payment (rest is credit)  |   95 |
 * | reference           | customer, one open invoice of exactly that amount          |   95 |
 * | reference           | customer, oldest invoices first (also several equal ones)  |   90 |
 * | reference           | customer with nothing open in that currency: all credit    |   50 |
 * | reference           | invoice already paid (a second payment?)                   |   40 |
 * | reference           | names two invoices/customers alike                         |   30 |
 * | reference           | invoice or customer in another currency                    |   20 |
 * | invoice-number      | one customer's invoice(s), amount = their open total       |   95 |
 * | invoice-number      | partial payment of the quoted invoice(s)                   |   70 |
 * | invoice-number      | over-payment of the quoted invoice(s)                      |   65 |
 * | invoice-number      | several quoted, the amount equals just one of them         |   60 |
 * | invoice-number      | quoted number fits several invoices, or several customers  |   30 |
 * | invoice-number      | quoted invoice already paid                                |   30 |
 * | invoice-number      | quoted invoice in another currency                         |   20 |
 * | amount-and-customer | payer's account, one open invoice of that amount           |   85 |
 * | amount-and-customer | payer's name, one open invoice of that amount              |   80 |
 * | amount-and-customer | payer's account, one combination of open invoices          |   75 |
 * | amount-and-customer | payer's name, one combination of open invoices             |   70 |
 * | amount-and-customer | name found only as the one clear winner (truncated name)   |  −5  |
 * | amount-and-customer | payer has several open invoices of exactly that amount     |   30 |
 * | (any)               | after rule 2 found look-alike numbers: at most             |   30 |
 * | none                | nothing fits, or the payer is ambiguous/unknown            |    0 |
 *
 * Speed: the constructor builds every index once (O(n log n) for n invoices); `propose` does a
 * handful of map lookups per token of free text plus bounded work per customer, so 100,000
 * lines against 1,000,000 invoices stay far from any quadratic step (measured by
 * bench/match-quality.js). Invoices are kept in typed columns (about 40 bytes each, plus one
 * number-keyed map entry for a number like "INV-0001234"), not as objects.
 */

import type { CalendarDate } from "../../kernel/calendar-date.js";
import { OverdueError } from "../../kernel/errors.js";
import { findCurrency, formatAmountForHumans } from "../../kernel/money.js";

export type OpenInvoiceForMatching = {
  readonly id: string;
  readonly number: string;
  readonly customerId: string;
  readonly currency: string;
  readonly openMinor: bigint;
  readonly dueDate: CalendarDate;
};

export type CustomerForMatching = {
  readonly id: string;
  readonly name: string;
  /** Bank accounts this customer has paid from before. */
  readonly accounts: readonly string[];
};

export type IncomingCredit = {
  readonly key: string;
  /** Greater than zero. */
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly reference: string | null;
  readonly remittance: string;
  readonly counterpartyName: string | null;
  readonly counterpartyAccount: string | null;
};

/** Supplied by the caller: turns a structured reference into the base it was made from, or null when it is not a valid reference. */
export type ReferenceDecoder = (reference: string) => { kind: "rf" | "ocr"; base: string } | null;

export type NumberKind = "rf" | "ocr" | "text";

export type MatchRule = "reference" | "invoice-number" | "amount-and-customer" | "none";

export type MatchAllocation = { readonly invoiceId: string; readonly minor: bigint };

export type MatchProposal = {
  readonly key: string;
  readonly rule: MatchRule;
  /** Integer 0–100. */
  readonly confidence: number;
  /** Whose invoices the allocations pay (always one customer's; not necessarily the payer). */
  readonly customerId: string | null;
  /** Sums to at most the amount. */
  readonly allocations: readonly MatchAllocation[];
  /** Amount − allocations: kept as the customer's credit (over-payment). */
  readonly creditMinor: bigint;
  /** One plain sentence a bookkeeper understands. */
  readonly reason: string;
};

export type PaymentMatcherOptions = {
  readonly decodeReference: ReferenceDecoder;
  readonly normaliseNumber: (number: string, kind: NumberKind) => string;
};

export const DEFAULT_AUTO_APPLY_THRESHOLD = 90;

export function appliesAutomatically(
  proposal: MatchProposal,
  threshold: number = DEFAULT_AUTO_APPLY_THRESHOLD,
): boolean {
  return (
    proposal.rule !== "none" && proposal.allocations.length > 0 && proposal.confidence >= threshold
  );
}

/** RF bases and free text: upper-case A–Z and 0–9 only; OCR: digits only. */
export function defaultNormaliseNumber(number: string, kind: NumberKind): string {
  return kind === "ocr"
    ? number.replace(/\D+/g, "")
    : number.toUpperCase().replace(/[^A-Z0-9]+/g, "");
}

/**
 * A bare all-digit token in free text counts as an invoice number only from this many digits.
 * Shorter runs are years (2026), quantities, four-digit amounts, five-digit postcodes (SE, IT,
 * US) and times; in a ledger of a million invoices nearly every short number exists, so one of
 * those would name somebody's invoice by accident. A number with letters ("INV1234") or a
 * prefix written apart ("INV 0001234") has no minimum.
 */
export const MIN_DIGITS_IN_BARE_NUMBER = 6;

/**
 * Combination search bound: at most this many open invoices of the customer in the currency
 * (more goes to review) and at most this many search steps (each step includes or skips one
 * invoice). 2^20 subsets are never enumerated: branches whose remaining invoices cannot reach
 * the amount are cut, and the search stops at the second solution or at the step budget.
 */
export const MAX_INVOICES_FOR_COMBINATIONS = 20;
export const MAX_COMBINATION_STEPS = 5_000;

/** A counterparty name shorter than this is never completed to a longer customer name. */
export const MIN_NAME_PREFIX = 8;

const CONFIDENCE = {
  referenceExact: 100,
  referencePartOrOver: 95,
  customerReferenceEqual: 95,
  customerReferenceOldest: 90,
  customerReferenceNothingOpen: 50,
  alreadyPaid: 40,
  ambiguous: 30,
  otherCurrency: 20,
  textExact: 95,
  textPartial: 70,
  textOverpayment: 65,
  textOneOfSeveral: 60,
  textAlreadyPaid: 30,
  accountOneInvoice: 85,
  nameOneInvoice: 80,
  accountCombination: 75,
  nameCombination: 70,
  clearWinnerPenalty: 5,
} as const;

/** Company-law suffixes (and a few prefixes) that payers' banks write, drop or spell otherwise. */
const LEGAL_FORMS = new Set(
  (
    "ab publ aktiebolag aktiebolaget hb kb ek oy oyj as asa aps ltd limited plc llp lp co company " +
    "corp corporation inc incorporated llc pllc srl srls spa sas snc sapa scarl sc coop gmbh ag " +
    "kg ohg ug bv nv sa sarl sl the"
  ).split(" "),
);
const CONNECTORS = new Set(["and", "och", "e", "und", "of"]);

/**
 * Lower-case, without accents, punctuation or legal form: "Lombardi Tessuti S.r.l." and
 * "LOMBARDI TESSUTI SRL" are both "lombardi tessuti"; "Älvdal AB" is "alvdal".
 */
export function normaliseCompanyName(name: string): string {
  // Most names are plain ASCII: no accents to strip, no letters to spell out.
  const plain = (ASCII.test(name) ? name : foldLetters(name))
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[.']/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
  const words = plain.split(" ").filter((word) => word !== "");
  let start = 0;
  let end = words.length;
  const droppable = (word: string | undefined) =>
    word !== undefined && (LEGAL_FORMS.has(word) || CONNECTORS.has(word));
  while (end - start > 1 && droppable(words[end - 1])) end -= 1;
  while (end - start > 1 && droppable(words[start])) start += 1;
  return words.slice(start, end).join(" ");
}

const ASCII = /^[\x20-\x7e]*$/;

/** Accents off, and the letters that do not decompose spelled out: "Älvdal Øst" → "alvdal ost". */
function foldLetters(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/ß/g, "ss")
    .replace(/æ/g, "ae")
    .replace(/[øœ]/g, "o")
    .replace(/ł/g, "l");
}

/** Bank accounts compare without spaces, dashes or case: "SE45 5000 0000" = "se4550000000". */
export function normaliseAccount(account: string): string {
  return account.toUpperCase().replace(/[^A-Z0-9]+/g, "");
}

/** "INV0001234" → "INV1234": payers drop leading zeros ("INV-1234"); one key finds both. */
function foldLeadingZeros(key: string): string {
  return key.replace(/(^|[^0-9])0+(?=[0-9])/g, "$1");
}

const NO_SLOT = -1;
const ALL_DIGITS = /^[0-9]+$/;
const HAS_DIGIT = /[0-9]/;
const HAS_LETTER = /[A-Z]/;
/** 1,234.50 / 1.234,50 / 1250,00 / 1 250.00 are amounts, not invoice numbers. */
const AMOUNT_TOKEN = /^[-+]?\d{1,3}(?:[.,']\d{3})*[.,]\d{1,3}[,;:.]?$|^[-+]?\d+[.,]\d{2}[,;:.]?$/;
/** 2026-03-15, 15.03.2026, 15/03/26, 2026.03.15: dates, whose digits would join into numbers. */
const DATE_TOKEN =
  /^\d{4}[-./]\d{1,2}[-./]\d{1,2}[,;:.]?$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}[,;:.]?$/;
const COMPACT_DATE = /^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/;
const RF_START = /^RF\d\d/;
/** Separators that join tokens apart from the ones that keep a number whole ("INV-0001234"). */
const PIECE_SEPARATORS = /[,;:/+&|()[\]{}]+/;
/** A marker between tokens that must not be joined (a skipped date or amount). */
const BREAK = "";

/** Keys that name one or several slots; most keys name one, so they cost no array. */
class SlotIndex<Key> {
  private readonly single = new Map<Key, number>();
  private readonly several = new Map<Key, number[]>();

  get size(): number {
    return this.single.size;
  }

  add(key: Key, slot: number): void {
    const first = this.single.get(key);
    if (first === undefined) {
      this.single.set(key, slot);
    } else if (first !== NO_SLOT) {
      if (first === slot) return;
      this.single.set(key, NO_SLOT);
      this.several.set(key, [first, slot]);
    } else {
      const list = this.several.get(key);
      if (list && list[list.length - 1] !== slot) list.push(slot);
    }
  }

  get(key: Key): readonly number[] {
    const first = this.single.get(key);
    if (first === undefined) return [];
    return first === NO_SLOT ? (this.several.get(key) ?? []) : [first];
  }

  keys(): IterableIterator<Key> {
    return this.single.keys();
  }
}

/** 15 digits stay exact in a double, so a digit run up to this long can be a number key. */
const MAX_VALUE_DIGITS = 15;
/** Bare digits are looked up under each prefix while there are at most this many prefixes. */
const MAX_PREFIXES_SCANNED = 16;

/** Where the digits start in "letters then 1–15 digits" ("INV0001234" → 3), else −1. */
function valuePrefixLength(key: string): number {
  let at = 0;
  while (at < key.length && key.charCodeAt(at) > 57) at += 1;
  const digits = key.length - at;
  if (digits === 0 || digits > MAX_VALUE_DIGITS) return -1;
  for (let next = at; next < key.length; next++) {
    const code = key.charCodeAt(next);
    if (code < 48 || code > 57) return -1;
  }
  return at;
}

function digitValue(key: string, from: number): number {
  let value = 0;
  for (let at = from; at < key.length; at++) value = value * 10 + (key.charCodeAt(at) - 48);
  return value;
}

/**
 * Invoice numbers by what a payer may write, from their normalised text. Most numbers are
 * letters then digits ("INV0001234" → prefix "INV", value 1234): they are kept per prefix under
 * the value, which ignores leading zeros ("INV-1234" finds it) and costs a number key instead of
 * a string. Bare digits ("0001234") are looked up under every prefix (there are few; past
 * MAX_PREFIXES_SCANNED a value index is built instead). Numbers of any other shape are kept
 * under their zero-folded text and digits.
 */
class InvoiceNumberIndex {
  private readonly byPrefix = new Map<string, SlotIndex<number>>();
  private byValue: SlotIndex<number> | null = null;
  private readonly byText = new SlotIndex<string>();
  private readonly byDigits = new SlotIndex<string>();
  private lastPrefix = "";
  private lastPrefixIndex: SlotIndex<number> | null = null;

  add(textKey: string, slot: number): void {
    const prefixLength = valuePrefixLength(textKey);
    if (prefixLength >= 0) {
      this.prefixIndex(textKey, prefixLength).add(digitValue(textKey, prefixLength), slot);
      return;
    }
    const folded = foldLeadingZeros(textKey);
    this.byText.add(folded, slot);
    const digits = foldLeadingZeros(textKey.replace(/\D+/g, ""));
    if (digits !== "" && digits !== folded) this.byDigits.add(digits, slot);
  }

  /** Call once after the last `add`. */
  finish(): void {
    if (this.byPrefix.size <= MAX_PREFIXES_SCANNED) return;
    const byValue = new SlotIndex<number>();
    for (const [prefix, index] of this.byPrefix) {
      if (prefix === "") continue;
      for (const value of index.keys())
        for (const slot of index.get(value)) byValue.add(value, slot);
    }
    this.byValue = byValue;
  }

  /** Invoices whose number reads as `key` (normalised text: letters and digits, or digits only). */
  find(key: string): number[] {
    const found = new Set<number>();
    const take = (slots: readonly number[] | undefined) => {
      for (const slot of slots ?? []) found.add(slot);
    };
    const prefixLength = valuePrefixLength(key);
    if (prefixLength > 0) {
      take(this.byPrefix.get(key.slice(0, prefixLength))?.get(digitValue(key, prefixLength)));
    } else if (prefixLength === 0) {
      const value = digitValue(key, 0);
      for (const [prefix, index] of this.byPrefix) {
        if (prefix === "" || this.byValue === null) take(index.get(value));
      }
      take(this.byValue?.get(value));
    }
    const folded = foldLeadingZeros(key);
    take(this.byText.get(folded));
    if (ALL_DIGITS.test(key)) take(this.byDigits.get(folded));
    return [...found];
  }

  private prefixIndex(textKey: string, prefixLength: number): SlotIndex<number> {
    if (
      this.lastPrefixIndex !== null &&
      prefixLength === this.lastPrefix.length &&
      textKey.startsWith(this.lastPrefix)
    ) {
      return this.lastPrefixIndex;
    }
    const prefix = textKey.slice(0, prefixLength);
    let index = this.byPrefix.get(prefix);
    if (!index) {
      index = new SlotIndex<number>();
      this.byPrefix.set(prefix, index);
    }
    this.lastPrefix = prefix;
    this.lastPrefixIndex = index;
    return index;
  }
}

/** Typed columns that grow while an iterable of unknown length is read. */
class GrowingColumns {
  length = 0;
  customer = new Int32Array(1024);
  currency = new Uint16Array(1024);
  due = new Int32Array(1024);
  open = new BigInt64Array(1024);

  push(customer: number, currency: number, due: number, open: bigint): void {
    if (this.length === this.customer.length) {
      const size = this.length * 2;
      this.customer = grown(this.customer, new Int32Array(size));
      this.currency = grown(this.currency, new Uint16Array(size));
      this.due = grown(this.due, new Int32Array(size));
      this.open = grown(this.open, new BigInt64Array(size));
    }
    const at = this.length;
    this.customer[at] = customer;
    this.currency[at] = currency;
    this.due[at] = due;
    this.open[at] = open;
    this.length += 1;
  }
}

function grown<T extends Int32Array | Uint16Array | BigInt64Array>(from: T, to: T): T {
  (to as Int32Array).set(from as Int32Array);
  return to;
}

const MAX_INT64 = 2n ** 63n - 1n;

/** "2026-03-15" → 20260315: a sortable integer, 4 bytes instead of a string per invoice. */
function dueKey(date: string): number {
  return (
    Number(date.slice(0, 4)) * 10_000 + Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10))
  );
}

type SlotAllocation = { readonly slot: number; readonly minor: bigint };

/** A proposal while it is being made: slots, not ids. */
type Draft = {
  readonly rule: MatchRule;
  readonly confidence: number;
  readonly customer: number;
  readonly allocations: readonly SlotAllocation[];
  readonly reason: string;
  /** The line fits more than one invoice or customer: no later rule may lift the confidence. */
  readonly ambiguous?: boolean;
};

type FoundCustomer =
  | {
      readonly found: true;
      readonly slot: number;
      readonly via: "account" | "name";
      readonly clearWinner: boolean;
    }
  | { readonly found: false; readonly problem: string | null };

type FoundReference =
  | {
      readonly valid: true;
      readonly text: string;
      readonly kind: "rf" | "ocr";
      readonly base: string;
    }
  | { readonly valid: false; readonly text: string };

export class PaymentMatcher {
  private readonly decodeReference: ReferenceDecoder;
  private readonly normaliseNumber: (number: string, kind: NumberKind) => string;

  private readonly customerIds: string[] = [];
  private readonly customerNames: string[] = [];
  private readonly customerSlotById = new Map<string, number>();
  private readonly customersByAccount = new SlotIndex<string>();
  private readonly customersByName = new SlotIndex<string>();
  private readonly customersByReference = new SlotIndex<string>();
  private readonly sortedNames: string[];

  private readonly currencyCodes: string[] = [];
  private readonly currencySlots = new Map<string, number>();

  private readonly invoiceIds: string[] = [];
  private readonly invoiceNumbers: string[] = [];
  private readonly invoiceCustomer: Int32Array;
  private readonly invoiceCurrency: Uint16Array;
  private readonly invoiceDue: Int32Array;
  /** What is open now: lowered by `apply`. */
  private readonly openMinor: BigInt64Array;
  /** What was open when the index was built: the order of `byAmount`. */
  private readonly originalOpenMinor: BigInt64Array;

  private readonly invoicesByNumber = new InvoiceNumberIndex();
  /** RF/OCR keys that `invoicesByNumber` does not reach (only with an unusual `normaliseNumber`). */
  private readonly invoicesByOtherReference = new SlotIndex<string>();

  /** Invoice slots grouped per customer: `customerStart[c]` to `customerStart[c + 1]`. */
  private readonly customerStart: Int32Array;
  /** Each customer's group sorted by currency, due date, number. */
  private readonly byDue: Int32Array;
  /** Each customer's group sorted by currency, original open amount, due date, number. */
  private readonly byAmount: Int32Array;
  /** Invoices partly paid by `apply`: `byAmount` no longer finds them by their open amount. */
  private readonly partlyPaid = new Map<number, Set<number>>();
  /** Per customer and currency, the first `byDue` position that may still be open. */
  private readonly firstOpen = new Map<number, number>();
  private readonly proposalSlots = new WeakMap<MatchProposal, readonly number[]>();

  /**
   * Reads `invoices` once and keeps none of the objects it is given (a caller may hand the same
   * object over again, refilled, for every invoice).
   */
  constructor(
    invoices: Iterable<OpenInvoiceForMatching>,
    customers: Iterable<CustomerForMatching>,
    options: PaymentMatcherOptions,
  ) {
    this.decodeReference = options.decodeReference;
    this.normaliseNumber = options.normaliseNumber;

    for (const customer of customers) this.addCustomer(customer);

    const columns = new GrowingColumns();
    for (const invoice of invoices) {
      if (invoice.openMinor <= 0n) continue;
      if (invoice.openMinor > MAX_INT64) {
        throw new OverdueError(
          "amount_too_large",
          `invoice ${invoice.number} is open for more than 2^63 minor units`,
        );
      }
      const slot = columns.length;
      const customer =
        this.customerSlotById.get(invoice.customerId) ??
        this.addCustomer({ id: invoice.customerId, name: "", accounts: [] });
      columns.push(
        customer,
        this.currencySlot(invoice.currency),
        dueKey(invoice.dueDate),
        invoice.openMinor,
      );
      this.invoiceIds.push(invoice.id);
      this.invoiceNumbers.push(invoice.number);
      this.indexInvoiceNumber(invoice.number, slot);
    }
    this.invoicesByNumber.finish();
    const count = columns.length;
    this.invoiceCustomer = columns.customer.slice(0, count);
    this.invoiceCurrency = columns.currency.slice(0, count);
    this.invoiceDue = columns.due.slice(0, count);
    this.openMinor = columns.open.slice(0, count);
    this.originalOpenMinor = this.openMinor.slice();

    this.sortedNames = [...this.customersByName.keys()].sort();
    this.customerStart = new Int32Array(this.customerIds.length + 1);
    for (let slot = 0; slot < count; slot++) {
      const at = (this.invoiceCustomer[slot] ?? 0) + 1;
      this.customerStart[at] = (this.customerStart[at] ?? 0) + 1;
    }
    for (let c = 0; c < this.customerIds.length; c++) {
      this.customerStart[c + 1] = (this.customerStart[c + 1] ?? 0) + (this.customerStart[c] ?? 0);
    }
    const fill = this.customerStart.slice(0, this.customerIds.length);
    this.byDue = new Int32Array(count);
    for (let slot = 0; slot < count; slot++) {
      const customer = this.invoiceCustomer[slot] ?? 0;
      const at = fill[customer] ?? 0;
      this.byDue[at] = slot;
      fill[customer] = at + 1;
    }
    this.byAmount = this.byDue.slice();
    const byDueDate = (a: number, b: number) => this.compareByDue(a, b);
    const byOpenAmount = (a: number, b: number) => {
      const currency = (this.invoiceCurrency[a] ?? 0) - (this.invoiceCurrency[b] ?? 0);
      if (currency !== 0) return currency;
      const amountA = this.originalOpenMinor[a] ?? 0n;
      const amountB = this.originalOpenMinor[b] ?? 0n;
      return amountA < amountB ? -1 : amountA > amountB ? 1 : this.compareByDue(a, b);
    };
    for (let c = 0; c < this.customerIds.length; c++) {
      const from = this.customerStart[c] ?? 0;
      const to = this.customerStart[c + 1] ?? 0;
      if (to - from < 2) continue;
      this.byDue.subarray(from, to).sort(byDueDate);
      this.byAmount.subarray(from, to).sort(byOpenAmount);
    }
  }

  /** Proposes a match for one credit; pure with respect to the index. */
  propose(credit: IncomingCredit): MatchProposal {
    if (credit.amountMinor <= 0n) {
      return this.finish(credit, {
        rule: "none",
        confidence: 0,
        customer: NO_SLOT,
        allocations: [],
        reason: "Only incoming payments (credits) are matched to invoices.",
      });
    }
    const currency = this.currencySlots.get(credit.currency) ?? NO_SLOT;
    const reference = this.findReference(credit);
    if (reference?.valid) {
      const byReference = this.matchReference(credit, currency, reference);
      if (byReference) return this.finish(credit, byReference);
    }
    const note =
      reference === null
        ? null
        : reference.valid
          ? `the reference ${reference.text} names no open invoice or customer`
          : `the reference ${reference.text} was ignored because its check digits are wrong`;

    const byNumber = this.matchNumbersInText(credit, currency);
    if (byNumber && byNumber.confidence >= CONFIDENCE.textExact)
      return this.finish(credit, byNumber, note);
    const byAmount = this.matchAmountAndCustomer(credit, currency);
    const best =
      byNumber && (!byAmount || byNumber.confidence >= byAmount.confidence) ? byNumber : byAmount;
    if (byNumber?.ambiguous && best && best !== byNumber) {
      // The amount may well point at one of the look-alikes; a person confirms it.
      const capped = Math.min(best.confidence, CONFIDENCE.ambiguous);
      const reason = `${byNumber.reason.slice(0, -1)}; ${best.reason.charAt(0).toLowerCase()}${best.reason.slice(1)}`;
      return this.finish(credit, { ...best, confidence: capped, reason }, note);
    }
    return this.finish(
      credit,
      best ?? {
        rule: "none",
        confidence: 0,
        customer: NO_SLOT,
        allocations: [],
        reason:
          "Neither a reference, an invoice number nor a known payer points to an open invoice.",
      },
      note,
    );
  }

  /**
   * Records that a proposal was applied, so a later line cannot take the same open balance
   * again. Throws `match_stale` (and changes nothing) when an allocation is more than is open
   * now, e.g. a proposal made before another one was applied to the same invoice.
   */
  apply(proposal: MatchProposal): void {
    const slots = this.proposalSlots.get(proposal) ?? this.slotsOf(proposal);
    const taken = new Map<number, bigint>();
    proposal.allocations.forEach((allocation, index) => {
      const slot = slots[index] ?? NO_SLOT;
      const total = (taken.get(slot) ?? 0n) + allocation.minor;
      const open = this.openMinor[slot] ?? 0n;
      if (allocation.minor <= 0n || total > open) {
        throw new OverdueError(
          "match_stale",
          `invoice ${allocation.invoiceId} has ${this.money(open, slot)} open, less than the ${this.money(total, slot)} this match takes; propose the line again`,
        );
      }
      taken.set(slot, total);
    });
    for (const [slot, minor] of taken) {
      const open = (this.openMinor[slot] ?? 0n) - minor;
      this.openMinor[slot] = open;
      const customer = this.invoiceCustomer[slot] ?? 0;
      const partly = this.partlyPaid.get(customer) ?? new Set<number>();
      if (open > 0n) {
        this.partlyPaid.set(customer, partly.add(slot));
      } else {
        partly.delete(slot);
        this.advanceFirstOpen(customer, this.invoiceCurrency[slot] ?? 0);
      }
    }
  }

  private addCustomer(customer: CustomerForMatching): number {
    const known = this.customerSlotById.get(customer.id);
    const slot = known ?? this.customerIds.length;
    if (known === undefined) {
      this.customerIds.push(customer.id);
      this.customerNames.push(customer.name);
      this.customerSlotById.set(customer.id, slot);
    }
    const name = normaliseCompanyName(customer.name);
    if (name !== "") this.customersByName.add(name, slot);
    for (const account of customer.accounts) {
      const key = normaliseAccount(account);
      if (key !== "") this.customersByAccount.add(key, slot);
    }
    for (const kind of ["rf", "ocr"] as const) {
      const key = this.normaliseNumber(customer.id, kind);
      if (key !== "") this.customersByReference.add(`${kind}:${key}`, slot);
    }
    return slot;
  }

  private currencySlot(code: string): number {
    let slot = this.currencySlots.get(code);
    if (slot === undefined) {
      slot = this.currencyCodes.length;
      this.currencyCodes.push(code);
      this.currencySlots.set(code, slot);
    }
    return slot;
  }

  private indexInvoiceNumber(number: string, slot: number): void {
    const textKey = this.normaliseNumber(number, "text");
    if (textKey !== "") this.invoicesByNumber.add(textKey, slot);
    // References are compared exactly; the number index finds the candidates, so a kind gets
    // its own entry only when the index would not find it (never with the default normaliser).
    const valueAt = valuePrefixLength(textKey);
    for (const kind of ["rf", "ocr"] as const) {
      const key = this.normaliseNumber(number, kind);
      if (key === "" || key === textKey) continue;
      // The digits of "INV0001234" are found by value under every prefix: no need to look.
      if (valueAt >= 0 && key === textKey.slice(valueAt)) continue;
      if (this.invoicesByNumber.find(this.normaliseNumber(key, "text")).includes(slot)) continue;
      this.invoicesByOtherReference.add(`${kind}:${key}`, slot);
    }
  }

  private compareByDue(a: number, b: number): number {
    const currency = (this.invoiceCurrency[a] ?? 0) - (this.invoiceCurrency[b] ?? 0);
    if (currency !== 0) return currency;
    const due = (this.invoiceDue[a] ?? 0) - (this.invoiceDue[b] ?? 0);
    if (due !== 0) return due;
    const numberA = this.invoiceNumbers[a] ?? "";
    const numberB = this.invoiceNumbers[b] ?? "";
    return numberA < numberB ? -1 : numberA > numberB ? 1 : a - b;
  }

  // ---- rule 1: structured references -------------------------------------------------------

  /** The structured reference field, else an `RF…` reference printed in the free text. */
  private findReference(credit: IncomingCredit): FoundReference | null {
    const field = credit.reference?.trim() ?? "";
    if (field !== "") {
      const decoded = this.decodeReference(field);
      if (decoded) return { valid: true, text: field, ...decoded };
    }
    const inText = this.referenceInText(credit.remittance);
    if (inText) return inText;
    return field === "" ? null : { valid: false, text: field };
  }

  /**
   * RF references are printed in groups of four ("RF18 5390 0754 7034"); the groups after the
   * first are joined while they are at most four characters, and the longest join that checks
   * out is taken. OCR numbers are not looked for in free text: a check digit that fails one
   * time in ten would turn many plain numbers into references.
   */
  private referenceInText(text: string): FoundReference | null {
    if (!/rf\d\d/i.test(text)) return null;
    const words = text.split(/\s+/).map((word) => word.toUpperCase().replace(/[^A-Z0-9]+/g, ""));
    for (let i = 0; i < words.length; i++) {
      const first = words[i] ?? "";
      if (!RF_START.test(first)) continue;
      let joined = first;
      let best: FoundReference | null = null;
      const tryJoined = () => {
        const decoded = joined.length <= 25 ? this.decodeReference(joined) : null;
        if (decoded?.kind === "rf") best = { valid: true, text: joined, ...decoded };
      };
      tryJoined();
      for (let j = i + 1; first.length === 4 && j < words.length; j++) {
        const group = words[j] ?? "";
        if (group === "" || group.length > 4 || joined.length + group.length > 25) break;
        joined += group;
        tryJoined();
      }
      if (best) return best;
    }
    return null;
  }

  private matchReference(
    credit: IncomingCredit,
    currency: number,
    reference: { text: string; kind: "rf" | "ocr"; base: string },
  ): Draft | null {
    const invoices = this.invoicesForReference(reference.kind, reference.base);
    const shown = reference.text;
    if (invoices.length > 1) {
      return {
        rule: "reference",
        confidence: CONFIDENCE.ambiguous,
        customer: this.commonCustomer(invoices),
        allocations: [],
        reason: `The reference ${shown} fits ${invoices.length} invoices (${this.numbers(invoices)}), so a person must choose.`,
      };
    }
    const invoice = invoices[0];
    if (invoice !== undefined)
      return this.payNamedInvoice(credit, currency, invoice, `The reference ${shown}`);

    const customers = this.customersByReference.get(`${reference.kind}:${reference.base}`);
    if (customers.length > 1) {
      return {
        rule: "reference",
        confidence: CONFIDENCE.ambiguous,
        customer: NO_SLOT,
        allocations: [],
        reason: `The reference ${shown} fits ${customers.length} customers (${customers.map((c) => this.customerIds[c]).join(", ")}), so a person must choose.`,
      };
    }
    const customer = customers[0];
    if (customer === undefined) return null;
    return this.payCustomer(
      credit,
      currency,
      customer,
      `The reference ${shown} names customer ${this.customerLabel(customer)}`,
    );
  }

  private invoicesForReference(kind: "rf" | "ocr", base: string): number[] {
    const candidates = new Set(this.invoicesByNumber.find(this.normaliseNumber(base, "text")));
    for (const slot of this.invoicesByOtherReference.get(`${kind}:${base}`)) candidates.add(slot);
    return [...candidates].filter(
      (slot) => this.normaliseNumber(this.invoiceNumbers[slot] ?? "", kind) === base,
    );
  }

  /** One invoice named with certainty (by reference): exact, partial or over-payment. */
  private payNamedInvoice(
    credit: IncomingCredit,
    currency: number,
    slot: number,
    subject: string,
  ): Draft {
    const customer = this.invoiceCustomer[slot] ?? NO_SLOT;
    const number = this.invoiceNumbers[slot];
    const open = this.openMinor[slot] ?? 0n;
    const paid = this.money(credit.amountMinor, credit.currency);
    if ((this.invoiceCurrency[slot] ?? NO_SLOT) !== currency) {
      return {
        rule: "reference",
        confidence: CONFIDENCE.otherCurrency,
        customer,
        allocations: [],
        reason: `${subject} names invoice ${number}, which is in ${this.currencyCodes[this.invoiceCurrency[slot] ?? 0]}, but the payment is ${paid}.`,
      };
    }
    if (open === 0n) {
      return {
        rule: "reference",
        confidence: CONFIDENCE.alreadyPaid,
        customer,
        allocations: [],
        reason: `${subject} names invoice ${number}, which is already paid, so this may be a second payment.`,
      };
    }
    const amount = credit.amountMinor;
    if (amount === open) {
      return {
        rule: "reference",
        confidence: CONFIDENCE.referenceExact,
        customer,
        allocations: [{ slot, minor: amount }],
        reason: `${subject} names invoice ${number}, and the ${paid} paid is exactly what is open.`,
      };
    }
    if (amount < open) {
      return {
        rule: "reference",
        confidence: CONFIDENCE.referencePartOrOver,
        customer,
        allocations: [{ slot, minor: amount }],
        reason: `${subject} names invoice ${number}; the ${paid} paid is part of the ${this.money(open, credit.currency)} open, and the rest stays open.`,
      };
    }
    return {
      rule: "reference",
      confidence: CONFIDENCE.referencePartOrOver,
      customer,
      allocations: [{ slot, minor: open }],
      reason: `${subject} names invoice ${number}; the ${paid} paid settles its ${this.money(open, credit.currency)} and ${this.money(amount - open, credit.currency)} stays as the customer's credit.`,
    };
  }

  /** A per-customer reference: the invoice of exactly that amount, else the oldest first. */
  private payCustomer(
    credit: IncomingCredit,
    currency: number,
    customer: number,
    subject: string,
  ): Draft {
    const amount = credit.amountMinor;
    const equal = this.openInvoicesOfAmount(customer, currency, amount);
    const first = equal[0];
    if (first !== undefined) {
      return {
        rule: "reference",
        confidence:
          equal.length === 1
            ? CONFIDENCE.customerReferenceEqual
            : CONFIDENCE.customerReferenceOldest,
        customer,
        allocations: [{ slot: first, minor: amount }],
        reason:
          equal.length === 1
            ? `${subject}, and invoice ${this.invoiceNumbers[first]} is the one open for exactly the ${this.money(amount, credit.currency)} paid.`
            : `${subject}, and invoice ${this.invoiceNumbers[first]} is the oldest of ${equal.length} open for exactly the ${this.money(amount, credit.currency)} paid.`,
      };
    }
    const allocations: SlotAllocation[] = [];
    let left = amount;
    for (const slot of this.openInvoicesOldestFirst(customer, currency)) {
      const open = this.openMinor[slot] ?? 0n;
      const minor = open < left ? open : left;
      allocations.push({ slot, minor });
      left -= minor;
      if (left === 0n) break;
    }
    if (allocations.length === 0) {
      return {
        rule: "reference",
        confidence: CONFIDENCE.customerReferenceNothingOpen,
        customer,
        allocations: [],
        reason: `${subject}, who has nothing open in ${credit.currency}, so the ${this.money(amount, credit.currency)} would all be credit.`,
      };
    }
    const credit_ = left > 0n ? ` and ${this.money(left, credit.currency)} stays as credit` : "";
    return {
      rule: "reference",
      confidence: CONFIDENCE.customerReferenceOldest,
      customer,
      allocations,
      reason: `${subject}; no invoice is open for exactly ${this.money(amount, credit.currency)}, so it pays the oldest first (${this.numbers(allocations.map((a) => a.slot))})${credit_}.`,
    };
  }

  // ---- rule 2: invoice numbers in the free text ---------------------------------------------

  /**
   * Tokens of the remittance (and of a reference field that is not a structured reference),
   * with dates and amounts left out. Each token is looked up, and so are joins of two or three
   * adjacent tokens that contain a letter ("INV 0001234", "INV 000 1234"); joins of digits only
   * are not, because "15 03 2026" or "1 250" would become numbers.
   */
  private textKeys(credit: IncomingCredit): string[] {
    const field = credit.reference?.trim() ?? "";
    const referenceShaped =
      ALL_DIGITS.test(field.replace(/\s+/g, "")) || RF_START.test(field.toUpperCase());
    const text =
      field === "" || referenceShaped ? credit.remittance : `${credit.remittance} ${field}`;
    const keys: string[] = [];
    // Amounts and dates are recognised whole, before commas and slashes split the rest.
    for (const word of text.split(/\s+/)) {
      if (word === "") continue;
      if (AMOUNT_TOKEN.test(word) || DATE_TOKEN.test(word)) {
        keys.push(BREAK);
        continue;
      }
      for (const piece of word.split(PIECE_SEPARATORS)) {
        const key = this.normaliseNumber(piece, "text");
        if (key === "") continue;
        if (ALL_DIGITS.test(key) && COMPACT_DATE.test(key)) keys.push(BREAK);
        else keys.push(key);
      }
    }
    return keys;
  }

  private invoicesNamedInText(credit: IncomingCredit): {
    slots: number[];
    ambiguous: { key: string; slots: readonly number[] }[];
  } {
    const keys = this.textKeys(credit);
    const slots = new Set<number>();
    const ambiguous: { key: string; slots: readonly number[] }[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < keys.length; i++) {
      let joined = "";
      for (let length = 1; length <= 3 && i + length <= keys.length; length++) {
        const key = keys[i + length - 1] ?? BREAK;
        if (key === BREAK) break;
        joined += key;
        if (!HAS_DIGIT.test(joined) || seen.has(joined)) continue;
        const digitsOnly = ALL_DIGITS.test(joined);
        if (digitsOnly && (length > 1 || joined.length < MIN_DIGITS_IN_BARE_NUMBER)) continue;
        if (!digitsOnly && length > 1 && !HAS_LETTER.test(joined)) continue;
        seen.add(joined);
        const found = this.invoicesByNumber.find(joined);
        if (found.length > 1) ambiguous.push({ key: joined, slots: found });
        else for (const slot of found) slots.add(slot);
      }
    }
    return { slots: [...slots], ambiguous };
  }

  private matchNumbersInText(credit: IncomingCredit, currency: number): Draft | null {
    const { slots, ambiguous } = this.invoicesNamedInText(credit);
    const firstAmbiguous = ambiguous[0];
    if (firstAmbiguous) {
      return {
        rule: "invoice-number",
        confidence: CONFIDENCE.ambiguous,
        ambiguous: true,
        customer: this.commonCustomer(firstAmbiguous.slots),
        allocations: [],
        reason: `"${firstAmbiguous.key}" in the text fits ${firstAmbiguous.slots.length} invoices (${this.numbers(firstAmbiguous.slots)}), so a person must choose.`,
      };
    }
    if (slots.length === 0) return null;
    const inCurrency = slots.filter((slot) => this.invoiceCurrency[slot] === currency);
    if (inCurrency.length === 0) {
      return {
        rule: "invoice-number",
        confidence: CONFIDENCE.otherCurrency,
        customer: this.commonCustomer(slots),
        allocations: [],
        reason: `The text names ${this.numbers(slots)}, not in ${credit.currency} like the payment.`,
      };
    }
    const customer = this.commonCustomer(inCurrency);
    if (customer === NO_SLOT) {
      return {
        rule: "invoice-number",
        confidence: CONFIDENCE.ambiguous,
        ambiguous: true,
        customer: NO_SLOT,
        allocations: [],
        reason: `The text names invoices of different customers (${this.numbers(inCurrency)}), so a person must choose.`,
      };
    }
    const open = inCurrency
      .filter((slot) => (this.openMinor[slot] ?? 0n) > 0n)
      .sort((a, b) => this.compareByDue(a, b));
    if (open.length === 0) {
      return {
        rule: "invoice-number",
        confidence: CONFIDENCE.textAlreadyPaid,
        customer,
        allocations: [],
        reason: `The text names ${this.numbers(inCurrency)}, already paid, so this may be a second payment.`,
      };
    }
    const amount = credit.amountMinor;
    const total = open.reduce((sum, slot) => sum + (this.openMinor[slot] ?? 0n), 0n);
    const named = this.numbers(open);
    const paid = this.money(amount, credit.currency);
    const payAll = open.map((slot) => ({ slot, minor: this.openMinor[slot] ?? 0n }));
    if (amount === total) {
      return {
        rule: "invoice-number",
        confidence: CONFIDENCE.textExact,
        customer,
        allocations: payAll,
        reason: `The text names ${named}, and the ${paid} paid is exactly what is open.`,
      };
    }
    const exactOne = open.filter((slot) => this.openMinor[slot] === amount);
    const onlyExact = exactOne[0];
    if (exactOne.length === 1 && onlyExact !== undefined) {
      return {
        rule: "invoice-number",
        confidence: CONFIDENCE.textOneOfSeveral,
        customer,
        allocations: [{ slot: onlyExact, minor: amount }],
        reason: `The text names ${named}; the ${paid} paid is exactly what is open on ${this.invoiceNumbers[onlyExact]} alone.`,
      };
    }
    if (amount > total) {
      return {
        rule: "invoice-number",
        confidence: CONFIDENCE.textOverpayment,
        customer,
        allocations: payAll,
        reason: `The text names ${named}; the ${paid} paid is more than the ${this.money(total, credit.currency)} open, and ${this.money(amount - total, credit.currency)} would stay as credit.`,
      };
    }
    const allocations: SlotAllocation[] = [];
    let left = amount;
    for (const slot of open) {
      if (left === 0n) break;
      const due = this.openMinor[slot] ?? 0n;
      const minor = due < left ? due : left;
      allocations.push({ slot, minor });
      left -= minor;
    }
    return {
      rule: "invoice-number",
      confidence: CONFIDENCE.textPartial,
      customer,
      allocations,
      reason: `The text names ${named}; the ${paid} paid is part of the ${this.money(total, credit.currency)} open.`,
    };
  }

  // ---- rule 3: amount and customer -----------------------------------------------------------

  private findPayer(credit: IncomingCredit): FoundCustomer {
    const account = credit.counterpartyAccount ? normaliseAccount(credit.counterpartyAccount) : "";
    if (account !== "") {
      const byAccount = this.customersByAccount.get(account);
      const only = byAccount[0];
      if (byAccount.length === 1 && only !== undefined)
        return { found: true, slot: only, via: "account", clearWinner: false };
      if (byAccount.length > 1) {
        return {
          found: false,
          problem: `the account ${credit.counterpartyAccount} belongs to ${byAccount.length} customers`,
        };
      }
    }
    const name = credit.counterpartyName ? normaliseCompanyName(credit.counterpartyName) : "";
    if (name === "") return { found: false, problem: null };
    const exact = this.customersByName.get(name);
    const only = exact[0];
    if (exact.length === 1 && only !== undefined)
      return { found: true, slot: only, via: "name", clearWinner: false };
    if (exact.length > 1) {
      return {
        found: false,
        problem: `${exact.length} customers are called "${credit.counterpartyName}"`,
      };
    }
    const winner = this.clearWinner(name);
    if (winner !== NO_SLOT) return { found: true, slot: winner, via: "name", clearWinner: true };
    return { found: false, problem: null };
  }

  /**
   * Banks cut long names ("LOMBARDI TESSUTI TORINO S"): the one customer whose name starts with
   * the payer's, else the one named like the payer without its last, possibly cut, word.
   */
  private clearWinner(name: string): number {
    if (name.length < MIN_NAME_PREFIX) return NO_SLOT;
    const startingWith = this.customersWithNamePrefix(name);
    if (startingWith !== NO_SLOT) return startingWith;
    const cut = name.lastIndexOf(" ");
    if (cut < MIN_NAME_PREFIX) return NO_SLOT;
    const shorter = this.customersByName.get(name.slice(0, cut));
    return shorter.length === 1 ? (shorter[0] ?? NO_SLOT) : NO_SLOT;
  }

  /** The single customer whose normalised name starts with `prefix` (binary search), or none. */
  private customersWithNamePrefix(prefix: string): number {
    let low = 0;
    let high = this.sortedNames.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.sortedNames[middle] ?? "") < prefix) low = middle + 1;
      else high = middle;
    }
    let winner = NO_SLOT;
    for (let at = low; at < this.sortedNames.length; at++) {
      const name = this.sortedNames[at] ?? "";
      if (!name.startsWith(prefix)) break;
      const customers = this.customersByName.get(name);
      if (customers.length !== 1 || winner !== NO_SLOT) return NO_SLOT;
      winner = customers[0] ?? NO_SLOT;
    }
    return winner;
  }

  private matchAmountAndCustomer(credit: IncomingCredit, currency: number): Draft | null {
    const payer = this.findPayer(credit);
    if (!payer.found) {
      if (payer.problem === null) return null;
      return {
        rule: "none",
        confidence: 0,
        customer: NO_SLOT,
        allocations: [],
        reason: `The payer cannot be told apart: ${payer.problem}.`,
      };
    }
    const customer = payer.slot;
    const amount = credit.amountMinor;
    const paid = this.money(amount, credit.currency);
    const penalty = payer.clearWinner ? CONFIDENCE.clearWinnerPenalty : 0;
    const who =
      payer.via === "account"
        ? `The payer's account belongs to ${this.customerLabel(customer)}`
        : payer.clearWinner
          ? `The payer "${credit.counterpartyName}" can only be ${this.customerLabel(customer)}`
          : `The payer's name is that of ${this.customerLabel(customer)}`;
    const equal = this.openInvoicesOfAmount(customer, currency, amount);
    const only = equal[0];
    if (equal.length === 1 && only !== undefined) {
      return {
        rule: "amount-and-customer",
        confidence:
          (payer.via === "account" ? CONFIDENCE.accountOneInvoice : CONFIDENCE.nameOneInvoice) -
          penalty,
        customer,
        allocations: [{ slot: only, minor: amount }],
        reason: `${who}, whose only invoice open for exactly ${paid} is ${this.invoiceNumbers[only]}.`,
      };
    }
    if (equal.length > 1) {
      return {
        rule: "amount-and-customer",
        confidence: CONFIDENCE.ambiguous,
        customer,
        allocations: [],
        reason: `${who}, who has ${equal.length} invoices open for exactly ${paid} (${this.numbers(equal)}), so a person must choose.`,
      };
    }
    const combination = this.combinationFor(customer, currency, amount);
    if (combination.kind === "one") {
      return {
        rule: "amount-and-customer",
        confidence:
          (payer.via === "account" ? CONFIDENCE.accountCombination : CONFIDENCE.nameCombination) -
          penalty,
        customer,
        allocations: combination.slots.map((slot) => ({ slot, minor: this.openMinor[slot] ?? 0n })),
        reason: `${who}, and only ${this.numbers(combination.slots)} together are open for exactly ${paid}.`,
      };
    }
    const why = {
      none: `no open invoice or combination of invoices adds up to ${paid}`,
      several: `several combinations of open invoices add up to ${paid}`,
      "too-many": `more than ${MAX_INVOICES_FOR_COMBINATIONS} invoices are open, too many to try combinations for ${paid}`,
      "gave-up": `no single combination of open invoices for ${paid} was found within ${MAX_COMBINATION_STEPS} steps`,
    }[combination.kind];
    return {
      rule: "none",
      confidence: 0,
      customer,
      allocations: [],
      reason: `${who}, but ${why}.`,
    };
  }

  /** Subsets of two or more open invoices adding up to `amount`; bounded, see the constants. */
  private combinationFor(
    customer: number,
    currency: number,
    amount: bigint,
  ): { kind: "one"; slots: number[] } | { kind: "none" | "several" | "too-many" | "gave-up" } {
    const candidates: number[] = [];
    for (const slot of this.openInvoicesOldestFirst(customer, currency)) {
      candidates.push(slot);
      if (candidates.length > MAX_INVOICES_FOR_COMBINATIONS) return { kind: "too-many" };
    }
    if (candidates.length < 2) return { kind: "none" };
    candidates.sort((a, b) => {
      const x = this.openMinor[a] ?? 0n;
      const y = this.openMinor[b] ?? 0n;
      return x > y ? -1 : x < y ? 1 : 0;
    });
    const amounts = candidates.map((slot) => this.openMinor[slot] ?? 0n);
    const after: bigint[] = new Array(amounts.length + 1).fill(0n);
    for (let i = amounts.length - 1; i >= 0; i--)
      after[i] = (after[i + 1] ?? 0n) + (amounts[i] ?? 0n);

    let steps = 0;
    const solutions: number[][] = [];
    const chosen: number[] = [];
    const search = (from: number, left: bigint): boolean => {
      if (left === 0n) {
        if (chosen.length >= 2) solutions.push([...chosen]);
        return solutions.length < 2;
      }
      if (from >= amounts.length || (after[from] ?? 0n) < left) return true;
      if (++steps > MAX_COMBINATION_STEPS) return false;
      const value = amounts[from] ?? 0n;
      if (value <= left) {
        chosen.push(from);
        const goOn = search(from + 1, left - value);
        chosen.pop();
        if (!goOn) return false;
      }
      return search(from + 1, left);
    };
    const finished = search(0, amount);
    const [first] = solutions;
    if (solutions.length > 1) return { kind: "several" };
    if (!finished) return { kind: "gave-up" };
    if (!first) return { kind: "none" };
    return {
      kind: "one",
      slots: first
        .map((index) => candidates[index] ?? NO_SLOT)
        .sort((a, b) => this.compareByDue(a, b)),
    };
  }

  // ---- the customer groups ------------------------------------------------------------------

  /** Where a customer's invoices in `currency` sit in a group sorted by currency first. */
  private currencyRange(order: Int32Array, customer: number, currency: number): [number, number] {
    const from = this.customerStart[customer] ?? 0;
    const to = this.customerStart[customer + 1] ?? 0;
    const lowerBound = (target: number) => {
      let low = from;
      let high = to;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((this.invoiceCurrency[order[middle] ?? 0] ?? 0) < target) low = middle + 1;
        else high = middle;
      }
      return low;
    };
    return [lowerBound(currency), lowerBound(currency + 1)];
  }

  /** Open invoices of exactly `amount`, oldest first (binary search, plus partly paid ones). */
  private openInvoicesOfAmount(customer: number, currency: number, amount: bigint): number[] {
    if (currency === NO_SLOT) return [];
    const [from, to] = this.currencyRange(this.byAmount, customer, currency);
    let low = from;
    let high = to;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.originalOpenMinor[this.byAmount[middle] ?? 0] ?? 0n) < amount) low = middle + 1;
      else high = middle;
    }
    const found: number[] = [];
    for (let at = low; at < to; at++) {
      const slot = this.byAmount[at] ?? 0;
      if (this.originalOpenMinor[slot] !== amount) break;
      if (this.openMinor[slot] === amount) found.push(slot);
    }
    for (const slot of this.partlyPaid.get(customer) ?? []) {
      if (this.invoiceCurrency[slot] === currency && this.openMinor[slot] === amount)
        found.push(slot);
    }
    return found.sort((a, b) => this.compareByDue(a, b));
  }

  private *openInvoicesOldestFirst(customer: number, currency: number): Generator<number> {
    if (currency === NO_SLOT) return;
    const [from, to] = this.currencyRange(this.byDue, customer, currency);
    for (let at = this.firstOpen.get(customer * 65_536 + currency) ?? from; at < to; at++) {
      const slot = this.byDue[at] ?? 0;
      if ((this.openMinor[slot] ?? 0n) > 0n) yield slot;
    }
  }

  /** Skips fully paid invoices at the front once, so oldest-first walks stay short. */
  private advanceFirstOpen(customer: number, currency: number): void {
    const key = customer * 65_536 + currency;
    const [from, to] = this.currencyRange(this.byDue, customer, currency);
    let at = this.firstOpen.get(key) ?? from;
    while (at < to && (this.openMinor[this.byDue[at] ?? 0] ?? 0n) === 0n) at += 1;
    this.firstOpen.set(key, at);
  }

  /** Allocation slots of a proposal this matcher did not make (found among its customer's invoices). */
  private slotsOf(proposal: MatchProposal): number[] {
    const customer =
      proposal.customerId === null ? undefined : this.customerSlotById.get(proposal.customerId);
    const from = customer === undefined ? 0 : (this.customerStart[customer] ?? 0);
    const to = customer === undefined ? 0 : (this.customerStart[customer + 1] ?? 0);
    return proposal.allocations.map((allocation) => {
      for (let at = from; at < to; at++) {
        const slot = this.byDue[at] ?? 0;
        if (this.invoiceIds[slot] === allocation.invoiceId) return slot;
      }
      throw new OverdueError(
        "unknown_invoice",
        `invoice ${allocation.invoiceId} is not an open invoice of customer ${proposal.customerId ?? "(none)"}`,
      );
    });
  }

  // ---- wording ------------------------------------------------------------------------------

  private finish(credit: IncomingCredit, draft: Draft, note: string | null = null): MatchProposal {
    const allocated = draft.allocations.reduce((sum, allocation) => sum + allocation.minor, 0n);
    const reason = note ? `${draft.reason.slice(0, -1)}; ${note}.` : draft.reason;
    const proposal: MatchProposal = {
      key: credit.key,
      rule: draft.rule,
      confidence: draft.rule === "none" ? 0 : draft.confidence,
      customerId: draft.customer === NO_SLOT ? null : (this.customerIds[draft.customer] ?? null),
      allocations: draft.allocations.map((allocation) => ({
        invoiceId: this.invoiceIds[allocation.slot] ?? "",
        minor: allocation.minor,
      })),
      creditMinor: credit.amountMinor > allocated ? credit.amountMinor - allocated : 0n,
      reason,
    };
    this.proposalSlots.set(
      proposal,
      draft.allocations.map((allocation) => allocation.slot),
    );
    return proposal;
  }

  private commonCustomer(slots: readonly number[]): number {
    const first = slots[0] === undefined ? NO_SLOT : (this.invoiceCustomer[slots[0]] ?? NO_SLOT);
    return slots.every((slot) => this.invoiceCustomer[slot] === first) ? first : NO_SLOT;
  }

  private numbers(slots: readonly number[]): string {
    const shown = slots.slice(0, 5).map((slot) => this.invoiceNumbers[slot] ?? "");
    return slots.length > 5 ? `${shown.join(", ")} and ${slots.length - 5} more` : shown.join(", ");
  }

  private customerLabel(customer: number): string {
    const name = this.customerNames[customer];
    const id = this.customerIds[customer] ?? "";
    return name ? `${name} (${id})` : id;
  }

  private money(minor: bigint, currencyOrSlot: string | number): string {
    const code =
      typeof currencyOrSlot === "string"
        ? currencyOrSlot
        : (this.currencyCodes[this.invoiceCurrency[currencyOrSlot] ?? 0] ?? "");
    const currency = findCurrency(code) ?? { code, digits: 2 };
    return `${formatAmountForHumans(minor, currency)} ${code}`;
  }
}
