import currencyCodes from "currency-codes";
import { type Checked, invalid, OverdueError, valid } from "./errors.js";

/** An ISO 4217 currency with the number of digits of its minor unit (JPY 0, EUR 2, KWD 3). */
export type Currency = { readonly code: string; readonly digits: number };

/** An exact amount: integer minor units of one currency. Never a float. */
export type Money = { readonly minor: bigint; readonly currency: Currency };

const currencyCache = new Map<string, Currency | null>();

/**
 * ISO 4217 codes that are not money one can invoice in: precious metals, IMF units,
 * bond-market units and the testing/"no currency" codes (their minor unit is "N.A.").
 */
const NOT_INVOICEABLE = new Set("XAU XAG XPT XPD XDR XSU XUA XBA XBB XBC XBD XTS XXX".split(" "));

/** Looks up an active ISO 4217 code with its minor-unit digits. */
export function findCurrency(code: string): Currency | undefined {
  let hit = currencyCache.get(code);
  if (hit === undefined) {
    const entry =
      /^[A-Z]{3}$/.test(code) && !NOT_INVOICEABLE.has(code) ? currencyCodes.code(code) : undefined;
    const digits = entry?.digits;
    hit = typeof digits === "number" && Number.isInteger(digits) ? { code, digits } : null;
    currencyCache.set(code, hit);
  }
  return hit ?? undefined;
}

export function parseCurrency(text: string): Checked<Currency> {
  const currency = findCurrency(text.trim().toUpperCase());
  return currency ? valid(currency) : invalid(`"${text}" is not an ISO 4217 currency code`);
}

export function currency(code: string): Currency {
  const found = findCurrency(code);
  if (!found) throw new OverdueError("unknown_currency", `unknown currency ${code}`);
  return found;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d*))?$/;

/**
 * Parses a decimal string ("1234.5", "-0.75", "100") into minor units of `cur`.
 * More fraction digits than the currency has is an error, not a rounding: an invoice
 * amount of 10.005 EUR is a data problem the user must see.
 */
export function parseAmount(
  text: string,
  cur: Currency,
  options: { allowNegative?: boolean } = {},
): Checked<bigint> {
  const match = DECIMAL.exec(text.trim());
  if (!match) return invalid(`"${text}" is not a decimal amount (use digits and a "." point)`);
  const [, sign, whole = "", fraction = ""] = match;
  if (fraction.length > cur.digits) {
    return invalid(
      cur.digits === 0
        ? `"${text}" has decimals, but ${cur.code} has no minor unit`
        : `"${text}" has more than ${cur.digits} decimals for ${cur.code}`,
    );
  }
  if (sign && !options.allowNegative) return invalid(`"${text}" must not be negative`);
  const minor = BigInt(whole + fraction.padEnd(cur.digits, "0"));
  return valid(sign ? -minor : minor);
}

/** Formats minor units as a plain decimal string with exactly the currency's digits. */
export function formatAmount(minor: bigint, cur: Currency): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString();
  if (cur.digits === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(cur.digits + 1, "0");
  const cut = padded.length - cur.digits;
  return `${negative ? "-" : ""}${padded.slice(0, cut)}.${padded.slice(cut)}`;
}

/** Groups thousands for people ("1 234 567.00"); machine output uses formatAmount. */
export function formatAmountForHumans(minor: bigint, cur: Currency): string {
  const plain = formatAmount(minor, cur);
  const [whole = "", fraction] = plain.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * Formats an amount as `locale` writes money: "1 234,50 kr" (sv-SE), "1.234,50 €" (it-IT),
 * "SEK 1,234.50" (en-GB). The decimal string goes to Intl as text (ES2023 Intl.NumberFormat
 * reads strings as exact decimals), so amounts beyond 2^53 stay exact; the digits are the
 * ISO 4217 minor unit, never Intl's own idea of the currency. Grouping is "always" because
 * invoices write 1.234,50 even where CLDR leaves four-digit numbers ungrouped (Italian).
 */
export function formatMoney(minor: bigint, cur: Currency, locale: string): string {
  const key = `${locale}\u0000${cur.code}\u0000${cur.digits}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      style: "currency",
      currency: cur.code,
      minimumFractionDigits: cur.digits,
      maximumFractionDigits: cur.digits,
      useGrouping: "always",
    });
    moneyFormats.set(key, format);
  }
  return format.format(formatAmount(minor, cur) as `${number}`);
}

/** Converts what a database driver returns for an integer or SUM into a bigint. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value))
      throw new OverdueError("not_integer", `expected an integer, got ${value}`);
    return BigInt(value);
  }
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  if (value === null || value === undefined) return 0n;
  throw new OverdueError("not_integer", `expected an integer, got ${String(value)}`);
}
