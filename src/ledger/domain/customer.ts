import { parsePhoneNumberFromString } from "libphonenumber-js";
import { type Checked, invalid, valid } from "../../kernel/errors.js";

export const CUSTOMER_KINDS = ["business", "consumer"] as const;
/** Consumer debt falls under consumer-protection rules (FDCPA, EU consumer law); business debt does not. */
export type CustomerKind = (typeof CUSTOMER_KINDS)[number];

export const CUSTOMER_RISKS = ["low", "medium", "high"] as const;
/** How likely the account is to go bad, as the business rates it: picks a dunning policy. */
export type CustomerRisk = (typeof CUSTOMER_RISKS)[number];

export type PostalAddress = {
  readonly line1: string | null;
  readonly line2: string | null;
  readonly postalCode: string | null;
  readonly city: string | null;
  /** ISO 3166-1 alpha-2, the customer's country. */
  readonly country: string;
};

export type Customer = {
  readonly id: string;
  readonly name: string;
  readonly kind: CustomerKind;
  readonly email: string | null;
  /** E.164, so SMS providers and call tasks get one format. */
  readonly phone: string | null;
  readonly country: string;
  /** BCP 47 language tag the customer is written to in. */
  readonly language: string;
  /** IANA time zone; contact windows are evaluated in it. Null when the country spans several and none was given. */
  readonly timezone: string | null;
  readonly address: PostalAddress;
  /** The user who chases this account. */
  readonly collectorId: string | null;
  /** Unrated when null. */
  readonly risk: CustomerRisk | null;
};

export function parseCustomerRisk(text: string): Checked<CustomerRisk> {
  const risk = text.trim().toLowerCase();
  return (CUSTOMER_RISKS as readonly string[]).includes(risk)
    ? valid(risk as CustomerRisk)
    : invalid(`"${text}" must be one of ${CUSTOMER_RISKS.join(", ")}`);
}

export function parseCustomerKind(text: string): Checked<CustomerKind> {
  const kind = text.trim().toLowerCase();
  return (CUSTOMER_KINDS as readonly string[]).includes(kind)
    ? valid(kind as CustomerKind)
    : invalid(`"${text}" must be one of ${CUSTOMER_KINDS.join(", ")}`);
}

const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

/**
 * Codes CLDR names but ISO 3166-1 does not assign to a country: private use (ZZ is CLDR's
 * "Unknown Region"; XK, Kosovo, is in real use and allowed) and the exceptionally reserved
 * unions and former states (EU, EZ, UN, SU, FX). UK is reserved too: the code is GB.
 */
const NOT_A_COUNTRY = /^(AA|Q[M-Z]|X[A-JL-Z]|ZZ|EU|EZ|UN|SU|FX|UK)$/;

export function parseCountry(text: string): Checked<string> {
  const code = text.trim().toUpperCase();
  if (code === "UK")
    return invalid(`"${text}" is not an ISO 3166 country code (the United Kingdom is GB)`);
  return /^[A-Z]{2}$/.test(code) && !NOT_A_COUNTRY.test(code) && regionNames.of(code) !== undefined
    ? valid(code)
    : invalid(`"${text}" is not an ISO 3166 country code (e.g. SE, IT, US, GB)`);
}

export function parseLanguage(text: string): Checked<string> {
  try {
    const [tag] = Intl.getCanonicalLocales(text.trim());
    if (tag) return valid(tag);
  } catch {
    // fall through to the message below
  }
  return invalid(`"${text}" is not a language tag (e.g. sv, it, en-GB)`);
}

const zoneCache = new Map<string, boolean>();

/**
 * One IANA zone, or several separated by spaces, commas or semicolons for a debtor known in more
 * than one place (the contact guard then waits for a time that suits all of them); stored
 * space-separated.
 */
export function parseTimeZone(text: string): Checked<string> {
  const zones = splitZones(text);
  const unknown = zones.find((zone) => !knownZone(zone));
  if (zones.length === 0 || unknown !== undefined) {
    return invalid(`"${unknown ?? text}" is not an IANA time zone (e.g. Europe/Stockholm)`);
  }
  return valid(zones.join(" "));
}

function knownZone(zone: string): boolean {
  let known = zoneCache.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    zoneCache.set(zone, known);
  }
  return known;
}

/** The language a customer in `country` is written to when none is given. */
export function defaultLanguage(country: string): string {
  const info = new Intl.Locale(`und-${country}`).maximize();
  return info.language === "und" ? "en" : `${info.language}-${country}`;
}

/** The country's time zone when it has exactly one; otherwise null (unknown). */
export function defaultTimeZone(country: string): string | null {
  const zones = countryTimeZones(country);
  return zones.length === 1 ? (zones[0] ?? null) : null;
}

/**
 * Where a customer may be: the zones on their record, else every zone of their country, so
 * that an unknown location is only contacted when the time suits all of them (US-TIME-05).
 */
export function customerTimeZones(timezone: string | null, country: string): string[] {
  const listed = splitZones(timezone ?? "");
  return listed.length > 0 ? listed : countryTimeZones(country);
}

function countryTimeZones(country: string): string[] {
  const locale = new Intl.Locale(`und-${country}`) as Intl.Locale & { timeZones?: string[] };
  return locale.timeZones ?? [];
}

/** Several zones are written separated by spaces, commas or semicolons. */
function splitZones(text: string): string[] {
  return text
    .trim()
    .split(/[\s,;]+/)
    .filter(Boolean);
}

/** A customer's postal address as the lines of an envelope: blank parts left out. */
export function postalAddressLines(address: {
  readonly address_line1: string | null;
  readonly address_line2: string | null;
  readonly postal_code: string | null;
  readonly city: string | null;
}): string[] {
  return [
    address.address_line1,
    address.address_line2,
    [address.postal_code, address.city].filter(Boolean).join(" "),
  ].filter((line): line is string => Boolean(line));
}

export function parseEmail(text: string): Checked<string> {
  const email = text.trim();
  // Deliberately loose: the SMTP server is the judge; this catches typos like a missing @.
  return /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/.test(email)
    ? valid(email)
    : invalid(`"${text}" is not an e-mail address`);
}

export function parsePhone(text: string, country: string): Checked<string> {
  const phone = parsePhoneNumberFromString(text.trim(), country as never);
  return phone?.isValid()
    ? valid(phone.number)
    : invalid(`"${text}" is not a valid phone number for ${country}`);
}
