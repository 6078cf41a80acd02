/**
 * A labelled set for measuring the payment matcher: a made-up ledger (customers with Swedish,
 * Italian, British and American company names, ten open invoices each, numbered
 * `INV-0001234`) and bank credits, each labelled with the allocation a careful bookkeeper would
 * make or with "review" where no allocation can be told from the line. Deterministic for a
 * seed (hashes and a seeded generator, never `Math.random`), and lazy: invoices and customers
 * are recomputed from their index, so a million of them cost no memory until the matcher
 * indexes them.
 *
 * The references on the credits come from a small stand-in for ISO 11649 (RF, mod 97) and
 * Luhn (Swedish OCR) kept here, so this measurement does not depend on the production
 * reference module; `standInDecodeReference` is the matching decoder.
 */
import { type CalendarDate, fromEpochDay, toEpochDay } from "../../kernel/calendar-date.js";
import {
  appliesAutomatically,
  type CustomerForMatching,
  DEFAULT_AUTO_APPLY_THRESHOLD,
  type IncomingCredit,
  type MatchAllocation,
  type MatchRule,
  type OpenInvoiceForMatching,
  type PaymentMatcher,
} from "./matching.js";

// ---- stand-in references ---------------------------------------------------------------------

/** ISO 11649: letters count A=10 … Z=35; the remainder is taken digit by digit. */
function mod97(alphanumeric: string): number {
  let rest = 0;
  for (const char of alphanumeric) {
    const value = Number.parseInt(char, 36);
    rest = value >= 10 ? (rest * 100 + value) % 97 : (rest * 10 + value) % 97;
  }
  return rest;
}

export function standInRfReference(base: string): string {
  const check = 98 - mod97(`${base}RF00`);
  return `RF${String(check).padStart(2, "0")}${base}`;
}

