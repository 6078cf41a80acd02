import { cp, mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadTemplateLintRules } from "../../compliance/load-template-lint-rules.js";
import {
  loadMessageLibrary,
  type MessageLibrary,
  renderCallScript,
  renderEmail,
  renderLetterText,
  renderSms,
  sampleMessageInput,
} from "./index.js";

const SHIPPED = join(import.meta.dirname, "../../../templates");

let shipped: MessageLibrary;
beforeAll(async () => {
  shipped = await loadMessageLibrary();
});

const copies: string[] = [];
afterEach(async () => {
  await Promise.all(copies.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A private copy of the shipped templates to break. */
async function copyOfTemplates(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "overdue-templates-"));
  copies.push(dir);
  await cp(SHIPPED, dir, { recursive: true });
  return dir;
}

describe("loadMessageLibrary", () => {
  it("finds the shipped templates from the module's own location", () => {
    expect(shipped.languages).toEqual(["en", "it", "sv"]);
    // Four tones of four kinds in three languages; the stop confirmations (two e-mails, an SMS
    // and a letter in each language) and the English validation notice (e-mail and letter).
    expect(shipped.templates.size).toBe(3 * 4 * 4 + 3 * 4 + 2);
  });

  it("names the file when a template is missing", async () => {
    const dir = await copyOfTemplates();
    await unlink(join(dir, "sv", "3-sms.eta"));
    await expect(loadMessageLibrary(dir)).rejects.toThrow(join(dir, "sv", "3-sms.eta"));
  });

  it("names the file when the labels are missing or incomplete", async () => {
    const dir = await copyOfTemplates();
    await writeFile(join(dir, "it", "labels.txt"), "dateStyle: numeric\ninvoice: Fattura\n");
    await expect(loadMessageLibrary(dir)).rejects.toThrow(
      `${join(dir, "it", "labels.txt")}: missing labels: dueDate`,
    );
  });

  it("names the file and line of a syntax error", async () => {
    const dir = await copyOfTemplates();
    await writeFile(join(dir, "en", "2-sms.eta"), "Hello\n<%= it.total \n");
    await expect(loadMessageLibrary(dir)).rejects.toThrow(
      expect.objectContaining({
        code: "template_broken",
        message: expect.stringMatching(/2-sms\.eta[\s\S]*line 2/),
      }),
    );
  });

  it("catches a misspelt variable before any message is sent", async () => {
    const dir = await copyOfTemplates();
    await writeFile(join(dir, "en", "2-sms.eta"), "Pay <%= it.totl %> now");
    await expect(loadMessageLibrary(dir)).rejects.toThrow(/2-sms\.eta: prints "undefined"/);
    await writeFile(join(dir, "en", "2-sms.eta"), "Pay <%= it.invoice.number %> now");
    await expect(loadMessageLibrary(dir)).rejects.toThrow(/2-sms\.eta:1[\s\S]*number/);
  });

  it("requires the Subject line of e-mails and letters", async () => {
    const dir = await copyOfTemplates();
    await writeFile(join(dir, "sv", "1-letter.eta"), "Hej <%= it.recipient.name %>\n");
    await expect(loadMessageLibrary(dir)).rejects.toThrow(
      `${join(dir, "sv", "1-letter.eta")}:1: letter templates start with a "Subject: …" line`,
    );
  });

  it("uses a step's own template from the customer's language folder", async () => {
    const dir = await copyOfTemplates();
    await writeFile(
      join(dir, "sv", "gentle-email.eta"),
      "Subject: Hej från <%= it.sender.name %>\n\nGlöm inte <%= it.numbers %>, <%= it.total %>.\n" +
        "<%= it.paymentDetails %>\n\nStämmer något inte? Svara på mejlet.\n",
    );
    const library = await loadMessageLibrary(dir);
    const input = { ...sampleMessageInput, language: "sv-SE", template: "gentle" };
    const email = renderEmail(library, input);
    expect(email.subject).toBe("Hej från Nordic Tools AB");
    expect(email.text.replaceAll("\u00a0", " ").split("\n")[0]).toBe(
      "Glöm inte F-1001, F-1017 och F-1032, 2 233,50 kr och 200,00 €.",
    );
    expect(() => renderSms(library, input)).toThrow(
      `no sms template "gentle" for language "sv": ${join(dir, "sv", "gentle-sms.eta")} does not exist`,
    );
  });

  it("falls back to English for other languages, formatted for the customer's locale", () => {
    const email = renderEmail(shipped, { ...sampleMessageInput, language: "de-DE" });
    expect(email.subject).toMatch(/^Second reminder/);
    expect(email.text.replaceAll("\u00a0", " ")).toContain("01.10.2026");
    expect(email.text.replaceAll("\u00a0", " ")).toContain("1.234,50 SEK");
  });

  it("loads a template with lint errors, but refuses to compose a message from it", async () => {
    const dir = await copyOfTemplates();
    const file = join(dir, "en", "2-email.eta");
    await writeFile(
      file,
      "Subject: Reminder from <%= it.sender.name %>\n\n" +
        'Please pay <%= it.total %> <%= it.maxDaysOverdue > 30 ? "or we sue" : "soon" %>.\n' +
        "<%= it.paymentDetails %>\nIf the invoice is wrong, reply to this e-mail.\n",
    );
    const library = await loadMessageLibrary(dir);
    expect(() => renderEmail(library, sampleMessageInput)).toThrow(
      expect.objectContaining({
        code: "template_refused",
        message: expect.stringMatching(
          new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3: legal-action: "sue" `),
        ),
      }),
    );
    // Only that template: the other kinds and tones still send.
    expect(renderSms(library, sampleMessageInput)).toContain("Nordic Tools AB");
    expect(renderEmail(library, { ...sampleMessageInput, tone: 3 }).subject).toMatch(/^Overdue/);
  });

  it("refuses a letter or call script missing what it must show, or abusive", async () => {
    const dir = await copyOfTemplates();
    await writeFile(join(dir, "sv", "1-letter.eta"), "Subject: Hej\n\nBetala <%= it.total %>.\n");
    await writeFile(
      join(dir, "it", "4-call.eta"),
      "Chiami <%= it.recipient.name %>, quello stronzo.\n",
    );
    const library = await loadMessageLibrary(dir);
    expect(() =>
      renderLetterText(library, { ...sampleMessageInput, language: "sv", tone: 1 }),
    ).toThrow(
      `${join(dir, "sv", "1-letter.eta")}:1: missing-sender: letter template does not say who is collecting`,
    );
    expect(() =>
      renderCallScript(library, { ...sampleMessageInput, language: "it", tone: 4 }),
    ).toThrow(
      expect.objectContaining({
        code: "template_refused",
        message: expect.stringContaining(":1: abusive-shaming:"),
      }),
    );
  });

  it("sends wording the sender has configured the action for", async () => {
    const dir = await copyOfTemplates();
    const file = join(dir, "en", "4-sms.eta");
    await writeFile(
      file,
      "<%= it.sender.name %>: <%= it.total %> for <%= it.firstNumbers %> is unpaid. " +
        "Pay: <%= it.paymentLine %>. Otherwise we will take legal action. Is the invoice wrong? Call us.",
    );
    const rules = await loadTemplateLintRules();
    const refused = await loadMessageLibrary(dir, { rules, authorized: new Set() });
    const input = { ...sampleMessageInput, tone: 4 as const };
    expect(() => renderSms(refused, input)).toThrow(/4-sms\.eta:1: legal-action:/);
    const allowed = await loadMessageLibrary(dir, { rules, authorized: new Set(["legal-action"]) });
    expect(renderSms(allowed, input)).toContain("we will take legal action");
  });
});
