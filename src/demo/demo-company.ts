import { stringify } from "csv-stringify/sync";
import { addDays, type CalendarDate } from "../kernel/calendar-date.js";
import { currency, formatAmount } from "../kernel/money.js";
import { LEDGER_CSV_HEADERS } from "../ledger/import/csv-headers.js";

/**
 * A made-up small wholesaler's ledger: customers in Sweden, Italy, the US and the UK, a year
 * of invoices up to `asOf`, and the payments that arrived by then. Deterministic for a seed,
 * so the demo and the tests built on it are repeatable. Phone numbers come from the ranges
 * each country reserves for drama and examples; e-mail domains are `.example`.
 */
export type DemoLedger = { customers: string; invoices: string; payments: string };

type Market = {
  country: string;
  currency: string;
  language: string;
  zones: readonly string[];
  termsDays: readonly number[];
  /** Typical invoice size in major units. */
  scale: number;
  cities: readonly [string, string][];
  streets: readonly string[];
  companies: readonly string[];
  suffix: string;
  people: readonly string[];
  phone: (n: number) => string;
};

const MARKETS: readonly (Market & { weight: number })[] = [
  {
    weight: 30,
    country: "SE",
    currency: "SEK",
    language: "sv",
    zones: ["Europe/Stockholm"],
    termsDays: [30, 30, 20, 10],
    scale: 12_000,
    cities: [
      ["Stockholm", "111 20"],
      ["Göteborg", "411 05"],
      ["Malmö", "211 22"],
      ["Uppsala", "753 20"],
      ["Västerås", "722 11"],
    ],
    streets: ["Storgatan", "Drottninggatan", "Kungsgatan", "Sveavägen", "Järnvägsgatan"],
    companies: [
      "Norrsken",
      "Fjällbacka",
      "Älvdal",
      "Solhem",
      "Granlund",
      "Björkvik",
      "Skärgård",
      "Lindqvist",
    ],
    suffix: "AB",
    people: [
      "Anna Lindberg",
      "Erik Johansson",
      "Maria Nilsson",
      "Lars Andersson",
      "Karin Svensson",
    ],
    phone: (n) => `070-17406${String(n % 100).padStart(2, "0")}`,
  },
  {
    weight: 25,
    country: "IT",
    currency: "EUR",
    language: "it",
    zones: ["Europe/Rome"],
    termsDays: [60, 60, 30, 90],
    scale: 1_100,
    cities: [
      ["Milano", "20121"],
      ["Roma", "00184"],
      ["Torino", "10121"],
      ["Bologna", "40121"],
      ["Napoli", "80133"],
    ],
    streets: [
      "Via Roma",
      "Corso Vittorio Emanuele",
      "Via Garibaldi",
      "Via Mazzini",
      "Piazza Cavour",
    ],
    companies: [
      "Ferri",
      "Lombardi Tessuti",
      "Costa Meccanica",
      "Bianchi",
      "Ricci Alimentari",
      "Conti",
      "Moretti",
    ],
    suffix: "S.r.l.",
    people: ["Giulia Rossi", "Marco Esposito", "Francesca Romano", "Luca Colombo", "Chiara Greco"],
    phone: (n) =>
      `347 ${String(1_000_000 + ((n * 7919) % 9_000_000)).slice(0, 3)} ${String(1000 + (n % 9000))}`,
  },
  {
    weight: 25,
    country: "US",
    currency: "USD",
    language: "en-US",
    zones: ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"],
    termsDays: [30, 30, 45, 15],
    scale: 1_300,
    cities: [
      ["New York, NY", "10001"],
      ["Chicago, IL", "60601"],
      ["Denver, CO", "80202"],
      ["Seattle, WA", "98101"],
      ["Austin, TX", "78701"],
    ],
    streets: ["Main Street", "Oak Avenue", "Maple Drive", "Washington Blvd", "Lake Shore Drive"],
    companies: [
      "Bluegrass Supply",
      "Pioneer Tools",
      "Summit Foods",
      "Harbor Logistics",
      "Redwood Crafts",
      "Liberty Print",
    ],
    suffix: "LLC",
    people: ["John Miller", "Emily Davis", "Michael Brown", "Sarah Wilson", "David Moore"],
    phone: (n) => `212 555 01${String(n % 100).padStart(2, "0")}`,
  },
  {
    weight: 20,
    country: "GB",
    currency: "GBP",
    language: "en-GB",
    zones: ["Europe/London"],
    termsDays: [30, 30, 14, 60],
    scale: 1_000,
    cities: [
      ["London", "EC1A 1BB"],
      ["Manchester", "M1 1AE"],
      ["Leeds", "LS1 4AP"],
      ["Bristol", "BS1 4DJ"],
      ["Glasgow", "G1 1XQ"],
    ],
    streets: ["High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane"],
    companies: [
      "Thames Joinery",
      "Pennine Textiles",
      "Cotswold Bakery",
      "Albion Print",
      "Severn Engineering",
    ],
    suffix: "Ltd",
    people: ["Oliver Smith", "Amelia Jones", "Harry Taylor", "Isla Evans", "George Wright"],
    phone: (n) => `020 7946 0${String(n % 1000).padStart(3, "0")}`,
  },
];

