import { beforeAll, describe, expect, it } from "vitest";
import {
  loadMessageLibrary,
  type MessageLibrary,
  renderCallScript,
  sampleMessageInput,
} from "./index.js";

let library: MessageLibrary;
beforeAll(async () => {
  library = await loadMessageLibrary();
});

describe("renderCallScript", () => {
  it("gives the collector a greeting, the invoices, the questions and how to record the outcome", () => {
    const script = renderCallScript(library, sampleMessageInput).replace(/\u00a0/g, " ");
    expect(script).toMatch(/^CALL SCRIPT: reminder call \(tone 2 of 4\)/);
    expect(script).toContain("Customer: Acme Trading Ltd, phone +44 113 496 0000");
    expect(script).toContain('"Hello, this is [your name] from Nordic Tools AB.');
    for (const invoice of sampleMessageInput.invoices) expect(script).toContain(invoice.number);
    expect(script).toMatch(/F-1001 +1 Oct 2026 +55 +SEK 1,234.50/);
    expect(script).toContain("When can we expect the payment?");
    expect(script).toContain("Is there a problem with the invoice");
    expect(script).toContain("Promise to pay: the amount, the date promised");
    expect(script).toContain("Dispute: which invoice, what is wrong");
  });

  it("is in the customer's language", () => {
    const sv = renderCallScript(library, { ...sampleMessageInput, language: "sv-SE", tone: 3 });
    expect(sv).toMatch(/^SAMTALSMANUS: tydligt påminnelsesamtal/);
    expect(sv).toContain("Betalningslöfte:");
    const it_ = renderCallScript(library, { ...sampleMessageInput, language: "it-IT", tone: 4 });
    expect(it_).toMatch(/^SCRIPT DI CHIAMATA: ultimo sollecito telefonico/);
    expect(it_).toContain("Promessa di pagamento:");
  });
});
