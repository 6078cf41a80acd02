// Writes a deterministic ledger for the benchmarks: customers.csv, invoices.csv and
// payments.csv (partial payments naming their invoice, so the aging has allocations).
//
//   node bench/generate.js [--rows N] [--customers N] [--as-of YYYY-MM-DD] [--seed N] [--out DIR]
//
// Every invoice is issued on or before the as-of date and stays open on it (payments are
// partial), so the aging scans all of them. Some payments are dated after the as-of date, so
// the aging also has later allocations to add back.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LEDGER_CSV_HEADERS } from "../dist/ledger/import/csv-headers.js";

export const DEFAULT_AS_OF = "2026-03-31";

const MARKETS = [
  {
    country: "SE",
    currency: "SEK",
    language: "sv",
    timezone: "Europe/Stockholm",
    scale: 12_000,
    suffix: "AB",
    companies: ["Norrsken", "Fjällbacka", "Älvdal", "Solhem", "Granlund", "Björkvik", "Skärgård"],
    cities: [
      ["Stockholm", "111 20"],
      ["Göteborg", "411 05"],
      ["Malmö", "211 22"],
    ],
    streets: ["Storgatan", "Drottninggatan", "Kungsgatan", "Sveavägen"],
    phone: (n) => `070-17406${String(n % 100).padStart(2, "0")}`,
  },
  {
    country: "IT",
    currency: "EUR",
    language: "it",
    timezone: "Europe/Rome",
    scale: 1_100,
    suffix: "S.r.l.",
    companies: ["Ferri", "Lombardi Tessuti", "Costa Meccanica", "Bianchi", "Ricci Alimentari"],
    cities: [
      ["Milano", "20121"],
      ["Roma", "00184"],
      ["Torino", "10121"],
    ],
    streets: ["Via Roma", "Corso Vittorio Emanuele", "Via Garibaldi", "Via Mazzini"],
    phone: (n) =>
      `347 ${String(1_000_000 + ((n * 7919) % 9_000_000)).slice(0, 3)} ${String(1000 + (n % 9000))}`,
  },
  {
    country: "US",
    currency: "USD",
    language: "en-US",
    timezone: "America/Chicago",
    scale: 1_300,
    suffix: "LLC",
    companies: ["Bluegrass Supply", "Pioneer Tools", "Summit Foods", "Harbor Logistics"],
    cities: [
      ["New York, NY", "10001"],
      ["Chicago, IL", "60601"],
      ["Denver, CO", "80202"],
    ],
    streets: ["Main Street", "Oak Avenue", "Maple Drive", "Washington Blvd"],
    phone: (n) => `212 555 01${String(n % 100).padStart(2, "0")}`,
  },
  {
    country: "GB",
    currency: "GBP",
    language: "en-GB",
    timezone: "Europe/London",
    scale: 1_000,
    suffix: "Ltd",
    companies: ["Thames Joinery", "Pennine Textiles", "Cotswold Bakery", "Albion Print"],
    cities: [
      ["London", "EC1A 1BB"],
      ["Manchester", "M1 1AE"],
      ["Leeds", "LS1 4AP"],
    ],
    streets: ["High Street", "Station Road", "Church Lane", "Victoria Road"],
    phone: (n) => `020 7946 0${String(n % 1000).padStart(3, "0")}`,
  },
];

const TERMS_DAYS = [14, 30, 30, 30, 45, 60];
/** Share of invoices that get one partial payment. */
const PARTIAL_PAYMENT_SHARE = 0.05;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const MS_PER_DAY = 86_400_000;
const epochDay = (date) => Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY;
const dayText = (day) => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);

/** CSV field: quoted only when it has to be. */
function field(text) {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Buffered line writer: one write(2) per ~1 MB. */
function lineWriter(path) {
  const fd = openSync(path, "w");
  let buffer = "";
  return {
    line(fields) {
      buffer += `${fields.map(field).join(",")}\n`;
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = "";
      }
    },
    close() {
      if (buffer) writeSync(fd, buffer);
      closeSync(fd);
    },
  };
}

