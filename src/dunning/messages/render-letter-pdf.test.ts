import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calendarDate } from "../../kernel/calendar-date.js";
import {
  loadMessageLibrary,
  type MessageInput,
  type MessageLibrary,
  renderLetterPdf,
  sampleMessageInput,
} from "./index.js";
import { pdfText } from "./render-letter-pdf.js";

const run = promisify(execFile);
let library: MessageLibrary;
let dir: string;
beforeAll(async () => {
  library = await loadMessageLibrary();
  dir = await mkdtemp(join(tmpdir(), "overdue-letters-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let count = 0;
/** The letter as `pdftotext -layout` reads it, with no-break spaces as spaces. */
async function letterText(input: MessageInput): Promise<string> {
  const file = join(dir, `letter-${++count}.pdf`);
  await writeFile(file, await renderLetterPdf(library, input));
  const { stdout } = await run("/usr/bin/pdftotext", ["-layout", "-enc", "UTF-8", file, "-"]);
  return stdout.replace(/\u00a0/g, " ");
}

const swedish: MessageInput = {
  ...sampleMessageInput,
  language: "sv-SE",
  recipient: {
    name: "Åkerlund & Söner AB",
    addressLines: ["Box 123", "Västra Hamngatan 9", "411 17 Göteborg"],
  },
};

describe("renderLetterPdf", () => {
  it("puts the address in the window and every invoice in the table, in Swedish", async () => {
    const text = await letterText(swedish);
    for (const line of [
      "Åkerlund & Söner AB",
      "Box 123",
      "Västra Hamngatan 9",
      "411 17 Göteborg",
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toContain("Datum:");
    expect(text).toContain("2026-11-25");
    expect(text).toContain("Påminnelse: 3 fakturor");
    expect(text).toMatch(/F-1001 +2026-10-01 +55 +1 234,50 kr/);
    expect(text).toMatch(/F-1017 +2026-11-19 +6 +200,00 €/);
    expect(text).toMatch(/F-1032 +2026-12-10 +ej förfallen +999,00 kr/);
    expect(text).toMatch(/Summa SEK +2 233,50 kr/);
    expect(text).toMatch(/Summa EUR +200,00 €/);
    expect(text).toContain("Bankgiro 5050-1055");
    expect(text).toContain("Referens: 4711 0815");
    expect(text).toContain("Vår ref. C-2026-000123");
    expect(text).toContain("Vänliga hälsningar");
    expect(text).not.toContain("REKOMMENDERAT");
    // The address sits above the subject and below the sender's letterhead.
    expect(text.indexOf("Nordic Tools AB")).toBeLessThan(text.indexOf("Åkerlund & Söner AB"));
    expect(text.indexOf("411 17 Göteborg")).toBeLessThan(text.indexOf("Påminnelse: 3 fakturor"));
  });

  it("marks a certified letter above the address, and only a certified letter", async () => {
    const certified = await letterText({ ...swedish, channel: "certified_letter", tone: 4 });
    expect(certified).toMatch(/REKOMMENDERAT BREV\s+Åkerlund & Söner AB/);
    const italian = await letterText({
      ...sampleMessageInput,
      language: "it-IT",
      channel: "certified_letter",
      tone: 4,
    });
    expect(italian).toMatch(/RACCOMANDATA\s+Acme Trading Ltd/);
    expect(await letterText({ ...sampleMessageInput, channel: "certified_letter" })).toContain(
      "REGISTERED MAIL",
    );
  });

  it("keeps Italian accents and amounts", async () => {
    const text = await letterText({
      ...sampleMessageInput,
      language: "it-IT",
      tone: 2,
      recipient: { name: "Società Agricola Forlì S.r.l.", addressLines: ["Via Città 1"] },
    });
    expect(text).toContain("Società Agricola Forlì S.r.l.");
    expect(text).toContain("Modalità di pagamento:");
    expect(text).toContain("al più presto");
    expect(text).toContain("è già stato disposto");
    expect(text).toContain("25/11/2026");
    expect(text).toMatch(/F-1001 +01\/10\/2026 +55 +1\.234,50 SEK/);
    expect(text).toContain("Causale: 4711 0815");
  });

  it("carries a long list of invoices over several pages", async () => {
    const invoices = Array.from({ length: 70 }, (_, index) => ({
      ...sampleMessageInput.invoices[0],
      number: `LONG-${1000 + index}`,
      issueDate: calendarDate("2026-08-01"),
      dueDate: calendarDate("2026-09-01"),
      openMinor: 10_000n,
      currency: "SEK",
      stepId: "firm",
      tone: 3 as const,
      daysOverdue: 85,
    }));
    const text = await letterText({ ...sampleMessageInput, tone: 3, invoices });
    for (const invoice of invoices) expect(text).toContain(invoice.number);
    expect(text).toMatch(/Total +SEK 7,000.00/);
    const pages = Number(/ 1\/(\d+)\n/.exec(text)?.[1]);
    expect(pages).toBeGreaterThan(1);
    expect(text).toContain(` ${pages}/${pages}\n`);
    // The table's heading is repeated on the page it continues on.
    expect(text.match(/Invoice +Due date +Days overdue +Amount due/g)).toHaveLength(2);
  });

  it("fits a long address into the window, and refuses one that cannot fit", async () => {
    const lines = ["c/o Ekonomiavdelningen", "Att. Leverantörsreskontra", "Fack 4711"];
    const long = {
      ...swedish.recipient,
      addressLines: [...lines, ...swedish.recipient.addressLines],
    };
    const text = await letterText({ ...swedish, recipient: long });
    for (const line of long.addressLines) expect(text).toContain(line);
    const tooLong = { ...long, addressLines: [...long.addressLines, "Plan 3", "Rum 12"] };
    await expect(renderLetterPdf(library, { ...swedish, recipient: tooLong })).rejects.toThrow(
      "the address of Åkerlund & Söner AB has 9 lines; a window envelope shows 8",
    );
  });

  it("is the same file for the same letter", async () => {
    const first = await renderLetterPdf(library, swedish);
    const second = await renderLetterPdf(library, swedish);
    expect(first.subarray(0, 5).toString()).toBe("%PDF-");
    expect(first.equals(second)).toBe(true);
  });
});

describe("pdfText", () => {
  it("keeps what Helvetica can print and replaces the rest", () => {
    expect(pdfText("åäö ÅÄÖ éèàùì €")).toBe("åäö ÅÄÖ éèàùì €");
    expect(pdfText("\u22121\u202f234")).toBe("-1\u00a0234");
    expect(pdfText("Łódź Đurđević Ōsaka")).toBe("Lódz Durdevic Osaka");
    expect(pdfText("e\u0301 東京")).toBe("é ??");
  });
});
