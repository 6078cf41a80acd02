import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SHIPPED_TEMPLATE_FILES } from "../../../test/support/templates.js";
import { lintTemplateFiles } from "../../compliance/lint-template-files.js";
import { loadTemplateLintRules } from "../../compliance/load-template-lint-rules.js";
import { lintTemplate } from "../../compliance/template-lint.js";
import type { TemplateLintRules } from "../../compliance/template-lint-rules.js";
import {
  loadMessageLibrary,
  type MessageInput,
  type MessageLibrary,
  renderCallScript,
  renderEmail,
  renderLetterText,
  renderSms,
  sampleMessageInput,
} from "./index.js";

const TEMPLATES = join(import.meta.dirname, "../../../templates");

const LANGUAGES = ["en-GB", "sv-SE", "it-IT"];
const TONES = [1, 2, 3, 4] as const;

let library: MessageLibrary;
let rules: TemplateLintRules;
beforeAll(async () => {
  library = await loadMessageLibrary();
  rules = await loadTemplateLintRules();
});

/**
 * The template linter's checks that still apply to a rendered message: every prohibited phrase
 * family except literal amounts (a rendered message prints the ledger's), or only the phrases
 * that say how to dispute.
 */
const lintRendered = (text: string, language: string, check: "prohibited" | "dispute") =>
  lintTemplate(
    { text, file: "rendered", language: language.slice(0, 2), kind: "email" },
    check === "prohibited"
      ? {
          ...rules,
          families: rules.families.filter((family) => family.id !== "literal-amount"),
          required: [],
        }
      : {
          ...rules,
          families: [],
          required: rules.required.filter((element) => element.id === "missing-dispute"),
        },
    new Set(),
  );

const renderAll = (input: MessageInput) => ({
  email: (({ subject, text }) => `${subject}\n${text}`)(renderEmail(library, input)),
  letter: (({ subject, text }) => `${subject}\n${text}`)(renderLetterText(library, input)),
  sms: renderSms(library, input),
  call: renderCallScript(library, input),
});

describe("the shipped templates", () => {
  it("pass the template lint, in every branch", async () => {
    const report = await lintTemplateFiles([TEMPLATES], { rules, authorized: new Set() });
    expect(report.files).toBe(SHIPPED_TEMPLATE_FILES);
    expect(report.problems).toEqual([]);
  });

  it("get firmer with the tone, and stay clean once rendered", () => {
    for (const language of LANGUAGES) {
      const byTone = TONES.map((tone) => renderAll({ ...sampleMessageInput, language, tone }));
      for (const kind of ["email", "letter", "sms", "call"] as const) {
        const [first, , , last] = byTone.map((messages) => messages[kind]);
        expect(first, `${language} ${kind}`).not.toBe(last);
        for (const [tone, messages] of byTone.entries()) {
          expect(
            lintRendered(messages[kind], language, "prohibited"),
            `${language} ${kind} tone ${tone + 1}`,
          ).toEqual([]);
        }
      }
    }
  });

  it("name the sender, the amount, how to pay and how to raise a problem", () => {
    for (const language of LANGUAGES) {
      for (const tone of TONES) {
        const messages = renderAll({ ...sampleMessageInput, language, tone });
        for (const [kind, text] of Object.entries(messages)) {
          const label = `${language} ${kind} tone ${tone}`;
          expect(text, label).toContain("Nordic Tools AB");
          expect(text.replace(/[\u00a0\u202f]/g, " "), label).toMatch(/200,00 €|€200\.00/);
          expect(text, label).toContain("Bankgiro 5050-1055");
          expect(text, label).toContain("4711 0815");
          expect(lintRendered(text, language, "dispute"), label).toEqual([]);
        }
      }
    }
  });

  it("mention passing the account on only in the final notice", () => {
    const passedOn = /collections team|kravhantering|recupero crediti/;
    for (const language of LANGUAGES) {
      for (const tone of TONES) {
        const messages = Object.values(renderAll({ ...sampleMessageInput, language, tone }));
        for (const text of messages) expect(passedOn.test(text)).toBe(tone === 4);
      }
    }
  });
});
