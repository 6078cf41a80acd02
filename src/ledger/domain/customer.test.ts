import { describe, expect, it } from "vitest";
import {
  defaultLanguage,
  defaultTimeZone,
  parseCountry,
  parseEmail,
  parseLanguage,
  parsePhone,
  parseTimeZone,
} from "./customer.js";

describe("customer fields", () => {
  it("accepts ISO 3166 countries and refuses unknown or private-use codes", () => {
    expect(parseCountry("se")).toEqual({ ok: true, value: "SE" });
    expect(parseCountry("XK").ok).toBe(true);
    for (const code of ["ZZ", "XX", "QQ", "AA", "SWE", "", "S"])
      expect(parseCountry(code).ok, code).toBe(false);
  });

  it("normalizes phone numbers to E.164 using the customer's country", () => {
    expect(parsePhone("070-174 06 05", "SE")).toEqual({ ok: true, value: "+46701740605" });
    expect(parsePhone("347 123 4567", "IT")).toEqual({ ok: true, value: "+393471234567" });
    expect(parsePhone("+44 20 7946 0123", "US")).toEqual({ ok: true, value: "+442079460123" });
    expect(parsePhone("123", "SE").ok).toBe(false);
  });

  it("checks e-mail addresses, languages and time zones", () => {
    expect(parseEmail("ar@acme.example").ok).toBe(true);
    expect(parseEmail("ar.acme.example").ok).toBe(false);
    expect(parseLanguage("en-gb")).toEqual({ ok: true, value: "en-GB" });
    expect(parseLanguage("not a tag").ok).toBe(false);
    expect(parseTimeZone("Europe/Rome").ok).toBe(true);
    expect(parseTimeZone("Mars/Olympus").ok).toBe(false);
    // A debtor known in several places: every zone is checked, and kept space-separated.
    expect(parseTimeZone("America/New_York; America/Los_Angeles")).toEqual({
      ok: true,
      value: "America/New_York America/Los_Angeles",
    });
    expect(parseTimeZone("America/New_York, Mars/Olympus")).toEqual({
      ok: false,
      problem: '"Mars/Olympus" is not an IANA time zone (e.g. Europe/Stockholm)',
    });
  });

  it("fills language and time zone from the country when it is unambiguous", () => {
    expect(defaultLanguage("SE")).toBe("sv-SE");
    expect(defaultLanguage("IT")).toBe("it-IT");
    expect(defaultTimeZone("SE")).toBe("Europe/Stockholm");
    expect(defaultTimeZone("US")).toBeNull();
  });
});
