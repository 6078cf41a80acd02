import { OverdueError } from "../../kernel/errors.js";

/**
 * Payment references a customer quotes when paying, so a bank statement line can be matched to
 * the invoice (or customer) it pays without a person reading it:
 *
 * - **OCR** (Bankgirot, Sweden): 2–25 digits, the last a check digit by the Luhn "10-modul"
 *   (weights 2, 1, 2, … from the right, digits of products added). Optionally the digit before
 *   it is a length digit: the total number of digits, length and check digit included, mod 10.
 *   Rules from Bankgirot's "Bankgiro Inbetalningar" user manual, section 5.2.
 * - **RF** (ISO 11649 creditor reference): `RF`, two check digits (ISO 7064 MOD 97-10, as in an
 *   IBAN) and 1–21 letters and digits. The electronic form has no spaces; paper shows groups
 *   of four.
 *
 * References are derived from the invoice number (or the customer id) so that the matcher can
 * go back from a reference to what it names: the reference's `base` equals
 * `normalisedInvoiceNumber(number, scheme)`. That normalisation drops characters, so different
 * numbers can share a base: "F-1001", "F1001" and "f 1001" all become RF base "F1001"; for OCR
 * "F-1001", "G-1001", "1001" and "10-01" all become "1001". A base that names more than one open
 * invoice is such a collision, and the matcher sends the payment to review instead of guessing.
 */
export type ReferenceScheme = "rf" | "ocr";

export type ReferenceSettings = {
  readonly scheme: ReferenceScheme | "none";
  /** One reference per invoice (from its number) or per customer (from the customer id). */
  readonly per: "invoice" | "customer";
  /** OCR only: add Bankgirot's length digit (needed for an agreement with length control). */
  readonly lengthDigit?: boolean;
};

export const DEFAULT_REFERENCE_SETTINGS: ReferenceSettings = { scheme: "rf", per: "invoice" };

export type CheckedReference =
  | {
      readonly valid: true;
      readonly kind: ReferenceScheme;
      /** Compact and upper-case, as it goes into a payment: "RF18539007547034". */
      readonly reference: string;
      /** What the reference was made from, without check (and length) digits. */
      readonly base: string;
      /** OCR only: whether the digit before the check digit is read as a length digit. */
      readonly lengthDigit?: boolean;
    }
  | { readonly valid: false; readonly problem: string };

const OCR_MAX_DIGITS = 25;
const RF_MAX_BASE = 21;

