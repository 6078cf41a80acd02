import decodeQR from "qr/decode.js";
import { describe, expect, it } from "vitest";
import { currency } from "../../kernel/money.js";
import {
  EPC_MAX_PAYLOAD_BYTES,
  type EpcCreditTransfer,
  epcQrModules,
  epcQrPayload,
} from "./epc-qr.js";

const EUR = currency("EUR");
const eur = (minor: bigint) => ({ minor, currency: EUR });

// DE89 3704 0044 0532 0130 00 is the example German IBAN of the IBAN registry (SWIFT).
const transfer: EpcCreditTransfer = {
  name: "Nordic Tools AB",
  iban: "DE89 3704 0044 0532 0130 00",
  amount: eur(123450n),
  creditorReference: "RF18 5390 0754 7034",
};

/**
 * Data codewords of a byte-mode QR symbol at level M, by version 1–13 (ISO/IEC 18004 table 7):
 * the payload bytes a version holds.
 */
const BYTE_CAPACITY_M = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331];
const expectedSize = (bytes: number) => {
  const version = BYTE_CAPACITY_M.findIndex((capacity) => bytes <= capacity) + 1;
  return 17 + 4 * version;
};

/** The modules drawn as an RGB picture with a 4-module quiet zone, the way a printer would. */
function picture(modules: boolean[][], scale = 4) {
  const side = (modules.length + 8) * scale;
  const data = new Uint8Array(side * side * 3).fill(255);
  modules.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        const start = (((y + 4) * scale + dy) * side + (x + 4) * scale) * 3;
        data.fill(0, start, start + scale * 3);
      }
    });
  });
  return { width: side, height: side, data };
}

describe("epcQrPayload", () => {
  it("writes the EPC069-12 elements line by line, ending at the last one with a value", () => {
    expect(epcQrPayload(transfer).split("\n")).toEqual([
      "BCD",
      "002",
      "1",
      "SCT",
      "",
      "Nordic Tools AB",
      "DE89370400440532013000",
      "EUR1234.50",
      "",
      "RF18539007547034",
    ]);
    const withText = epcQrPayload({
      ...transfer,
      bic: "cobadeffxxx",
      amount: eur(1n),
      creditorReference: undefined,
      remittance: "Invoices F-1001, F-1017",
    });
    expect(withText).toBe(
      "BCD\n002\n1\nSCT\nCOBADEFFXXX\nNordic Tools AB\nDE89370400440532013000\nEUR0.01\n\n\nInvoices F-1001, F-1017",
    );
    const bare = epcQrPayload({ ...transfer, creditorReference: undefined });
    expect(bare.endsWith("\nEUR1234.50")).toBe(true);
  });

  it("formats the largest amount exactly, from minor units", () => {
    expect(epcQrPayload({ ...transfer, amount: eur(99_999_999_999n) })).toContain(
      "\nEUR999999999.99\n",
    );
  });

  it("refuses what a bank app could not pay", () => {
    const refused = (change: Partial<EpcCreditTransfer>) => () =>
      epcQrPayload({ ...transfer, ...change });
    expect(refused({ amount: eur(0n) })).toThrow("outside 0.01–999999999.99");
    expect(refused({ amount: eur(100_000_000_000n) })).toThrow(
      "the amount 1000000000.00 EUR is outside",
    );
    expect(refused({ amount: { minor: 100n, currency: currency("SEK") } })).toThrow(
      "the amount is in SEK; a SEPA credit transfer is in EUR",
    );
    expect(refused({ iban: "DE89 3704 0044 0532 0130 01" })).toThrow("is not a valid IBAN");
    // Brazil has IBANs but is not in SEPA.
    expect(refused({ iban: "BR1800360305000010009795493C1" })).toThrow("not in a SEPA country");
    expect(refused({ bic: "NOTABIC" })).toThrow('"NOTABIC" is not a valid BIC');
    expect(refused({ name: "x".repeat(71) })).toThrow("has 71 characters, at most 70");
    expect(refused({ name: "  " })).toThrow("the beneficiary name is empty");
    expect(refused({ name: "Evil\nDE00" })).toThrow("must be one line");
    expect(refused({ remittance: "F-1" })).toThrow("cannot both be given");
    expect(refused({ creditorReference: "RF17539007547034" })).toThrow(
      "is not a valid ISO 11649 RF creditor reference",
    );
    expect(refused({ creditorReference: "12345678903" })).toThrow("not a valid ISO 11649");
    expect(refused({ creditorReference: undefined, remittance: "x".repeat(141) })).toThrow(
      "has 141 characters, at most 140",
    );
  });

  it("refuses a payload over 331 bytes, counting UTF-8 bytes, not characters", () => {
    const name = "Ö".repeat(70);
    const remittance = "Å".repeat(140);
    const wide = { ...transfer, name, creditorReference: undefined, remittance };
    expect(() => epcQrPayload(wide)).toThrow(
      `the payload is ${Buffer.byteLength(`BCD\n002\n1\nSCT\n\n${name}\nDE89370400440532013000\nEUR1234.50\n\n\n${remittance}`)} bytes, more than the ${EPC_MAX_PAYLOAD_BYTES} allowed`,
    );
  });
});

describe("epcQrModules", () => {
  it("draws a symbol of the size the QR version rules give, that decodes to the payload", () => {
    for (const payload of [
      epcQrPayload(transfer),
      epcQrPayload({ ...transfer, creditorReference: undefined, remittance: "F-1 ".repeat(35) }),
    ]) {
      const modules = epcQrModules(payload);
      const size = expectedSize(Buffer.byteLength(payload));
      expect(modules).toHaveLength(size);
      for (const row of modules) expect(row).toHaveLength(size);
      // Finder pattern in the top-left corner: a dark 7×7 ring around a light ring.
      expect(modules[0]?.slice(0, 7).every(Boolean)).toBe(true);
      expect(modules[1]?.slice(1, 6).some(Boolean)).toBe(false);
      expect(decodeQR(picture(modules))).toBe(payload);
    }
  });

  it("fits the largest payload the guidelines allow into version 13 (69 modules)", () => {
    const payload = "x".repeat(EPC_MAX_PAYLOAD_BYTES);
    expect(epcQrModules(payload)).toHaveLength(69);
    expect(epcQrModules("x".repeat(287))).toHaveLength(65);
  });
});