/** How a customer pays: days after the due date, and how often something goes wrong. */
type Behaviour = {
  name: string;
  weight: number;
  lateDays: [number, number];
  partial: number;
  stops: boolean;
};
const BEHAVIOURS: readonly Behaviour[] = [
  { name: "prompt", weight: 55, lateDays: [-6, 3], partial: 0, stops: false },
  { name: "slow", weight: 25, lateDays: [8, 55], partial: 0.05, stops: false },
  { name: "partial", weight: 10, lateDays: [15, 70], partial: 0.6, stops: false },
  { name: "delinquent", weight: 10, lateDays: [40, 120], partial: 0.3, stops: true },
];

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function demoLedger(options: {
  asOf: CalendarDate;
  seed: number;
  customers: number;
}): DemoLedger {
  const random = mulberry32(options.seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const weighted = <T extends { weight: number }>(items: readonly T[]): T => {
    let roll = random() * items.reduce((sum, i) => sum + i.weight, 0);
    for (const item of items) {
      roll -= item.weight;
      if (roll < 0) return item;
    }
    return items[items.length - 1] as T;
  };

  const customers: string[][] = [];
  const invoices: string[][] = [];
  const payments: string[][] = [];
  let invoiceSeq = 0;
  let paymentSeq = 0;
  const start = addDays(options.asOf, -365);

  for (let n = 1; n <= options.customers; n++) {
    const market = weighted(MARKETS);
    const consumer = random() < 0.15;
    const id = `C${String(n).padStart(4, "0")}`;
    const name = consumer ? pick(market.people) : `${pick(market.companies)} ${market.suffix}`;
    const slug = `${name
      .toLowerCase()
      .normalize("NFD")
      .replace(/[^a-z]+/g, "-")
      .replace(/^-|-$/g, "")}-${n}`;
    const [city, postal] = pick(market.cities);
    customers.push([
      id,
      name,
      consumer ? "consumer" : "business",
      random() < 0.93 ? `${consumer ? "home" : "accounts"}@${slug}.example` : "",
      random() < 0.85 ? market.phone(n) : "",
      market.country,
      market.language,
      pick(market.zones),
      `${pick(market.streets)} ${int(1, 120)}`,
      random() < 0.2 ? (market.country === "IT" ? "Scala B" : "Unit 4") : "",
      postal,
      city,
    ]);

    const behaviour = weighted(BEHAVIOURS);
    const cur = currency(market.currency);
    const unit = 10n ** BigInt(cur.digits);
    const terms = pick(market.termsDays);
    const stopsOn = behaviour.stops ? addDays(options.asOf, -int(60, 200)) : null;
    let issued = addDays(start, int(0, 40));
    const cadence = int(14, 45);
    while (issued <= options.asOf) {
      invoiceSeq += 1;
      const invoiceId = `INV-${String(invoiceSeq).padStart(6, "0")}`;
      const due = addDays(issued, terms);
      const amountMinor =
        BigInt(Math.round(market.scale * (0.2 + random() * 2.5))) * unit +
        BigInt(int(0, 99)) * (unit / 100n || 1n);
      invoices.push([invoiceId, id, issued, due, cur.code, formatAmount(amountMinor, cur)]);

      const pays = !stopsOn || issued < stopsOn;
      if (pays) {
        const paidOn = addDays(due, int(behaviour.lateDays[0], behaviour.lateDays[1]));
        const partly = random() < behaviour.partial;
        const firstMinor = partly ? (amountMinor * BigInt(int(30, 70))) / 100n : amountMinor;
        const named = random() < 0.75;
        const pay = (date: CalendarDate, minor: bigint) => {
          if (date > options.asOf || minor <= 0n) return;
          paymentSeq += 1;
          payments.push([
            `PAY-${String(paymentSeq).padStart(6, "0")}`,
            id,
            named ? invoiceId : "",
            date,
            cur.code,
            formatAmount(minor, cur),
            named ? invoiceId : `Payment ${name}`,
          ]);
        };
        pay(paidOn, firstMinor);
        if (partly && !behaviour.stops) pay(addDays(paidOn, int(20, 60)), amountMinor - firstMinor);
      }
      issued = addDays(issued, cadence + int(-5, 5));
    }
  }

  payments.sort((a, b) => ((a[3] ?? "") < (b[3] ?? "") ? -1 : 1));
  return {
    customers: stringify(customers, { header: true, columns: [...LEDGER_CSV_HEADERS.customers] }),
    invoices: stringify(invoices, { header: true, columns: [...LEDGER_CSV_HEADERS.invoices] }),
    payments: stringify(payments, { header: true, columns: [...LEDGER_CSV_HEADERS.payments] }),
  };
}
