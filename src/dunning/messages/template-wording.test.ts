import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
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

/**
 * Words a reminder must not use (../shared/docs/collections-rules.md: never threaten, never
 * mislead): courts, lawyers, police, enforcement, credit reporting, and fees or interest, which
 * a separate compliance step adds only where they are agreed. Each entry is a whole word; a
 * trailing \p{L}* also catches inflections and compounds.
 */
const BANNED = [
  // English
  "arrest\\p{L}*",
  "police",
  "lawyers?",
  "attorneys?",
  "courts?",
  "sue[sd]?",
  "lawsuits?",
  "legal",
  "jail",
  "prison",
  "garnish\\p{L}*",
  "bailiffs?",
  "seiz\\p{L}*",
  "credit (?:report\\p{L}*|rating|score|reference agenc\\p{L}*)",
  "interest",
  "fees?",
  "penalt\\p{L}*",
  "criminal",
  "fraud\\p{L}*",
  // Swedish
  "kronofogden?",
  "advokat\\p{L}*",
  "domstol\\p{L}*",
  "tingsrätt\\p{L}*",
  "polis\\p{L}*",
  "rättegång\\p{L}*",
  "stämning\\p{L}*",
  "åtal\\p{L}*",
  "utmätning\\p{L}*",
  "\\p{L}*ränt[ae]\\p{L}*",
  "\\p{L}*avgift\\p{L}*",
  "kreditupplysning\\p{L}*",
  "betalningsanmärkning\\p{L}*",
  "bedrägeri\\p{L}*",
  // Italian
  "avvocat\\p{L}*",
  "tribunal\\p{L}*",
  "giudic\\p{L}*",
  "giudiziari\\p{L}*",
  "polizia",
  "carabinieri",
  "pignorament\\p{L}*",
  "decreto ingiuntivo",
  "legal[ei]",
  "interessi",
  "mora",
  "penal[ei]",
  "sanzion\\p{L}*",
  "segnalazion\\p{L}*",
  "crif",
  "denuncia",
  "diffida",
  "truffa",
];
const BANNED_WORD = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${BANNED.join("|")})(?![\\p{L}\\p{N}])`,
  "giu",
);

const LANGUAGES = ["en-GB", "sv-SE", "it-IT"];
const TONES = [1, 2, 3, 4] as const;

let library: MessageLibrary;
beforeAll(async () => {
  library = await loadMessageLibrary();
});

const renderAll = (input: MessageInput) => ({
  email: (({ subject, text }) => `${subject}\n${text}`)(renderEmail(library, input)),
  letter: (({ subject, text }) => `${subject}\n${text}`)(renderLetterText(library, input)),
  sms: renderSms(library, input),
  call: renderCallScript(library, input),
});

describe("the shipped templates", () => {
  it("never use a banned word, in any branch", async () => {
    for (const language of await readdir(TEMPLATES)) {
      for (const file of await readdir(join(TEMPLATES, language))) {
        const text = await readFile(join(TEMPLATES, language, file), "utf8");
        expect(text.match(BANNED_WORD), `${language}/${file}`).toBeNull();
      }
    }
  });

  it("the banned list catches what it should", () => {
    const caught = (text: string) => text.match(BANNED_WORD) ?? [];
    expect(caught("We will SUE you and call the police")).toEqual(["SUE", "police"]);
    expect(caught("Kronofogden, dröjsmålsränta och påminnelseavgift")).toHaveLength(3);
    expect(caught("interessi di mora, decreto ingiuntivo")).toHaveLength(3);
    expect(caught("courtesy call about an issue; det stämmer; giudicare")).toHaveLength(1);
  });

  it("get firmer with the tone, and stay clean once rendered", () => {
    for (const language of LANGUAGES) {
      const byTone = TONES.map((tone) => renderAll({ ...sampleMessageInput, language, tone }));
      for (const kind of ["email", "letter", "sms", "call"] as const) {
        const [first, , , last] = byTone.map((messages) => messages[kind]);
        expect(first, `${language} ${kind}`).not.toBe(last);
        for (const [tone, messages] of byTone.entries()) {
          expect(
            messages[kind].match(BANNED_WORD),
            `${language} ${kind} tone ${tone + 1}`,
          ).toBeNull();
        }
      }
    }
  });

  it("name the sender, the amount, how to pay and how to raise a problem", () => {
    const problem: Record<string, RegExp> = {
      en: /wrong|not right|incorrect|problem/i,
      sv: /stämmer|fel/i,
      it: /errat|errore|problem|corrett|dubbi/i,
    };
    for (const language of LANGUAGES) {
      for (const tone of TONES) {
        const messages = renderAll({ ...sampleMessageInput, language, tone });
        for (const [kind, text] of Object.entries(messages)) {
          const label = `${language} ${kind} tone ${tone}`;
          expect(text, label).toContain("Nordic Tools AB");
          expect(text.replace(/[\u00a0\u202f]/g, " "), label).toMatch(/200,00 €|€200\.00/);
          expect(text, label).toContain("Bankgiro 5050-1055");
          expect(text, label).toContain("4711 0815");
          expect(text, label).toMatch(problem[language.slice(0, 2)] ?? /$^/);
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
