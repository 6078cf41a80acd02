import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  currency,
  findCurrency,
  formatAmount,
  formatAmountForHumans,
  formatMoney,
  parseAmount,
  toBigInt,
} from "./money.js";

const EUR = currency("EUR");
const JPY = currency("JPY");
const KWD = currency("KWD");

describe("currencies", () => {
  it("knows each currency's minor unit from ISO 4217", () => {
    expect([
      JPY.digits,
      currency("SEK").digits,
      EUR.digits,
      currency("USD").digits,
      KWD.digits,
    ]).toEqual([0, 2, 2, 2, 3]);
  });

  it("refuses codes that are not invoiceable money", () => {
    expect(findCurrency("XAU")).toBeUndefined();
    expect(findCurrency("XXX")).toBeUndefined();
    expect(findCurrency("eur")).toBeUndefined();
    expect(findCurrency("ABC")).toBeUndefined();
    expect(findCurrency("XOF")?.digits).toBe(0);
  });
});

describe("parseAmount", () => {
  it("reads decimal strings into exact minor units", () => {
    expect(parseAmount("1234.5", EUR)).toEqual({ ok: true, value: 123450n });
    expect(parseAmount("0.07", EUR)).toEqual({ ok: true, value: 7n });
    expect(parseAmount("100", JPY)).toEqual({ ok: true, value: 100n });
    expect(parseAmount("1.234", KWD)).toEqual({ ok: true, value: 1234n });
    expect(parseAmount(" 12. ", EUR)).toEqual({ ok: true, value: 1200n });
  });

  it("keeps amounts far beyond 2^53 exact", () => {
    expect(parseAmount("92233720368547758.07", EUR)).toEqual({
      ok: true,
      value: 9223372036854775807n,
    });
  });

  it("refuses more decimals than the currency has instead of rounding", () => {
    expect(parseAmount("10.005", EUR).ok).toBe(false);
    expect(parseAmount("10.5", JPY)).toMatchObject({
      ok: false,
      problem: expect.stringContaining("no minor unit"),
    });
  });

  it("refuses what is not a plain decimal", () => {
    for (const text of ["1e3", "1,50", "", "abc", "+5", "1.2.3", "0x10", "∞"]) {
      expect(parseAmount(text, EUR).ok, text).toBe(false);
    }
  });

  it("refuses negatives unless asked", () => {
    expect(parseAmount("-5.00", EUR).ok).toBe(false);
    expect(parseAmount("-5.00", EUR, { allowNegative: true })).toEqual({ ok: true, value: -500n });
  });
});

describe("formatAmount", () => {
  it("prints exactly the currency's digits", () => {
    expect(formatAmount(123450n, EUR)).toBe("1234.50");
    expect(formatAmount(7n, EUR)).toBe("0.07");
    expect(formatAmount(0n, EUR)).toBe("0.00");
    expect(formatAmount(-7n, EUR)).toBe("-0.07");
    expect(formatAmount(100n, JPY)).toBe("100");
    expect(formatAmount(1n, KWD)).toBe("0.001");
  });

  it("groups thousands for people", () => {
    expect(formatAmountForHumans(123456789n, EUR)).toBe("1,234,567.89");
    expect(formatAmountForHumans(1000000n, JPY)).toBe("1,000,000");
  });

  it("round-trips every amount through text", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.constantFrom(EUR, JPY, KWD),
        (minor, cur) => {
          const parsed = parseAmount(formatAmount(minor, cur), cur, { allowNegative: true });
          expect(parsed).toEqual({ ok: true, value: minor });
        },
      ),
    );
  });
});

describe("formatMoney", () => {
  const SEK = currency("SEK");
  const USD = currency("USD");
  const spaced = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

  it("writes money the way each locale does", () => {
    expect(spaced(formatMoney(123450n, SEK, "sv-SE"))).toBe("1 234,50 kr");
    expect(spaced(formatMoney(123450n, EUR, "it-IT"))).toBe("1.234,50 €");
    expect(spaced(formatMoney(123450n, SEK, "en-GB"))).toBe("SEK 1,234.50");
    expect(formatMoney(123450n, USD, "en-US")).toBe("$1,234.50");
    expect(formatMoney(1234n, JPY, "en-US")).toBe("¥1,234");
    expect(spaced(formatMoney(1234567n, KWD, "en-GB"))).toBe("KWD 1,234.567");
    expect(spaced(formatMoney(-50n, EUR, "it-IT"))).toBe("-0,50 €");
  });

  it("stays exact far beyond 2^53", () => {
    expect(formatMoney(9223372036854775807n, USD, "en-US")).toBe("$92,233,720,368,547,758.07");
    expect(spaced(formatMoney(9223372036854775807n, EUR, "it-IT"))).toBe(
      "92.233.720.368.547.758,07 €",
    );
  });

  it("agrees with Intl on every amount a float still holds exactly", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }),
        fc.constantFrom("sv-SE", "it-IT", "en-GB", "en-US", "de-CH"),
        (minor, locale) => {
          const expected = new Intl.NumberFormat(locale, {
            style: "currency",
            currency: "EUR",
            useGrouping: "always",
          }).format(Number(minor) / 100);
          expect(formatMoney(minor, EUR, locale)).toBe(expected);
        },
      ),
    );
  });
});

describe("toBigInt", () => {
  it("accepts what the drivers return for integers and sums", () => {
    expect(toBigInt(5n)).toBe(5n);
    expect(toBigInt(5)).toBe(5n);
    expect(toBigInt("18014398509481985")).toBe(18014398509481985n);
    expect(toBigInt(null)).toBe(0n);
    expect(() => toBigInt(1.5)).toThrow();
    expect(() => toBigInt("1.5")).toThrow();
  });
});
