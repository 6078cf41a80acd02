import { describe, expect, it } from "vitest";
import { senderFromEnv } from "../../src/cli/channels-config.js";
import { messageInput, type OutgoingContact } from "../../src/dunning/channels/channel.js";
import { calendarDate } from "../../src/kernel/calendar-date.js";
import { ocrReference, rfReference } from "../../src/payments/domain/reference.js";
import { runCli } from "../support/cli.js";

// These run the built CLI (bin/overdue.js → dist/): build with `npx tsc -p tsconfig.build.json`.
describe("overdue reference", () => {
  it("prints the RF reference of ISO 11649's example, compact or for paper", async () => {
    const made = await runCli(["reference", "rf", "539007547034"]);
    expect(made).toMatchObject({ code: 0, stdout: "RF18539007547034\n" });
    const printed = await runCli(["reference", "rf", "539007547034", "--print"]);
    expect(printed.stdout).toBe("RF18 5390 0754 7034\n");
  });

  it("prints an OCR reference with or without the length digit", async () => {
    expect((await runCli(["reference", "ocr", "1234567890"])).stdout).toBe("12345678903\n");
    const withLength = await runCli(["reference", "ocr", "1234567890", "--length-digit"]);
    expect(withLength).toMatchObject({ code: 0, stdout: "123456789023\n" });
  });

  it("refuses a base that cannot become a reference, with exit code 1", async () => {
    const ocr = await runCli(["reference", "ocr", "F-1001"]);
    expect(ocr.code).toBe(1);
    expect(ocr.stdout).toBe("");
    expect(ocr.stderr).toBe(
      'overdue: OCR reference base "F-1001": an OCR reference has digits only\n',
    );
    const rf = await runCli(["reference", "rf", "A".repeat(22)]);
    expect(rf.code).toBe(1);
    expect(rf.stderr).toContain("has 22 characters, more than the 21");
  });

  it("exits 0 for a valid reference of either kind and says which", async () => {
    const rf = await runCli(["reference", "check", "rf18 5390 0754 7034"]);
    expect(rf).toMatchObject({
      code: 0,
      stdout: "RF18 5390 0754 7034: valid RF creditor reference (ISO 11649), base 539007547034\n",
    });
    // Unquoted, the groups arrive as separate arguments.
    expect((await runCli(["reference", "check", "RF18", "5390", "0754", "7034"])).code).toBe(0);
    const ocr = await runCli(["reference", "check", "123456789023"]);
    expect(ocr).toMatchObject({
      code: 0,
      stdout:
        "123456789023: valid OCR reference (Bankgirot), with a length digit, base 1234567890\n",
    });
  });

  it("exits 1 for an invalid reference and says why", async () => {
    const wrong = await runCli(["reference", "check", "RF17539007547034"]);
    expect(wrong).toMatchObject({
      code: 1,
      stdout:
        "not a valid payment reference: RF17539007547034: the check digits are 17, but for 539007547034 they are 18\n",
    });
    expect((await runCli(["reference", "check", "12345678904"])).code).toBe(1);
    expect((await runCli(["reference", "check", "INV-1"])).code).toBe(1);
  });

  it("prints the result as JSON with --json, keeping the exit code", async () => {
    const valid = await runCli(["reference", "check", "12345678903", "--json"]);
    expect(valid.code).toBe(0);
    expect(JSON.parse(valid.stdout)).toEqual({
      valid: true,
      kind: "ocr",
      reference: "12345678903",
      base: "1234567890",
      lengthDigit: false,
    });
    const invalid = await runCli(["reference", "check", "RF00", "--json"]);
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.stdout)).toEqual({
      valid: false,
      problem: "RF00: nothing follows the check digits",
    });
  });
});

describe("references configured by the environment", () => {
  const contact: OutgoingContact = {
    outboxId: 7n,
    key: "test/email/C-0009",
    channel: "email",
    asOf: calendarDate("2026-11-25"),
    tone: 2,
    customer: {
      id: "C-0009",
      name: "Acme Trading Ltd",
      email: "ap@acme.example",
      phone: null,
      language: "en-GB",
      kind: "business",
      country: "GB",
      timeZone: "Europe/London",
      collectorId: null,
      addressLines: ["12 High Street", "Leeds LS1 4AB"],
    },
    invoices: ["INV-2026-0042", "INV-2026-0043"].map((number, index) => ({
      id: `I${index}`,
      number,
      issueDate: calendarDate("2026-09-01"),
      dueDate: calendarDate("2026-10-01"),
      openMinor: 10_000n,
      currency: "EUR",
      stepId: "second",
      tone: 2 as const,
      daysOverdue: 55,
    })),
  };
  const input = (env: Record<string, string>) =>
    messageInput(contact, senderFromEnv(env), contact.asOf);

  it("makes an RF reference per invoice by default", () => {
    const made = input({});
    expect(made.invoices.map((invoice) => invoice.paymentReference)).toEqual([
      rfReference("INV20260042"),
      rfReference("INV20260043"),
    ]);
    expect(made.reference).toBeUndefined();
  });

  it("makes one OCR reference per customer, with the length digit, when asked", () => {
    const made = input({
      OVERDUE_REFERENCE: "ocr",
      OVERDUE_REFERENCE_PER: "customer",
      OVERDUE_REFERENCE_LENGTH_DIGIT: "yes",
    });
    const expected = ocrReference("0009", { lengthDigit: true });
    expect(made.invoices.map((invoice) => invoice.paymentReference)).toEqual([expected, expected]);
    expect(made.sender.references).toEqual({ scheme: "ocr", per: "customer", lengthDigit: true });
  });

  it("quotes the invoice number of a single invoice when references are off", () => {
    const one = { ...contact, invoices: contact.invoices.slice(0, 1) };
    const made = messageInput(one, senderFromEnv({ OVERDUE_REFERENCE: "none" }), one.asOf);
    expect(made.invoices[0]?.paymentReference).toBeUndefined();
    expect(made.reference).toBe("INV-2026-0042");
  });

  it("reads the IBAN and BIC for the EPC QR code, and refuses settings that cannot work", () => {
    const sender = senderFromEnv({
      OVERDUE_IBAN: "de89 3704 0044 0532 0130 00",
      OVERDUE_BIC: "cobadeffxxx",
    });
    expect(sender).toMatchObject({ iban: "DE89370400440532013000", bic: "COBADEFFXXX" });
    expect(() => senderFromEnv({ OVERDUE_REFERENCE: "kid" })).toThrow(
      'OVERDUE_REFERENCE is "kid"; use one of rf, ocr, none',
    );
    expect(() => senderFromEnv({ OVERDUE_REFERENCE_PER: "month" })).toThrow(
      "use one of invoice, customer",
    );
    expect(() => senderFromEnv({ OVERDUE_IBAN: "DE89370400440532013001" })).toThrow(
      'OVERDUE_IBAN "DE89370400440532013001" is not a valid IBAN',
    );
    expect(() => senderFromEnv({ OVERDUE_IBAN: "BR1800360305000010009795493C1" })).toThrow(
      "is not in a SEPA country",
    );
    expect(() => senderFromEnv({ OVERDUE_BIC: "COBADEFFXXX" })).toThrow(
      "OVERDUE_BIC is set without OVERDUE_IBAN",
    );
    expect(() =>
      senderFromEnv({
        OVERDUE_IBAN: "DE89370400440532013000",
        OVERDUE_COMPANY_NAME: "x".repeat(71),
      }),
    ).toThrow("account holder name has at most 70 characters");
  });
});
