import { describe, expect, it } from "vitest";
import { guardContact } from "./contact-guard.js";
import { profileFor, profilesFileSchema } from "./profile.js";

const rules = {
  collectorRole: "third_party_agency" as const,
  profiles: profilesFileSchema.parse({
    collectorRole: "third_party_agency",
    profiles: [
      {
        id: "US",
        title: "US",
        when: { countries: ["US"] },
        binding: true,
        contactWindow: {
          start: "08:00",
          end: "21:00",
          channels: ["call", "sms"],
          rule: "US-TIME-01",
          cite: "1006.6(b)(1)(i)",
        },
        caps: [
          { channel: "call", max: 7, days: 7, quietDaysAfterConversation: 7, rule: "US-FREQ-01" },
        ],
        recordRetentionYears: 3,
      },
      { id: "ANY", title: "any", when: {}, binding: false, recordRetentionYears: 6 },
    ],
  }).profiles,
};
const us = profileFor(rules, { country: "US", kind: "consumer" });
if (!us) throw new Error("no US profile");
const contact = {
  channel: "call",
  zones: ["America/New_York"],
  debts: ["INV-1"],
  history: [],
};

describe("the contact guard", () => {
  it("picks the first matching profile", () => {
    expect(profileFor(rules, { country: "SE", kind: "business" })?.id).toBe("ANY");
  });

  it("allows a call inside the window and delays one outside until it opens", () => {
    expect(guardContact(us, { ...contact, now: Date.parse("2026-01-15T15:00:00Z") })).toEqual({
      kind: "allow",
    });
    const early = guardContact(us, { ...contact, now: Date.parse("2026-01-15T11:00:00Z") });
    expect(early).toMatchObject({ kind: "delay", rule: "US-TIME-01" });
    expect(early.kind === "delay" && new Date(early.until).toISOString()).toBe(
      "2026-01-15T13:00:00.000Z",
    );
    expect(early.kind === "delay" && early.reason).toContain("06:00 there");
  });

  it("lets e-mail through at night where the profile does not window e-mail", () => {
    const night = Date.parse("2026-01-15T05:00:00Z");
    expect(guardContact(us, { ...contact, channel: "email", now: night })).toEqual({
      kind: "allow",
    });
  });

  it("delays a capped call to the next free day, at the window's opening", () => {
    const days = [5, 6, 7, 8, 9, 10, 11];
    const history = days.map((day) => ({
      debt: "INV-1",
      at: Date.parse(`2026-01-${String(day).padStart(2, "0")}T17:00:00Z`),
      conversation: false,
    }));
    const verdict = guardContact(us, {
      ...contact,
      history,
      now: Date.parse("2026-01-11T20:00:00Z"),
    });
    expect(verdict).toMatchObject({ kind: "delay", rule: "US-FREQ-01" });
    // 12 January 08:00 in New York.
    expect(verdict.kind === "delay" && new Date(verdict.until).toISOString()).toBe(
      "2026-01-12T13:00:00.000Z",
    );
  });

  it("refuses when the debtor's time zone is unknown", () => {
    expect(guardContact(us, { ...contact, zones: [], now: 0 })).toMatchObject({
      kind: "refuse",
      rule: "no-time-zone",
    });
  });
});
