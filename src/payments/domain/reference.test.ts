import { describe, expect, it } from "vitest";
import {
  checkReference,
  formatRfForPrint,
  normalisedInvoiceNumber,
  ocrReference,
  paymentReferenceFor,
  referenceBase,
  rfReference,
} from "./reference.js";

describe("rfReference", () => {
  it("makes the creditor reference of ISO 11649's own example", () => {
    // ISO 11649:2009, the example of the standard: "RF18 5390 0754 7034" (also quoted in
    // python-stdnum's stdnum.iso11649 documentation).
    expect(rfReference("539007547034")).toBe("RF18539007547034");
    expect(formatRfForPrint("RF18539007547034")).toBe("RF18 5390 0754 7034");
  });

  it("accepts letters, lower case and spaces, and keeps the compact form", () => {
    expect(rfReference("f 1001")).toBe(rfReference("F1001"));
    const made = rfReference("INV2026A");
    expect(made).toMatch(/^RF\d{2}INV2026A$/);
    expect(checkReference(made)).toMatchObject({ valid: true, kind: "rf", base: "INV2026A" });
  });

  it("takes 21 characters and refuses 22, characters outside A–Z/0–9 and nothing", () => {
    // Leading zeros do not change a MOD 97 remainder: the padded example keeps check digits 18.
    expect(rfReference("000000000539007547034")).toBe("RF18000000000539007547034");
    expect(() => rfReference("0000000000539007547034")).toThrow(
      'RF reference base "0000000000539007547034" has 22 characters, more than the 21',
    );
    expect(() => rfReference("F-1001")).toThrow("only the letters A–Z and digits");
    expect(() => rfReference("FÅ1001")).toThrow("only the letters A–Z and digits");
    expect(() => rfReference("  ")).toThrow("at least one character");
  });
});

describe("ocrReference", () => {
  it("adds the Luhn check digit of the published Luhn example", () => {
    // The Luhn algorithm's worked example (ISO/IEC 7812-1 annex B; Wikipedia, "Luhn
    // algorithm"): 7992739871 gets check digit 3.
    expect(ocrReference("7992739871")).toBe("79927398713");
  });

  it("follows Bankgirot's rules for the check and the length digit", () => {
    // Bankgiro Inbetalningar user manual, 5.2: weights 2-1 from the right, the digits of each
    // product summed, check digit = 10 - (sum mod 10). For 1234567890:
    // 0·2 + 9 + (1+6) + 7 + (1+2) + 5 + 8 + 3 + 4 + 1 = 47, so the check digit is 3.
    expect(ocrReference("1234567890")).toBe("12345678903");
    // With the length digit: 12 digits in all, so "2", then the check digit over 12345678902:
    // 2·2 + 0 + (1+8) + 8 + (1+4) + 6 + (1+0) + 4 + 6 + 2 + 2 = 47, again 3.
    expect(ocrReference("1234567890", { lengthDigit: true })).toBe("123456789023");
    // Ten digits or more: the length digit is the last digit of the length (Bankgirot 5.2.3).
    // 12345678 + length digit "0" (10 digits): 0·2 + 8 + (1+4) + 6 + (1+0) + 4 + 6 + 2 + 2 = 34.
    expect(ocrReference("12345678", { lengthDigit: true })).toBe("1234567806");
  });

  it("makes references of 2 to 25 digits and refuses anything else", () => {
    expect(ocrReference("5")).toHaveLength(2);
    expect(ocrReference("1".repeat(24))).toHaveLength(25);
    expect(ocrReference("1".repeat(23), { lengthDigit: true })).toHaveLength(25);
    expect(() => ocrReference("1".repeat(25))).toThrow(
      "has 25 digits; with the check digit that is 26, more than the 25",
    );
    expect(() => ocrReference("1".repeat(24), { lengthDigit: true })).toThrow(
      "with the length and check digits that is 26",
    );
    expect(() => ocrReference("12A4")).toThrow('OCR reference base "12A4": an OCR reference');
    expect(() => ocrReference("")).toThrow("at least one digit");
  });
});