/** Luhn (mod 10): from the right, every second digit of the base is doubled. */
function luhnCheckDigit(digits: string): number {
  let sum = 0;
  let double = true;
  for (let at = digits.length - 1; at >= 0; at--) {
    let digit = digits.charCodeAt(at) - 48;
    if (double) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

export function standInOcrReference(base: string): string {
  return `${base}${luhnCheckDigit(base)}`;
}

export function standInDecodeReference(
  reference: string,
): { kind: "rf" | "ocr"; base: string } | null {
  const compact = reference.toUpperCase().replace(/\s+/g, "");
  if (/^RF\d\d[A-Z0-9]{1,21}$/.test(compact)) {
    return mod97(`${compact.slice(4)}${compact.slice(0, 4)}`) === 1
      ? { kind: "rf", base: compact.slice(4) }
      : null;
  }
  if (/^\d{2,25}$/.test(compact)) {
    const base = compact.slice(0, -1);
    return luhnCheckDigit(base) === Number(compact.slice(-1)) ? { kind: "ocr", base } : null;
  }
  return null;
}

// ---- deterministic randomness ----------------------------------------------------------------

function mix(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A number in [0, 1) that depends only on the seed and the two indexes. */
function unit(seed: number, a: number, b: number): number {
  return mix(mix(mix(seed) ^ a) + Math.imul(b, 0x9e3779b1)) / 4_294_967_296;
}

/** mulberry32: a small seeded stream for the credits, which are made in order. */
function stream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// ---- the ledger --------------------------------------------------------------------------------

type Market = {
  readonly country: string;
  readonly currency: string;
  /** Typical invoice in major units. */
  readonly scale: number;
  readonly surnames: readonly string[];
  readonly trades: readonly string[];
  readonly places: readonly string[];
  readonly modifiers: readonly string[];
  readonly legalForms: readonly string[];
  readonly name: (parts: {
    modifier: string;
    surname: string;
    trade: string;
    place: string;
    legal: string;
  }) => string;
  readonly fillers: readonly string[];
  readonly invoiceWords: readonly string[];
};

const words = (text: string) => text.split(",").map((word) => word.trim());
const joinWords = (...parts: string[]) => parts.filter((part) => part !== "").join(" ");

const MARKETS: readonly Market[] = [
  {
    country: "SE",
    currency: "SEK",
    scale: 12_000,
    surnames: words(
      "Lindqvist, Berg, Holm, Sandberg, Ek, Nyström, Åberg, Öberg, Wikström, Sjöberg, Forsberg, Lundgren, Engström, Hedlund, Dahl, Björk, Söderberg, Strand, Nordin, Blom, Falk, Håkansson, Lindgren, Norberg, Ström, Wallin, Sundberg, Åkesson, Fransson, Mattsson, Bergman, Ekström, Hellberg, Jönsson, Löfgren, Melin, Nyberg, Rydén, Sjögren, Törnqvist",
    ),
    trades: words(
      "Bygg, Trä, Måleri, El, VVS, Transport, Fastigheter, Konsult, Plåt, Mekaniska, Städ, Data, Livs, Grafiska, Café, Frakt, Trädgård, Kyl, Glas, Snickeri",
    ),
    places: words(
      ", Stockholm, Göteborg, Malmö, Uppsala, Västerås, Örebro, Linköping, Umeå, Luleå, Gävle, Borås, Växjö, Kalmar, Falun, Visby",
    ),
    modifiers: words(", Nordiska, Svenska, Västra, Östra, Norra, Södra, Nya"),
    legalForms: ["AB", "AB", "AB", "AB (publ)", "HB"],
    name: (p) =>
      joinWords(p.modifier, `${p.surname}s`, p.trade, p.place ? `i ${p.place}` : "", p.legal),
    fillers: ["Betalning", "Tack!", "", "Faktura", "Inbetalning"],
    invoiceWords: ["Faktura", "Fakt", "Faktnr"],
  },
  {
    country: "IT",
    currency: "EUR",
    scale: 1_100,
    surnames: words(
      "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, Barbieri, Fontana, Santoro, Mariani, Rinaldi, Caruso, Ferrara, Galli, Martini, Leone, Longo, Gentile, Martinelli, Vitale, Lombardo, Serra, Coppola, De Santis, D'Angelo, Marchetti",
    ),
    trades: words(
      "Tessuti, Meccanica, Alimentari, Costruzioni, Impianti, Trasporti, Arredamenti, Ceramiche, Elettronica, Serramenti, Logistica, Vini, Stampa, Calzature, Informatica, Forniture, Edilizia, Ottica, Plastica, Metalli",
    ),
    places: words(
      ", Milano, Roma, Torino, Bologna, Napoli, Firenze, Genova, Verona, Padova, Bari, Brescia, Parma, Modena, Bergamo, Trieste",
    ),
    modifiers: words(", F.lli, Nuova, Officine, Gruppo, Industrie, Studio, Centro"),
    legalForms: ["S.r.l.", "S.r.l.", "S.p.A.", "S.n.c.", "S.r.l.s."],
    name: (p) => joinWords(p.modifier, p.surname, p.trade, p.place, p.legal),
    fillers: ["Pagamento", "Bonifico", "Saldo", "", "Saldo fattura"],
    invoiceWords: ["Fattura", "Fatt.", "Fattura n."],
  },
  {
    country: "GB",
    currency: "GBP",
    scale: 900,
    surnames: words(
      "Harrow, Whitfield, Ashworth, Pemberton, Clarke, Bennett, Hughes, Fletcher, Thornton, Barlow, Kendall, Marsh, Holloway, Prescott, Radcliffe, Sutton, Walsh, Yates, Booth, Gill, Lambert, Mercer, Norris, Osborne, Parkes, Quinn, Rowley, Shaw, Talbot, Underwood, Vaughan, Webb, Atherton, Blackwood, Crossley, Dawson, Ellison, Fenwick, Gregson, Hartley",
    ),
    trades: words(
      "Joinery, Builders, Engineering, Logistics, Electrical, Plumbing, Print, Catering, Consulting, Roofing, Motors, Textiles, Foods, Glazing, Landscapes, Surveyors, Haulage, Kitchens, Software, Supplies",
    ),
    places: words(
      ", London, Leeds, Bristol, Manchester, Sheffield, York, Bath, Norwich, Exeter, Derby, Hull, Leicester, Cardiff, Glasgow, Belfast",
    ),
    modifiers: words(", Northern, Southern, Western, Eastern, Albion, Premier, Royal"),
    legalForms: ["Ltd", "Ltd", "Limited", "PLC", "LLP"],
    name: (p) => joinWords(p.modifier, p.surname, p.trade, p.place ? `(${p.place})` : "", p.legal),
    fillers: ["Payment", "BACS", "Thank you", "", "Remittance"],
    invoiceWords: ["Invoice", "Inv", "Invoice no."],
  },
  {
    country: "US",
    currency: "USD",
    scale: 1_000,
    surnames: words(
      "Anderson, Baker, Carter, Dixon, Ellis, Foster, Grant, Hayes, Irving, Jensen, Keller, Lawson, Morgan, Nolan, Owens, Porter, Reed, Sawyer, Tucker, Vance, Walker, Young, Bishop, Chambers, Dalton, Easton, Fuller, Gibbs, Harmon, Ingram, Jarvis, Kemp, Lyons, Pryor, Nash, Odom, Quincy, Rhodes, Stanton, Whitaker",
    ),
    trades: words(
      "Supply, Hardware, Logistics, Construction, Electric, Plumbing, Printing, Foods, Consulting, Roofing, Auto Parts, Textiles, Design, Lumber, Machine Works, Software, Freight, Dental Lab, Signs, Packaging",
    ),
    places: words(
      ", Austin, Denver, Boston, Seattle, Phoenix, Atlanta, Dallas, Portland, Chicago, Tampa, Omaha, Tulsa, Reno, Boise, Dayton",
    ),
    modifiers: words(", American, Pacific, Atlantic, Midwest, Southern, Summit, Liberty"),
    legalForms: ["Inc.", "Inc.", "LLC", "Corp.", ", Inc."],
    name: (p) =>
      `${joinWords(p.modifier, p.surname, p.trade, p.place ? `of ${p.place}` : "")}${p.legal.startsWith(",") ? p.legal : ` ${p.legal}`}`,
    fillers: ["ACH payment", "Payment", "", "Wire", "Remit"],
    invoiceWords: ["Invoice", "Inv #", "Invoice #"],
  },
];

const ALL_CURRENCIES = ["SEK", "EUR", "GBP", "USD"];
const INVOICES_PER_CUSTOMER = 10;
/** Credits use invoice offsets 0–7 of a customer (two rounds of four); 8 and 9 are never paid. */
const OFFSETS_PER_ROUND = 4;
const ROUNDS = 2;
const FIRST_DUE_DAY = toEpochDay("2025-04-01" as CalendarDate);
/** Name parts are a bijection of the scrambled customer index while it is below this. */
const NAME_COMBINATIONS = 40 * 20 * 16 * 8;

/** Customer kinds by index: customer 10k+8 shares its name with 10k+9, which only pays for others. */
const isNameTwin = (customer: number) => customer % 10 === 9;
const hasNameTwin = (customer: number, customers: number) =>
  customer % 10 === 8 && customer + 1 < customers;
/** Customers 7k+3 have two invoices (offsets 8 and 9) whose numbers normalise alike. */
const hasLookAlikeNumbers = (customer: number) => customer % 7 === 3;

class Ledger {
  constructor(
    readonly seed: number,
    readonly customerCount: number,
  ) {}

  get invoiceCount(): number {
    return this.customerCount * INVOICES_PER_CUSTOMER;
  }

  market(customer: number): Market {
    const source = isNameTwin(customer) ? customer - 1 : customer;
    return (
      MARKETS[Math.floor(unit(this.seed, source, 1) * MARKETS.length)] ?? (MARKETS[0] as Market)
    );
  }

  customerId(customer: number): string {
    return `C${String(customer + 1).padStart(6, "0")}`;
  }

  customerName(customer: number): string {
    const source = isNameTwin(customer) ? customer - 1 : customer;
    const market = this.market(source);
    // A multiplicative scramble (7919 is prime to the count) keeps names unique and unsorted.
    let rest = (source * 7919 + (this.seed % 1000)) % NAME_COMBINATIONS;
    const part = (list: readonly string[]) => {
      const value = list[rest % list.length] ?? "";
      rest = Math.floor(rest / list.length);
      return value;
    };
    const surname = part(market.surnames);
    const trade = part(market.trades);
    const place = part(market.places);
    const modifier = part(market.modifiers);
    const legal =
      market.legalForms[Math.floor(unit(this.seed, source, 2) * market.legalForms.length)] ?? "";
    return market.name({ modifier, surname, trade, place, legal });
  }

  accounts(customer: number): string[] {
    const count = Math.floor(unit(this.seed, customer, 3) * 3);
    const market = this.market(customer);
    const accounts: string[] = [];
    for (let which = 0; which < count; which++) {
      const digits = (length: number, salt: number) => {
        let text = "";
        for (let at = 0; at < length; at++)
          text += Math.floor(unit(this.seed, customer, 100 + salt * 40 + at) * 10);
        return text;
      };
      const serial = String(customer * 3 + which).padStart(8, "0");
      accounts.push(
        market.country === "US"
          ? `${digits(9, which)} ${serial}${digits(2, which + 5)}`
          : market.country === "GB"
            ? `GB${digits(2, which)} NWBK ${digits(6, which + 5)} ${serial}`
            : `${market.country}${digits(2, which)} ${digits(4, which + 5)} ${digits(6, which + 9)} ${serial}`,
      );
    }
    return accounts;
  }

  customer(customer: number): CustomerForMatching {
    return {
      id: this.customerId(customer),
      name: this.customerName(customer),
      accounts: this.accounts(customer),
    };
  }

  /** A fifth of customers are subscriptions: all their invoices are for the same amount. */
  isSubscription(customer: number): boolean {
    return unit(this.seed, customer, 4) < 0.2;
  }

  invoice(index: number): OpenInvoiceForMatching {
    const customer = Math.floor(index / INVOICES_PER_CUSTOMER);
    const offset = index % INVOICES_PER_CUSTOMER;
    const market = this.market(customer);
    const lookAlike = offset === 9 && hasLookAlikeNumbers(customer);
    // Offset 9 of such a customer repeats offset 8's number without the dash.
    const serial = this.serial(lookAlike ? index - 1 : index);
    const number = lookAlike ? `INV${serial}` : `INV-${serial}`;
    // Some Swedish and British customers are also invoiced in euros.
    const currency = customer % 13 === 5 && offset % 2 === 1 ? "EUR" : market.currency;
    const amountSource = this.isSubscription(customer) ? 0 : offset + 1;
    const size = unit(this.seed, customer, 10 + amountSource);
    const units = Math.max(1, Math.round(market.scale * (0.05 + 2 * size * size)));
    const cents =
      unit(this.seed, customer, 30 + amountSource) < 0.5
        ? 0
        : Math.floor(unit(this.seed, customer, 50 + amountSource) * 100);
    const due = FIRST_DUE_DAY + offset * 30 + Math.floor(unit(this.seed, index, 5) * 25);
    return {
      id: `i${index + 1}`,
      number,
      customerId: this.customerId(customer),
      currency,
      openMinor: BigInt(units * 100 + cents),
      dueDate: fromEpochDay(due),
    };
  }

  /**
   * Invoices are numbered in issue order across all customers, so one customer's invoices are
   * not neighbours: an affine permutation of the index (the factor is prime to the count).
   */
  serial(index: number): string {
    const count = this.invoiceCount;
    const factor = [7_919, 104_729, 1_299_709].find((prime) => count % prime !== 0) ?? 1;
    const position = (index * factor + (this.seed % count)) % count;
    return String(position + 1).padStart(7, "0");
  }

  *customers(): Generator<CustomerForMatching> {
    for (let customer = 0; customer < this.customerCount; customer++) yield this.customer(customer);
  }

  *invoices(): Generator<OpenInvoiceForMatching> {
    for (let index = 0; index < this.invoiceCount; index++) yield this.invoice(index);
  }
}

// ---- the credits -------------------------------------------------------------------------------

export const NOISE_CATEGORIES = [
  "rf-reference",
  "ocr-reference",
  "customer-reference",
  "bad-check-digit",
  "bad-check-digit-with-number",
  "number-in-text",
  "partial-payment",
  "several-invoices",
  "over-payment",
  "amount-and-name",
  "name-variant",
  "amount-and-account",
  "combination",
  "unknown-payer",
  "other-customers-invoice",
  "typo-in-number",
  "duplicate-name",
  "wrong-currency",
  "look-alike-numbers",
] as const;
export type NoiseCategory = (typeof NOISE_CATEGORIES)[number];

/** Share of each category in the set, in percent. */
const CATEGORY_WEIGHTS: Readonly<Record<NoiseCategory, number>> = {
  "rf-reference": 12,
  "ocr-reference": 6,
  "customer-reference": 4,
  "bad-check-digit": 4,
  "bad-check-digit-with-number": 3,
  "number-in-text": 14,
  "partial-payment": 6,
  "several-invoices": 6,
  "over-payment": 4,
  "amount-and-name": 6,
  "name-variant": 5,
  "amount-and-account": 4,
  combination: 2,
  "unknown-payer": 6,
  "other-customers-invoice": 3,
  "typo-in-number": 4,
  "duplicate-name": 4,
  "wrong-currency": 4,
  "look-alike-numbers": 3,
};

export type CreditLabel =
  | { readonly kind: "allocate"; readonly allocations: readonly MatchAllocation[] }
  | { readonly kind: "review"; readonly why: string };

export type LabelledCredit = {
  readonly credit: IncomingCredit;
  readonly category: NoiseCategory;
  readonly label: CreditLabel;
};

export type LabelledSet = {
  readonly customerCount: number;
  readonly invoiceCount: number;
  /** Recomputed on every call: nothing is held in memory. */
  customers(): Iterable<CustomerForMatching>;
  invoices(): Iterable<OpenInvoiceForMatching>;
  readonly credits: readonly LabelledCredit[];
};

const STRANGERS = words(
  "Acme Holdings Ltd, Jan Svensson, Maria Rossi, Global Trade Partners LLC, Bellavista Immobiliare S.r.l., Nordbanken Finans AB, John Smith, HMRC, Skatteverket, Paolo Conti, Fjordline AS, Kunde unbekannt GmbH",
);
const STRANGER_TEXTS = [
  "Refund",
  "Deposit",
  "Rent",
  "Order 8812",
  "Ref 33190",
  "",
  "Invoice 2026",
  "Återbetalning",
];

/**
 * A ledger of `customers` customers (ten open invoices each) and `credits` labelled credits.
 * Each credit pays invoices no other credit touches, so labels do not depend on the order in
 * which a matcher applies them. Needs about one customer per 1.4 credits.
 */
export function generateLabelledSet(options: {
  seed: number;
  customers: number;
  credits: number;
}): LabelledSet {
  const ledger = new Ledger(options.seed, options.customers);
  const random = stream(options.seed ^ 0x5eed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;

  const ordinary: number[] = [];
  const twins: number[] = [];
  const lookAlikes: number[] = [];
  for (let customer = 0; customer < options.customers; customer++) {
    if (hasNameTwin(customer, options.customers)) twins.push(customer);
    else if (!isNameTwin(customer) && customer % 10 !== 8) ordinary.push(customer);
    if (hasLookAlikeNumbers(customer)) lookAlikes.push(customer);
  }
  const handedOut = { ordinary: 0, twins: 0, lookAlikes: 0 };
  /** A customer and the first invoice offset of a round of four nobody else pays. */
  const take = (pool: "ordinary" | "twins"): { customer: number; first: number } | null => {
    const list = pool === "ordinary" ? ordinary : twins;
    const turn = handedOut[pool];
    const round = Math.floor(turn / Math.max(1, list.length));
    const customer = list[turn % Math.max(1, list.length)];
    if (customer === undefined || round >= ROUNDS) return null;
    handedOut[pool] = turn + 1;
    return { customer, first: customer * INVOICES_PER_CUSTOMER + round * OFFSETS_PER_ROUND };
  };

  const categories = NOISE_CATEGORIES.flatMap((category) =>
    Array<NoiseCategory>(CATEGORY_WEIGHTS[category]).fill(category),
  );
  const credits: LabelledCredit[] = [];
  for (let k = 0; k < options.credits; k++) {
    const key = `L${String(k + 1).padStart(6, "0")}`;
    let category = pick(categories);
    if (category === "duplicate-name" && handedOut.twins >= twins.length * ROUNDS)
      category = "amount-and-name";
    if (category === "look-alike-numbers" && handedOut.lookAlikes >= lookAlikes.length)
      category = "number-in-text";
    const made = makeCredit(category, key);
    if (!made)
      throw new Error(`${options.customers} customers are too few for ${options.credits} credits`);
    credits.push(made);
  }

  return {
    customerCount: ledger.customerCount,
    invoiceCount: ledger.invoiceCount,
    customers: () => ledger.customers(),
    invoices: () => ledger.invoices(),
    credits,
  };

  function makeCredit(category: NoiseCategory, key: string): LabelledCredit | null {
    if (category === "unknown-payer") return unknownPayer(key);
    if (category === "look-alike-numbers") return lookAlikeNumbers(key);
    const target = take(category === "duplicate-name" ? "twins" : "ordinary");
    if (!target) return null;
    const { customer, first } = target;
    const market = ledger.market(customer);
    const invoice = ledger.invoice(first);
    const customerName = ledger.customerName(customer);
    const accounts = ledger.accounts(customer);
    const filler = pick(market.fillers);
    const base = {
      key,
      amountMinor: invoice.openMinor,
      currency: invoice.currency,
      reference: null,
      remittance: filler,
      counterpartyName: chance(0.9) ? customerName : null,
      counterpartyAccount: chance(0.5) ? (accounts[0] ?? null) : null,
    };
    const payInFull = (...invoices: OpenInvoiceForMatching[]): CreditLabel => ({
      kind: "allocate",
      allocations: invoices.map((paid) => ({ invoiceId: paid.id, minor: paid.openMinor })),
    });
    const labelled = (credit: IncomingCredit, label: CreditLabel): LabelledCredit => ({
      credit,
      category,
      label,
    });
    const rf = () => standInRfReference(invoice.number.replace(/[^A-Z0-9]/g, ""));
    const ocr = () => standInOcrReference(invoice.number.replace(/\D/g, ""));
    const inText = (number: string) => joinWords(chance(0.3) ? filler : "", spell(number, market));

    switch (category) {
      case "rf-reference": {
        // Most banks carry it in the reference field; some payers type it into the message.
        const inField = chance(0.8);
        return labelled(
          {
            ...base,
            reference: inField ? printRf(rf(), chance(0.5)) : null,
            remittance: inField ? filler : joinWords(filler, printRf(rf(), true)),
          },
          payInFull(invoice),
        );
      }
      case "ocr-reference":
        return labelled({ ...base, reference: ocr() }, payInFull(invoice));
      case "customer-reference": {
        const siblings = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((offset) =>
          ledger.invoice(
            customer * INVOICES_PER_CUSTOMER + ((first + offset) % INVOICES_PER_CUSTOMER),
          ),
        );
        const unique = siblings.every(
          (other) => other.openMinor !== invoice.openMinor || other.currency !== invoice.currency,
        );
        // With two invoices of one amount the payer's intent is unknown: such a customer pays by invoice reference.
        const reference = unique ? standInRfReference(ledger.customerId(customer)) : rf();
        return labelled({ ...base, reference }, payInFull(invoice));
      }
      case "bad-check-digit":
      case "bad-check-digit-with-number": {
        const reference = chance(0.5) ? breakCheckDigits(rf()) : breakCheckDigits(ocr());
        const remittance = category === "bad-check-digit" ? filler : inText(invoice.number);
        return labelled({ ...base, reference, remittance }, payInFull(invoice));
      }
      case "number-in-text":
        return labelled({ ...base, remittance: inText(invoice.number) }, payInFull(invoice));
      case "partial-payment": {
        const part = (invoice.openMinor * BigInt(20 + Math.floor(random() * 60))) / 100n;
        const amountMinor = part > 0n ? part : 1n;
        const byReference = chance(0.5);
        return labelled(
          {
            ...base,
            amountMinor,
            reference: byReference ? rf() : null,
            remittance: byReference ? filler : inText(invoice.number),
          },
          { kind: "allocate", allocations: [{ invoiceId: invoice.id, minor: amountMinor }] },
        );
      }
      case "over-payment": {
        const byReference = chance(0.5);
        return labelled(
          {
            ...base,
            amountMinor: invoice.openMinor + BigInt(100 + Math.floor(random() * 5_000)),
            reference: byReference ? ocr() : null,
            remittance: byReference ? filler : inText(invoice.number),
          },
          payInFull(invoice),
        );
      }
      case "several-invoices": {
        const paid = [
          invoice,
          ledger.invoice(first + 1),
          ...(chance(0.4) ? [ledger.invoice(first + 2)] : []),
        ].filter((other) => other.currency === invoice.currency);
        return labelled(
          {
            ...base,
            amountMinor: sum(paid),
            remittance: spellSeveral(
              paid.map((other) => other.number),
              market,
            ),
          },
          payInFull(...paid),
        );
      }
      case "amount-and-name":
      case "name-variant":
        return labelled(
          {
            ...base,
            counterpartyName:
              category === "name-variant" ? nameVariant(customerName) : customerName,
            counterpartyAccount: null,
          },
          payInFull(invoice),
        );
      case "amount-and-account":
        return labelled(
          {
            ...base,
            counterpartyAccount: accounts[0] ?? null,
            counterpartyName: accounts[0] ? null : customerName,
          },
          payInFull(invoice),
        );
      case "combination": {
        const second = ledger.invoice(first + 1);
        const paid = second.currency === invoice.currency ? [invoice, second] : [invoice];
        return labelled(
          { ...base, amountMinor: sum(paid), counterpartyName: customerName },
          payInFull(...paid),
        );
      }
      case "other-customers-invoice": {
        const payer = 9 + 10 * Math.floor(random() * Math.floor(options.customers / 10));
        return labelled(
          {
            ...base,
            remittance: inText(invoice.number),
            counterpartyName: ledger.customerName(payer),
            counterpartyAccount: ledger.accounts(payer)[0] ?? null,
          },
          payInFull(invoice),
        );
      }
      case "typo-in-number":
        return labelled({ ...base, remittance: inText(typo(invoice.number)) }, payInFull(invoice));
      case "duplicate-name": {
        // Quoting the invoice tells the twins apart; the name alone cannot.
        if (chance(0.5))
          return labelled({ ...base, remittance: inText(invoice.number) }, payInFull(invoice));
        return labelled(
          { ...base, counterpartyName: customerName, counterpartyAccount: null },
          { kind: "review", why: "two customers have this name and nothing else tells them apart" },
        );
      }
      case "wrong-currency": {
        const other = pick(ALL_CURRENCIES.filter((code) => code !== invoice.currency));
        const byReference = chance(0.5);
        return labelled(
          {
            ...base,
            currency: other,
            reference: byReference ? rf() : null,
            remittance: byReference ? filler : inText(invoice.number),
          },
          { kind: "review", why: `the invoice is in ${invoice.currency}, the payment in ${other}` },
        );
      }
      default:
        return null;
    }
  }

  function unknownPayer(key: string): LabelledCredit {
    // Half of them pay an amount some open invoice happens to have.
    const tempting = ledger.invoice(Math.floor(random() * ledger.invoiceCount));
    return {
      category: "unknown-payer",
      credit: {
        key,
        amountMinor: chance(0.5)
          ? tempting.openMinor
          : BigInt(1_000 + Math.floor(random() * 500_000)),
        currency: chance(0.5) ? tempting.currency : pick(ALL_CURRENCIES),
        reference: null,
        // Some quote their own order number, which is also somebody's invoice number.
        remittance: chance(0.3)
          ? `Order ${100_000 + Math.floor(random() * 800_000)}`
          : pick(STRANGER_TEXTS),
        counterpartyName: pick(STRANGERS),
        counterpartyAccount: chance(0.5)
          ? `DE${String(Math.floor(random() * 1e9)).padStart(9, "0")}0000000000000`
          : null,
      },
      label: { kind: "review", why: "the payer is not a customer and names no invoice" },
    };
  }

  function lookAlikeNumbers(key: string): LabelledCredit {
    const customer = lookAlikes[handedOut.lookAlikes] ?? 0;
    handedOut.lookAlikes += 1;
    const quoted = ledger.invoice(customer * INVOICES_PER_CUSTOMER + (chance(0.5) ? 8 : 9));
    return {
      category: "look-alike-numbers",
      credit: {
        key,
        amountMinor: quoted.openMinor,
        currency: quoted.currency,
        reference: null,
        remittance: quoted.number,
        counterpartyName: ledger.customerName(customer),
        counterpartyAccount: null,
      },
      label: { kind: "review", why: "two invoices have numbers that differ only in punctuation" },
    };
  }

  function spell(number: string, market: Market): string {
    const digits = number.replace(/\D/g, "");
    switch (Math.floor(random() * 9)) {
      case 0:
        return number;
      case 1:
        return number.toLowerCase();
      case 2:
        return `INV ${digits}`;
      case 3:
        return `inv${digits}`;
      case 4:
        return digits;
      case 5:
        return `${pick(market.invoiceWords)} ${number}`;
      case 6:
        return `INV-${digits.replace(/^0+/, "")}`;
      case 7:
        return `${number} ${pick(["15.03.2026", "2026-03-15", "3/15/26"])}`;
      default:
        return `${pick(market.invoiceWords)} ${digits}`;
    }
  }

  function spellSeveral(numbers: readonly string[], market: Market): string {
    const digits = numbers.map((number) => number.replace(/\D/g, ""));
    switch (Math.floor(random() * 4)) {
      case 0:
        return numbers.join(", ");
      case 1:
        return `${pick(market.invoiceWords)} ${numbers.join(" + ")}`;
      case 2:
        return `${numbers[0]}/${digits.slice(1).join("/")}`;
      default:
        return numbers.map((number) => number.toLowerCase()).join(" ");
    }
  }

  function nameVariant(name: string): string {
    const withoutAccents = name.normalize("NFKD").replace(/\p{M}+/gu, "");
    switch (Math.floor(random() * 6)) {
      case 0:
        return name.toUpperCase();
      case 1:
        return name.replace(
          /,? (AB \(publ\)|AB|HB|S\.r\.l\.s?\.|S\.p\.A\.|S\.n\.c\.|Ltd|Limited|PLC|LLP|Inc\.|LLC|Corp\.)$/,
          "",
        );
      case 2:
        return name
          .replace(/S\.r\.l\./, "SRL")
          .replace(/S\.p\.A\./, "SPA")
          .replace(/Inc\.$/, "Incorporated")
          .replace(/Ltd$/, "Limited")
          .replace(/ AB$/, " Aktiebolag");
      case 3:
        return withoutAccents.toUpperCase();
      case 4:
        // Banks cut the payer's name to a fixed width.
        return withoutAccents.toUpperCase().slice(0, 24);
      default:
        return `${name.toLowerCase().replace(/ /g, "  ")}.`;
    }
  }

  function typo(number: string): string {
    const digits = [...number];
    const positions = digits.flatMap((char, at) =>
      /\d/.test(char) && at >= number.length - 4 ? [at] : [],
    );
    const at = pick(positions);
    const next = at + 1;
    if (chance(0.5) && next < digits.length && digits[at] !== digits[next]) {
      [digits[at], digits[next]] = [digits[next] ?? "", digits[at] ?? ""];
    } else {
      digits[at] = String((Number(digits[at]) + 1 + Math.floor(random() * 8)) % 10);
    }
    return digits.join("");
  }
}

function sum(invoices: readonly OpenInvoiceForMatching[]): bigint {
  return invoices.reduce((total, invoice) => total + invoice.openMinor, 0n);
}

/** RF references as printed: in groups of four, or whole. */
function printRf(reference: string, grouped: boolean): string {
  return grouped ? (reference.match(/.{1,4}/g) ?? []).join(" ") : reference;
}

/** The same reference with check digits that fail (the last digit of OCR, the two after "RF"). */
function breakCheckDigits(reference: string): string {
  if (reference.startsWith("RF")) {
    const check = Number(reference.slice(2, 4));
    const wrong = check === 97 ? 2 : check + 1;
    return `RF${String(wrong).padStart(2, "0")}${reference.slice(4)}`;
  }
  const last = Number(reference.slice(-1));
  return `${reference.slice(0, -1)}${(last + 1) % 10}`;
}

// ---- evaluation ----------------------------------------------------------------------------------

export type CategoryFigures = {
  credits: number;
  autoApplied: number;
  autoCorrect: number;
  autoWrong: number;
  toReview: number;
};

export type Evaluation = {
  readonly credits: number;
  /** Credits labelled with an allocation. */
  readonly shouldApply: number;
  readonly autoApplied: number;
  readonly autoCorrect: number;
  /** Correct automatic matches / automatic matches (1 when nothing was applied). */
  readonly precision: number;
  /** Correct automatic matches / credits labelled with an allocation. */
  readonly recall: number;
  readonly byRule: Readonly<
    Record<MatchRule, { proposed: number; autoApplied: number; autoCorrect: number }>
  >;
  readonly byCategory: Readonly<Record<NoiseCategory, CategoryFigures>>;
  /** The first wrong automatic matches, to read. */
  readonly wrong: readonly {
    key: string;
    category: NoiseCategory;
    reason: string;
    expected: CreditLabel;
  }[];
};

/**
 * Proposes every credit in order and applies those at or above `threshold` (so the matcher's
 * state changes as in a real import); an automatic match is correct only when its allocations
 * are exactly the label's.
 */
export function evaluate(
  matcher: PaymentMatcher,
  set: readonly LabelledCredit[],
  threshold: number = DEFAULT_AUTO_APPLY_THRESHOLD,
): Evaluation {
  const byRule = {
    reference: { proposed: 0, autoApplied: 0, autoCorrect: 0 },
    "invoice-number": { proposed: 0, autoApplied: 0, autoCorrect: 0 },
    "amount-and-customer": { proposed: 0, autoApplied: 0, autoCorrect: 0 },
    none: { proposed: 0, autoApplied: 0, autoCorrect: 0 },
  };
  const byCategory = Object.fromEntries(
    NOISE_CATEGORIES.map((category) => [
      category,
      { credits: 0, autoApplied: 0, autoCorrect: 0, autoWrong: 0, toReview: 0 },
    ]),
  ) as Record<NoiseCategory, CategoryFigures>;
  const wrong: { key: string; category: NoiseCategory; reason: string; expected: CreditLabel }[] =
    [];
  let shouldApply = 0;
  let autoApplied = 0;
  let autoCorrect = 0;
  for (const { credit, category, label } of set) {
    const proposal = matcher.propose(credit);
    const figures = byCategory[category];
    figures.credits += 1;
    byRule[proposal.rule].proposed += 1;
    if (label.kind === "allocate") shouldApply += 1;
    if (!appliesAutomatically(proposal, threshold)) {
      figures.toReview += 1;
      continue;
    }
    matcher.apply(proposal);
    autoApplied += 1;
    figures.autoApplied += 1;
    byRule[proposal.rule].autoApplied += 1;
    if (label.kind === "allocate" && sameAllocations(proposal.allocations, label.allocations)) {
      autoCorrect += 1;
      figures.autoCorrect += 1;
      byRule[proposal.rule].autoCorrect += 1;
    } else {
      figures.autoWrong += 1;
      if (wrong.length < 20)
        wrong.push({ key: credit.key, category, reason: proposal.reason, expected: label });
    }
  }
  return {
    credits: set.length,
    shouldApply,
    autoApplied,
    autoCorrect,
    precision: autoApplied === 0 ? 1 : autoCorrect / autoApplied,
    recall: shouldApply === 0 ? 1 : autoCorrect / shouldApply,
    byRule,
    byCategory,
    wrong,
  };
}

function sameAllocations(
  got: readonly MatchAllocation[],
  expected: readonly MatchAllocation[],
): boolean {
  if (got.length !== expected.length) return false;
  const wanted = new Map(expected.map((allocation) => [allocation.invoiceId, allocation.minor]));
  return got.every((allocation) => wanted.get(allocation.invoiceId) === allocation.minor);
}