/** Luhn check digit for `digits`, as the digit that will follow them (Bankgirot's 10-modul). */
function luhnCheckDigit(digits: string): number {
  let sum = 0;
  let weight = 2;
  for (let index = digits.length - 1; index >= 0; index--) {
    const product = (digits.charCodeAt(index) - 48) * weight;
    sum += product > 9 ? product - 9 : product;
    weight = 3 - weight;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * ISO 7064 MOD 97-10 remainder of an alphanumeric string, letters counting as two digits
 * (A = 10 … Z = 35), computed piecewise so a 25-character reference never needs a bigint.
 */
function mod97(text: string): number {
  let remainder = 0;
  for (const char of text) {
    const value = Number.parseInt(char, 36);
    remainder = (remainder * (value < 10 ? 10 : 100) + value) % 97;
  }
  return remainder;
}

const withoutSpaces = (text: string) => text.replace(/\s+/g, "");
/** Upper-cases ASCII letters only: "ß".toUpperCase() is "SS" and "ı" becomes "I". */
const asciiUpper = (text: string) => text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());

/**
 * A Swedish OCR reference for `base` (digits; spaces are ignored): the base, the length digit
 * when asked for, and the Luhn check digit. Throws when the base is not digits or the result
 * would exceed 25 digits.
 */
export function ocrReference(base: string, options: { lengthDigit?: boolean } = {}): string {
  const digits = withoutSpaces(base);
  if (digits === "") {
    throw new OverdueError("bad_reference_base", "an OCR reference needs at least one digit");
  }
  if (!/^[0-9]+$/.test(digits)) {
    throw new OverdueError(
      "bad_reference_base",
      `OCR reference base "${base}": an OCR reference has digits only`,
    );
  }
  const added = options.lengthDigit ? 2 : 1;
  const total = digits.length + added;
  if (total > OCR_MAX_DIGITS) {
    throw new OverdueError(
      "bad_reference_base",
      `OCR reference base "${base}" has ${digits.length} digits; with the ` +
        `${options.lengthDigit ? "length and check digits" : "check digit"} that is ${total}, ` +
        `more than the ${OCR_MAX_DIGITS} an OCR reference may have`,
    );
  }
  const body = options.lengthDigit ? `${digits}${total % 10}` : digits;
  return `${body}${luhnCheckDigit(body)}`;
}

/**
 * An ISO 11649 RF creditor reference for `base` (1–21 letters and digits; spaces are ignored,
 * lower case is upper-cased), in the compact electronic form.
 */
export function rfReference(base: string): string {
  const compact = asciiUpper(withoutSpaces(base));
  if (compact === "") {
    throw new OverdueError("bad_reference_base", "an RF reference needs at least one character");
  }
  if (!/^[A-Z0-9]+$/.test(compact)) {
    throw new OverdueError(
      "bad_reference_base",
      `RF reference base "${base}": an RF reference has only the letters A–Z and digits`,
    );
  }
  if (compact.length > RF_MAX_BASE) {
    throw new OverdueError(
      "bad_reference_base",
      `RF reference base "${base}" has ${compact.length} characters, more than the ` +
        `${RF_MAX_BASE} an RF reference may have`,
    );
  }
  // ISO 11649: move "RF00" behind the base, take MOD 97-10, the check digits are 98 - remainder.
  const check = 98 - mod97(`${compact}RF00`);
  return `RF${String(check).padStart(2, "0")}${compact}`;
}

/** The paper form of an RF reference, in groups of four: "RF18 5390 0754 7034". */
export function formatRfForPrint(reference: string): string {
  return (asciiUpper(withoutSpaces(reference)).match(/.{1,4}/g) ?? []).join(" ");
}

/**
 * Whether `text` is a valid payment reference, and which kind. Spaces and lower case are
 * accepted. `RF…` is an RF reference; a string of digits is an OCR reference.
 *
 * An OCR reference does not say whether it carries a length digit. Unless told
 * (`ocrLengthDigit`), the digit before the check digit is read as a length digit when it
 * matches the length; otherwise the reference is a valid OCR reference without one (Luhn alone
 * decides validity). That guess is wrong for about one in ten references made without a length
 * digit, so a caller that knows the scheme's setting (the matcher does) should pass it: with
 * `ocrLengthDigit: false` the base is everything but the check digit; with `true` a length digit
 * that does not match the length is not read as one (the reference is still Luhn-valid).
 */
export function checkReference(
  text: string,
  options: { ocrLengthDigit?: boolean } = {},
): CheckedReference {
  const compact = asciiUpper(withoutSpaces(text));
  if (compact === "") return { valid: false, problem: "the reference is empty" };
  if (compact.startsWith("RF")) return checkRf(compact);
  if (/^[0-9]+$/.test(compact)) return checkOcr(compact, options.ocrLengthDigit);
  return {
    valid: false,
    problem:
      `"${text.trim()}" is neither an RF creditor reference (RF, two check digits, up to 21 ` +
      "letters and digits) nor an OCR reference (2–25 digits)",
  };
}

function checkRf(compact: string): CheckedReference {
  const digits = compact.slice(2, 4);
  const base = compact.slice(4);
  if (!/^[0-9]{2}$/.test(digits)) {
    return { valid: false, problem: `${compact}: "RF" must be followed by two check digits` };
  }
  if (base === "") return { valid: false, problem: `${compact}: nothing follows the check digits` };
  if (!/^[A-Z0-9]+$/.test(base)) {
    return {
      valid: false,
      problem: `${compact}: an RF reference has only the letters A–Z and digits after "RF${digits}"`,
    };
  }
  if (base.length > RF_MAX_BASE) {
    return {
      valid: false,
      problem: `${compact}: ${base.length} characters after "RF${digits}", at most ${RF_MAX_BASE}`,
    };
  }
  const expected = rfReference(base).slice(2, 4);
  // MOD 97-10 check digits are 02–98: "00", "01" and "99" pass the remainder test for some
  // bases (97 ≡ 0, 98 ≡ 1, 99 ≡ 2) but are never issued.
  if (digits !== expected) {
    return {
      valid: false,
      problem: `${compact}: the check digits are ${digits}, but for ${base} they are ${expected}`,
    };
  }
  return { valid: true, kind: "rf", reference: compact, base };
}

function checkOcr(digits: string, expectLengthDigit: boolean | undefined): CheckedReference {
  if (digits.length < 2 || digits.length > OCR_MAX_DIGITS) {
    return {
      valid: false,
      problem: `${digits}: an OCR reference has 2–${OCR_MAX_DIGITS} digits, this has ${digits.length}`,
    };
  }
  const body = digits.slice(0, -1);
  const check = luhnCheckDigit(body);
  if (digits.endsWith(String(check)) === false) {
    return {
      valid: false,
      problem: `${digits}: the check digit is ${digits.at(-1)}, but for ${body} it is ${check}`,
    };
  }
  // A length digit needs a base of at least one digit before it.
  const lengthMatches = digits.length >= 3 && body.endsWith(String(digits.length % 10));
  const lengthDigit = expectLengthDigit === false ? false : lengthMatches;
  return {
    valid: true,
    kind: "ocr",
    reference: digits,
    base: lengthDigit ? body.slice(0, -1) : body,
    lengthDigit,
  };
}

/** The base of a valid reference (see `checkReference`), or null. */
export function referenceBase(
  reference: string,
  options: { ocrLengthDigit?: boolean } = {},
): string | null {
  const checked = checkReference(reference, options);
  return checked.valid ? checked.base : null;
}

/**
 * An invoice number (or customer id) as a reference base of `scheme`: RF keeps the ASCII
 * letters (upper-cased) and digits, OCR keeps the digits. "" when nothing is left.
 */
export function normalisedInvoiceNumber(number: string, scheme: ReferenceScheme): string {
  return scheme === "rf"
    ? asciiUpper(number).replace(/[^A-Z0-9]+/g, "")
    : number.replace(/[^0-9]+/g, "");
}

/**
 * The reference to print for an invoice, or null when the scheme is "none" or the number (or
 * customer id) cannot make one: no letters or digits left, or too many (RF: more than 21
 * characters; OCR: more than 24 digits, 23 with a length digit). A null reference leaves the
 * invoice number as what the customer quotes.
 */
export function paymentReferenceFor(
  settings: ReferenceSettings,
  target: { readonly invoiceNumber: string; readonly customerId: string },
): string | null {
  if (settings.scheme === "none") return null;
  const source = settings.per === "customer" ? target.customerId : target.invoiceNumber;
  const base = normalisedInvoiceNumber(source, settings.scheme);
  if (base === "") return null;
  if (settings.scheme === "rf") return base.length <= RF_MAX_BASE ? rfReference(base) : null;
  const room = OCR_MAX_DIGITS - (settings.lengthDigit ? 2 : 1);
  return base.length <= room ? ocrReference(base, { lengthDigit: settings.lengthDigit }) : null;
}
