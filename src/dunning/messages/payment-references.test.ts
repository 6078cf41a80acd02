import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import decodeQR from "qr/decode.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currency } from "../../kernel/money.js";
import { epcQrPayload } from "../../payments/domain/epc-qr.js";
import {
  formatRfForPrint,
  normalisedInvoiceNumber,
  ocrReference,
  rfReference,
} from "../../payments/domain/reference.js";
import {
  loadMessageLibrary,
  type MessageInput,
  type MessageLibrary,
  renderEmail,
  renderLetterPdf,
  renderSms,
  sampleMessageInput,
} from "./index.js";

const run = promisify(execFile);
let library: MessageLibrary;
let dir: string;
beforeAll(async () => {
  library = await loadMessageLibrary();
  dir = await mkdtemp(join(tmpdir(), "overdue-references-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const rfFor = (number: string) => rfReference(normalisedInvoiceNumber(number, "rf"));

/** The sample contact with a reference per invoice, and no reference for the whole message. */
const perInvoice: MessageInput = {
  ...sampleMessageInput,
  reference: undefined,
  invoices: sampleMessageInput.invoices.map((invoice) => ({
    ...invoice,
    paymentReference: rfFor(invoice.number),
  })),
};
const customerReference = rfReference("C0009");
/** The same contact with one reference per customer: every invoice carries the same one. */
const perCustomer: MessageInput = {
  ...perInvoice,
  invoices: perInvoice.invoices.map((invoice) => ({
    ...invoice,
    paymentReference: customerReference,
  })),
};
const inEuro = (input: MessageInput): MessageInput => ({
  ...input,
  invoices: input.invoices.map((invoice) => ({ ...invoice, currency: "EUR" })),
});
const IBAN = "DE89370400440532013000";
const withIban = (input: MessageInput): MessageInput => ({
  ...input,
  sender: { ...input.sender, iban: IBAN },
});

let count = 0;
async function letterFile(input: MessageInput): Promise<string> {
  const file = join(dir, `letter-${++count}.pdf`);
  await writeFile(file, await renderLetterPdf(library, input));
  return file;
}

async function letterText(input: MessageInput): Promise<string> {
  const file = await letterFile(input);
  const { stdout } = await run("/usr/bin/pdftotext", ["-layout", "-enc", "UTF-8", file, "-"]);
  return stdout.replace(/\u00a0/g, " ");
}

/**
 * The first page's area right of the address window, between the info block and the subject
 * (x 110–200 mm, y 61–97 mm), as pdftoppm prints it at 300 dpi: where the EPC QR code goes.
 */
async function paymentCodeArea(input: MessageInput) {
  const file = await letterFile(input);
  const px = (millimetres: number) => String(Math.round((millimetres / 25.4) * 300));
  const root = join(dir, `area-${count}`);
  await run("/usr/bin/pdftoppm", [
    ...["-r", "300", "-f", "1", "-l", "1", "-singlefile"],
    ...["-x", px(110), "-y", px(61), "-W", px(90), "-H", px(36)],
    file,
    root,
  ]);
  const ppm = await readFile(`${root}.ppm`);
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString("latin1"));
  if (!header) throw new Error("pdftoppm did not write a binary PPM");
  const data = new Uint8Array(ppm.subarray(header[0].length));
  return {
    image: { width: Number(header[1]), height: Number(header[2]), data },
    darkPixels: data.filter((value) => value < 128).length,
  };
}

describe("payment references in messages", () => {
  it("lists each invoice's own reference in the e-mail's text and HTML", () => {
    const email = renderEmail(library, { ...perInvoice, channel: "email" });
    const lines = perInvoice.invoices.map(
      (invoice) => `Payment reference ${invoice.number}: ${rfFor(invoice.number)}`,
    );
    expect(email.text).toContain(
      `Bankgiro 5050-1055\nIBAN SE45 5000 0000 0583 9825 7466\n${lines.join("\n")}`,
    );
    for (const line of lines) expect(email.html).toContain(line);
    expect(email.text).not.toContain("Payment reference:");
  });

  it("gives one reference for the whole message when every invoice shares it", () => {
    const email = renderEmail(library, { ...perCustomer, channel: "email", language: "sv-SE" });
    expect(email.text).toContain(`Referens: ${customerReference}`);
    expect(email.text.match(/Referens/g)).toHaveLength(1);
    expect(email.html).toContain(`Referens: ${customerReference}`);
  });

  it("puts the reference in an SMS, compact", () => {
    const sms = renderSms(library, { ...perCustomer, channel: "sms", tone: 2 });
    expect(sms).toContain(`Payment reference: ${customerReference}`);
    const single = renderSms(library, {
      ...perInvoice,
      channel: "sms",
      invoices: perInvoice.invoices.slice(0, 1),
    });
    expect(single).toContain(`Payment reference: ${rfFor("F-1001")}`);
    // Several invoices, each with its own: the SMS names the first and its reference.
    const several = renderSms(library, { ...perInvoice, channel: "sms" });
    expect(several).toContain(`Payment reference F-1001: ${rfFor("F-1001")}`);
  });

  it("prints an RF reference in groups of four on a letter, in the info block and the text", async () => {
    const text = await letterText({ ...perCustomer, language: "sv-SE" });
    const printed = formatRfForPrint(customerReference);
    expect(printed).toMatch(/^RF\d\d C000 9$/);
    expect(text).toMatch(new RegExp(`Referens: +${printed}`));
    expect(text.match(new RegExp(printed, "g"))).toHaveLength(2);
  });

  it("lists each invoice's reference on a letter about several invoices", async () => {
    const text = await letterText(perInvoice);
    for (const invoice of perInvoice.invoices) {
      expect(text).toContain(
        `Payment reference ${invoice.number}: ${formatRfForPrint(rfFor(invoice.number))}`,
      );
    }
  });

  it("prints a long reference whole, on its own line of the info block", async () => {
    const long = rfReference("000000000539007547034");
    const text = await letterText({ ...perInvoice, reference: long });
    expect(text).toContain("RF18 0000 0000 0539 0075 4703 4");
    expect(text).not.toContain("…");
  });

  it("prints OCR references as they are", async () => {
    const ocr = ocrReference("1001", { lengthDigit: true });
    const text = await letterText({ ...perCustomer, reference: ocr });
    expect(text).toMatch(new RegExp(`Payment reference: +${ocr}`));
  });
});

describe("the EPC QR code on letters", () => {
  it("pays the total of a EUR letter with its RF reference, right of the window", async () => {
    const input = withIban(inEuro(perCustomer));
    const { image } = await paymentCodeArea(input);
    const payload = decodeQR(image);
    expect(payload.split("\n")).toEqual([
      "BCD",
      "002",
      "1",
      "SCT",
      "",
      "Nordic Tools AB",
      IBAN,
      "EUR2433.50",
      "",
      customerReference,
    ]);
  });

  it("lists the invoice numbers as remittance when each invoice has its own reference", async () => {
    const input = withIban({
      ...inEuro(perInvoice),
      sender: { ...perInvoice.sender, bic: "COBADEFFXXX" },
    });
    const { image } = await paymentCodeArea(input);
    expect(decodeQR(image)).toBe(
      epcQrPayload({
        name: "Nordic Tools AB",
        iban: IBAN,
        bic: "COBADEFFXXX",
        amount: { minor: 243350n, currency: currency("EUR") },
        remittance: "F-1001, F-1017, F-1032",
      }),
    );
  });

  it("puts an OCR reference as remittance text", async () => {
    const ocr = ocrReference("1001");
    const { image } = await paymentCodeArea(withIban(inEuro({ ...perInvoice, reference: ocr })));
    expect(decodeQR(image).split("\n").slice(-3)).toEqual(["", "", ocr]);
  });

  it("draws nothing without an IBAN, or when an invoice is not in EUR", async () => {
    expect((await paymentCodeArea(withIban(inEuro(perCustomer)))).darkPixels).toBeGreaterThan(
      10_000,
    );
    expect((await paymentCodeArea(inEuro(perCustomer))).darkPixels).toBe(0);
    // The sample has SEK and EUR invoices.
    expect((await paymentCodeArea(withIban(perCustomer))).darkPixels).toBe(0);
    const [first] = perInvoice.invoices;
    if (!first) throw new Error("the sample contact has invoices");
    const tooMany = inEuro({
      ...perInvoice,
      invoices: Array.from({ length: 20 }, (_, index) => ({
        ...first,
        number: `LONGNUMBER-${index}`,
        paymentReference: rfFor(`LONGNUMBER-${index}`),
      })),
    });
    // Twenty numbers do not fit the 140 characters of remittance: no code, not a cut list.
    expect((await paymentCodeArea(withIban(tooMany))).darkPixels).toBe(0);
  });

  it("is the same file for the same letter", async () => {
    const input = withIban(inEuro(perCustomer));
    const first = await renderLetterPdf(library, input);
    expect(first.equals(await renderLetterPdf(library, input))).toBe(true);
  });
});
