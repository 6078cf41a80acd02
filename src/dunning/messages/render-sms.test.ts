import { beforeAll, describe, expect, it } from "vitest";
import { calendarDate } from "../../kernel/calendar-date.js";
import {
  loadMessageLibrary,
  type MessageInvoice,
  type MessageLibrary,
  renderSms,
  SMS_MAX_CHARACTERS,
  sampleMessageInput,
} from "./index.js";

let library: MessageLibrary;
beforeAll(async () => {
  library = await loadMessageLibrary();
});

const invoices = (count: number): MessageInvoice[] =>
  Array.from({ length: count }, (_, index) => ({
    number: `INV-${String(index + 1).padStart(5, "0")}`,
    issueDate: calendarDate("2026-09-01"),
    dueDate: calendarDate("2026-10-01"),
    openMinor: 1_000_000_00n + BigInt(index),
    currency: "SEK",
    stepId: "second",
    tone: 2,
    daysOverdue: 55,
  }));

describe("renderSms", () => {
  it("fits every shipped SMS in two segments, naming the total, invoices and how to pay", () => {
    for (const language of ["en-GB", "sv-SE", "it-IT"]) {
      for (const tone of [1, 2, 3, 4] as const) {
        for (const list of [invoices(1), invoices(3), invoices(40), sampleMessageInput.invoices]) {
          const sms = renderSms(library, { ...sampleMessageInput, language, tone, invoices: list });
          const label = `${language} tone ${tone}, ${list.length} invoices`;
          expect([...sms].length, label).toBeLessThanOrEqual(SMS_MAX_CHARACTERS);
          expect(sms, label).toContain(list[0]?.number);
          expect(sms, label).toContain("Bankgiro 5050-1055");
          expect(sms, label).toContain("4711 0815");
          expect(sms, label).toContain("Nordic Tools AB");
          expect(sms, label).not.toMatch(/[\n\u00a0\u202f\u2212]/);
        }
      }
    }
  });

  it("names the first invoices and counts the rest", () => {
    const sms = renderSms(library, { ...sampleMessageInput, language: "sv-SE", tone: 2 });
    expect(sms).toMatch(/^Hej! Påminnelse från Nordic Tools AB: fakturorna F-1001 och 2 till/);
    expect(sms).toContain("på totalt 2 233,50 kr och 200,00 €");
    const few = renderSms(library, {
      ...sampleMessageInput,
      tone: 2,
      invoices: invoices(2),
      sender: { ...sampleMessageInput.sender, paymentInstructions: "Bankgiro 5050-1055" },
    });
    expect(few).toContain("for invoices INV-00001 and INV-00002 is still unpaid");
    expect(few).toContain("SEK 2,000,000.01");
  });

  it("refuses to cut a message that cannot be made short enough", () => {
    const long = { ...sampleMessageInput.sender, paymentInstructions: "x".repeat(300) };
    expect(() => renderSms(library, { ...sampleMessageInput, sender: long })).toThrow(
      /2-sms\.eta renders an SMS of \d+ characters, more than 320/,
    );
  });
});
