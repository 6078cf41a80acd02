import { beforeAll, describe, expect, it } from "vitest";
import { calendarDate } from "../../kernel/calendar-date.js";
import {
  loadMessageLibrary,
  type MessageInput,
  type MessageLibrary,
  renderEmail,
  sampleMessageInput,
} from "./index.js";

let library: MessageLibrary;
beforeAll(async () => {
  library = await loadMessageLibrary();
});

/** Intl writes no-break spaces inside amounts; people compare them as spaces. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

const oneInvoice: MessageInput = {
  ...sampleMessageInput,
  tone: 1,
  invoices: [
    {
      number: "2026-0042",
      issueDate: calendarDate("2026-10-26"),
      dueDate: calendarDate("2026-11-25"),
      openMinor: 123450n,
      currency: "SEK",
      stepId: "friendly",
      tone: 1,
      daysOverdue: 3,
    },
  ],
};

describe("renderEmail", () => {
  it("writes to a Swedish customer in Swedish, with Swedish dates and amounts", () => {
    const email = renderEmail(library, { ...oneInvoice, language: "sv-SE" });
    expect(email.subject).toBe("Betalningspåminnelse: faktura 2026-0042 från Nordic Tools AB");
    const text = plain(email.text);
    expect(text).toMatch(/^Hej Acme Trading Ltd,/);
    expect(text).toContain("2026-11-25");
    expect(text).toContain("1 234,50 kr");
    expect(text).toContain("Vänliga hälsningar\nNordic Tools AB");
    expect(plain(email.html)).toContain("1 234,50 kr");
    expect(email.html).toContain('<html lang="sv-SE">');
  });

  it("writes to an Italian customer in Italian, with Italian dates and amounts", () => {
    const email = renderEmail(library, {
      ...oneInvoice,
      language: "it-IT",
      invoices: oneInvoice.invoices.map((invoice) => ({ ...invoice, currency: "EUR" })),
    });
    expect(email.subject).toBe("Promemoria di pagamento: fattura n. 2026-0042 – Nordic Tools AB");
    const text = plain(email.text);
    expect(text).toMatch(/^Gentile Cliente,/);
    expect(text).toContain("25/11/2026");
    expect(text).toContain("1.234,50 €");
    expect(text).toContain("Cordiali saluti");
  });

  it("writes dates the way British and American readers expect", () => {
    expect(renderEmail(library, { ...oneInvoice, language: "en-GB" }).text).toContain(
      "25 Nov 2026",
    );
    expect(renderEmail(library, { ...oneInvoice, language: "en-US" }).text).toContain(
      "Nov 25, 2026",
    );
  });

  it("lists every invoice in the text and the HTML, with the total per currency", () => {
    for (const language of ["en-GB", "sv-SE", "it-IT"]) {
      const email = renderEmail(library, { ...sampleMessageInput, language });
      for (const invoice of sampleMessageInput.invoices) {
        expect(email.text).toContain(invoice.number);
        expect(email.html).toContain(`>${invoice.number}</td>`);
      }
      expect(email.html.match(/<tfoot>[\s\S]*<\/tfoot>/)?.[0].match(/<tr>/g)).toHaveLength(2);
    }
    const text = plain(renderEmail(library, { ...sampleMessageInput, language: "sv-SE" }).text);
    expect(text).toMatch(/Summa SEK +2 233,50 kr/);
    expect(text).toMatch(/Summa EUR +200,00 €/);
    expect(text).toMatch(/F-1032 +2026-12-10 +ej förfallen +999,00 kr/);
  });

  it("tells the customer how to pay and how to raise a problem", () => {
    const text = renderEmail(library, sampleMessageInput).text;
    expect(text).toContain("Bankgiro 5050-1055\nIBAN SE45 5000 0000 0583 9825 7466");
    expect(text).toContain("Payment reference: 4711 0815");
    expect(text).toContain("If there is a problem with the invoice");
    const bare = renderEmail(library, {
      ...oneInvoice,
      sender: { name: "Solo", addressLines: [] },
    });
    expect(bare.text).toContain("How to pay:\nPlease use the payment details on the invoice");
  });

  it("escapes every value in the HTML but keeps the text as written", () => {
    const input: MessageInput = {
      ...sampleMessageInput,
      recipient: { ...sampleMessageInput.recipient, name: '<script>alert("x")</script> & Co' },
      sender: { ...sampleMessageInput.sender, paymentInstructions: "<b>IBAN</b> 'SE45'" },
    };
    const email = renderEmail(library, input);
    expect(email.html).not.toContain("<script>");
    expect(email.html).not.toContain("<b>");
    expect(email.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co");
    expect(email.html).toContain("&lt;b&gt;IBAN&lt;/b&gt; &#39;SE45&#39;");
    expect(email.text).toContain('Dear <script>alert("x")</script> & Co,');
  });

  it("keeps the subject on one line whatever the data holds", () => {
    const email = renderEmail(library, {
      ...oneInvoice,
      sender: { ...oneInvoice.sender, name: "Evil\r\nBcc: all@example.com" },
    });
    expect(email.subject).toBe(
      "Payment reminder: invoice 2026-0042 from Evil Bcc: all@example.com",
    );
  });

  it("says a courtesy note is not yet due", () => {
    const early = oneInvoice.invoices.map((invoice) => ({ ...invoice, daysOverdue: -3 }));
    const email = renderEmail(library, { ...oneInvoice, invoices: early });
    expect(email.subject).toMatch(/^Friendly reminder/);
    expect(email.text).toContain("falls due soon");
    expect(email.text).toMatch(/2026-0042 +25 Nov 2026 +not yet due/);
  });
});