describe("checkReference", () => {
  it("accepts the ISO 11649 example as typed by people, and refuses it with a wrong digit", () => {
    for (const typed of ["RF18 5390 0754 7034", "rf18539007547034", " RF18539007547034 "]) {
      expect(checkReference(typed)).toEqual({
        valid: true,
        kind: "rf",
        reference: "RF18539007547034",
        base: "539007547034",
      });
    }
    expect(checkReference("RF17 5390 0754 7034")).toEqual({
      valid: false,
      problem: "RF17539007547034: the check digits are 17, but for 539007547034 they are 18",
    });
    // One character of the base changed: MOD 97 catches every single substitution.
    expect(checkReference("RF18 5390 0754 7035").valid).toBe(false);
  });

  it("refuses check digits 00, 01 and 99, which MOD 97 alone would let through", () => {
    // 97 ≡ 0 and 99 ≡ 2 (mod 97): RF97… and RF02… have partners that pass the remainder test.
    const base = (checks: string) =>
      Array.from({ length: 2000 }, (_, n) => String(n)).find(
        (b) => rfReference(b).slice(2, 4) === checks,
      );
    const for97 = base("97");
    const for02 = base("02");
    expect(for97 && checkReference(`RF97${for97}`).valid).toBe(true);
    expect(for97 && checkReference(`RF00${for97}`).valid).toBe(false);
    expect(for02 && checkReference(`RF02${for02}`).valid).toBe(true);
    expect(for02 && checkReference(`RF99${for02}`).valid).toBe(false);
  });

  it("says what is wrong with a malformed RF reference", () => {
    expect(checkReference("RF")).toMatchObject({
      valid: false,
      problem: expect.stringContaining("two check digits"),
    });
    expect(checkReference("RF18")).toMatchObject({
      problem: "RF18: nothing follows the check digits",
    });
    expect(checkReference("RF18-5390")).toMatchObject({
      problem: expect.stringContaining("only the letters"),
    });
    expect(checkReference(`RF18${"1".repeat(22)}`)).toMatchObject({
      problem: expect.stringContaining('22 characters after "RF18", at most 21'),
    });
  });

  it("reads digits as an OCR reference, with or without a length digit", () => {
    expect(checkReference("12345678903")).toEqual({
      valid: true,
      kind: "ocr",
      reference: "12345678903",
      base: "1234567890",
      lengthDigit: false,
    });
    expect(checkReference("1234 5678 9023")).toEqual({
      valid: true,
      kind: "ocr",
      reference: "123456789023",
      base: "1234567890",
      lengthDigit: true,
    });
  });

  it("treats a Luhn-valid number whose length digit does not match as having none", () => {
    // 123456789015: Luhn-valid (check digit 5 over 12345678901), but 12 digits, not 1.
    expect(ocrReference("12345678901")).toBe("123456789015");
    expect(checkReference("123456789015")).toMatchObject({
      valid: true,
      lengthDigit: false,
      base: "12345678901",
    });
    expect(checkReference("123456789015", { ocrLengthDigit: true })).toMatchObject({
      valid: true,
      lengthDigit: false,
    });
  });

  it("reads the length digit as the caller's scheme says when told", () => {
    // 1235 + check digit: the "5" before the check digit matches the length 5 by chance.
    const made = ocrReference("1235");
    expect(made).toBe("12351");
    expect(checkReference(made)).toMatchObject({ lengthDigit: true, base: "123" });
    expect(checkReference(made, { ocrLengthDigit: false })).toMatchObject({
      lengthDigit: false,
      base: "1235",
    });
    expect(referenceBase(made, { ocrLengthDigit: false })).toBe("1235");
    // So does the Luhn example: 11 digits, and a "1" before the check digit.
    expect(checkReference("79927398713")).toMatchObject({ lengthDigit: true, base: "799273987" });
    expect(referenceBase("79927398713", { ocrLengthDigit: false })).toBe("7992739871");
  });

  it("refuses a wrong check digit, bad characters and wrong lengths", () => {
    expect(checkReference("12345678904")).toEqual({
      valid: false,
      problem: "12345678904: the check digit is 4, but for 1234567890 it is 3",
    });
    expect(checkReference("1".repeat(26))).toMatchObject({
      problem: expect.stringContaining("2–25 digits, this has 26"),
    });
    expect(checkReference("7")).toMatchObject({ valid: false });
    expect(checkReference("1234-5678")).toMatchObject({
      valid: false,
      problem: expect.stringContaining("is neither an RF creditor reference"),
    });
    expect(checkReference("   ")).toEqual({ valid: false, problem: "the reference is empty" });
    expect(referenceBase("RF00 1234")).toBeNull();
  });
});

describe("paymentReferenceFor", () => {
  const target = { invoiceNumber: "INV-2026/0042", customerId: "C-0009" };

  it("derives references the matcher can trace back to the invoice or customer", () => {
    const rf = paymentReferenceFor({ scheme: "rf", per: "invoice" }, target);
    expect(rf).toBe(rfReference("INV20260042"));
    expect(referenceBase(rf ?? "")).toBe(normalisedInvoiceNumber(target.invoiceNumber, "rf"));

    const ocr = paymentReferenceFor({ scheme: "ocr", per: "invoice", lengthDigit: true }, target);
    expect(ocr).toBe(ocrReference("20260042", { lengthDigit: true }));
    expect(referenceBase(ocr ?? "", { ocrLengthDigit: true })).toBe(
      normalisedInvoiceNumber(target.invoiceNumber, "ocr"),
    );

    expect(paymentReferenceFor({ scheme: "rf", per: "customer" }, target)).toBe(
      rfReference("C0009"),
    );
    expect(paymentReferenceFor({ scheme: "ocr", per: "customer" }, target)).toBe(
      ocrReference("0009"),
    );
  });

  it("gives none when the scheme is off or the number cannot make one", () => {
    expect(paymentReferenceFor({ scheme: "none", per: "invoice" }, target)).toBeNull();
    const number = (invoiceNumber: string) => ({ invoiceNumber, customerId: "C1" });
    expect(paymentReferenceFor({ scheme: "ocr", per: "invoice" }, number("ABC"))).toBeNull();
    expect(paymentReferenceFor({ scheme: "rf", per: "invoice" }, number("---"))).toBeNull();
    expect(
      paymentReferenceFor({ scheme: "rf", per: "invoice" }, number("A".repeat(22))),
    ).toBeNull();
    expect(
      paymentReferenceFor({ scheme: "rf", per: "invoice" }, number("A".repeat(21))),
    ).not.toBeNull();
    const digits24 = number("9".repeat(24));
    expect(paymentReferenceFor({ scheme: "ocr", per: "invoice" }, digits24)).toHaveLength(25);
    expect(
      paymentReferenceFor({ scheme: "ocr", per: "invoice", lengthDigit: true }, digits24),
    ).toBeNull();
  });

  it("normalises numbers that differ only in punctuation or letters alike (a collision)", () => {
    expect(normalisedInvoiceNumber("F-1001", "rf")).toBe("F1001");
    expect(normalisedInvoiceNumber("f 1001", "rf")).toBe("F1001");
    expect(normalisedInvoiceNumber("Straße-1", "rf")).toBe("STRAE1");
    expect(normalisedInvoiceNumber("F-1001", "ocr")).toBe("1001");
    expect(normalisedInvoiceNumber("G-1001", "ocr")).toBe("1001");
  });
});