const cents = (minor) => `${minor / 100n}.${String(minor % 100n).padStart(2, "0")}`;

/**
 * Generates the three files into `out` and returns their paths and row counts.
 * The same options always produce byte-identical files.
 */
export function generate({
  rows = 1_000_000,
  customers = Math.max(100, Math.round(rows / 10)),
  asOf = DEFAULT_AS_OF,
  seed = 2026,
  out,
}) {
  mkdirSync(out, { recursive: true });
  const random = prng(seed);
  const int = (min, max) => min + Math.floor(random() * (max - min + 1));
  const pick = (items) => items[Math.floor(random() * items.length)];
  const asOfDay = epochDay(asOf);

  const files = {
    customers: join(out, "customers.csv"),
    invoices: join(out, "invoices.csv"),
    payments: join(out, "payments.csv"),
  };

  const marketOf = new Uint8Array(customers);
  const customerFile = lineWriter(files.customers);
  customerFile.line(LEDGER_CSV_HEADERS.customers);
  for (let n = 0; n < customers; n++) {
    const m = int(0, MARKETS.length - 1);
    marketOf[n] = m;
    const market = MARKETS[m];
    const consumer = random() < 0.15;
    const name = consumer
      ? `Customer ${n + 1}`
      : `${pick(market.companies)} ${n + 1} ${market.suffix}`;
    const [city, postal] = pick(market.cities);
    customerFile.line([
      customerId(n),
      name,
      consumer ? "consumer" : "business",
      random() < 0.93 ? `${consumer ? "home" : "accounts"}@c${n + 1}.example` : "",
      random() < 0.85 ? market.phone(n + 1) : "",
      market.country,
      market.language,
      market.timezone,
      `${pick(market.streets)} ${int(1, 120)}`,
      random() < 0.2 ? "Unit 4" : "",
      postal,
      city,
    ]);
  }
  customerFile.close();

  const invoiceFile = lineWriter(files.invoices);
  const paymentFile = lineWriter(files.payments);
  invoiceFile.line(LEDGER_CSV_HEADERS.invoices);
  paymentFile.line(LEDGER_CSV_HEADERS.payments);
  let paymentCount = 0;
  let laterPayments = 0;
  for (let i = 0; i < rows; i++) {
    const c = Math.floor(random() * customers);
    const market = MARKETS[marketOf[c]];
    const issued = asOfDay - int(0, 364);
    const due = issued + pick(TERMS_DAYS);
    const amountMinor = BigInt(Math.round(market.scale * (0.05 + random() * 2) * 100) + 1);
    const id = `INV-${String(i + 1).padStart(7, "0")}`;
    invoiceFile.line([
      id,
      customerId(c),
      dayText(issued),
      dayText(due),
      market.currency,
      cents(amountMinor),
    ]);
    if (random() < PARTIAL_PAYMENT_SHARE && amountMinor >= 10n) {
      paymentCount += 1;
      const paidMinor = (amountMinor * BigInt(int(20, 80))) / 100n;
      const paidOn = issued + int(5, 150);
      if (paidOn > asOfDay) laterPayments += 1;
      paymentFile.line([
        `PAY-${String(paymentCount).padStart(7, "0")}`,
        customerId(c),
        id,
        dayText(paidOn),
        market.currency,
        cents(paidMinor),
        `Part payment ${id}`,
      ]);
    }
  }
  invoiceFile.close();
  paymentFile.close();
  return { files, asOf, customers, invoices: rows, payments: paymentCount, laterPayments };
}

function customerId(n) {
  return `C${String(n + 1).padStart(7, "0")}`;
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (name === "--rows") options.rows = Number(value);
    else if (name === "--customers") options.customers = Number(value);
    else if (name === "--as-of") options.asOf = value;
    else if (name === "--seed") options.seed = Number(value);
    else if (name === "--out") options.out = value;
    else throw new Error(`unknown option ${name}`);
  }
  return options;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = parseArgs(process.argv.slice(2));
  const out = options.out ?? join(fileURLToPath(new URL(".", import.meta.url)), "out", "data");
  const result = generate({ ...options, out });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
