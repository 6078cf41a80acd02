import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHIPPED_TEMPLATE_FILES } from "../../test/support/templates.js";
import type { TemplateKind } from "../dunning/messages/message-library.js";
import { describeTemplateFile, lintTemplateFiles } from "./lint-template-files.js";
import { loadTemplateLintRules, templateLintSettingsFromEnv } from "./load-template-lint-rules.js";
import { rulesDir } from "./rules-dir.js";
import { type LintProblem, lintTemplate, splitEta } from "./template-lint.js";
import {
  type AuthorizedAction,
  parseTemplateLintRules,
  type TemplateLintRules,
} from "./template-lint-rules.js";

const SHIPPED_TEMPLATES = join(import.meta.dirname, "../../templates");
const NONE: ReadonlySet<AuthorizedAction> = new Set();

let rules: TemplateLintRules;
beforeAll(async () => {
  rules = await loadTemplateLintRules();
});

const lint = (
  text: string,
  options: {
    language?: string;
    kind?: TemplateKind;
    authorized?: readonly AuthorizedAction[];
  } = {},
): readonly LintProblem[] =>
  lintTemplate(
    { text, file: "t.eta", language: options.language, kind: options.kind },
    rules,
    new Set(options.authorized ?? []),
  );
const rulesOf = (problems: readonly LintProblem[]) => [...new Set(problems.map((p) => p.rule))];

/** One phrase per family and language; each is caught by its family and by nothing else. */
const EXAMPLES: Readonly<Record<string, Readonly<Record<"en" | "sv" | "it", string>>>> = {
  "threat-arrest": {
    en: "You could be arrested.",
    sv: "Vi kontaktar polisen.",
    it: "Chiameremo i carabinieri.",
  },
  "threat-violence": {
    en: "We know where you live.",
    sv: "Vi vet var du bor.",
    it: "Sappiamo dove abita.",
  },
  "legal-action": {
    en: "We will sue you.",
    sv: "Vi skickar en stämningsansökan till tingsrätten.",
    it: "Riceverà un decreto ingiuntivo.",
  },
  "credit-reporting": {
    en: "Your credit score will suffer.",
    sv: "Du kan få en betalningsanmärkning.",
    it: "Il ritardo finirà nella Centrale dei Rischi.",
  },
  "garnishment-seizure": {
    en: "We will garnish your wages.",
    sv: "Ärendet går till Kronofogden för utmätning.",
    it: "Procederemo al pignoramento.",
  },
  attorney: {
    en: "Our attorney will contact you.",
    sv: "Vår advokat kontaktar dig.",
    it: "Il nostro avvocato La contatterà.",
  },
  government: {
    en: "This is an official notice.",
    sv: "Ärendet går vidare till Skatteverket.",
    it: "Informeremo l'Agenzia delle Entrate.",
  },
  "abusive-shaming": {
    en: "Only a deadbeat ignores invoices.",
    sv: "Du borde skämmas.",
    it: "Dovrebbe vergognarsi.",
  },
  "criminal-accusation": {
    en: "Not paying is fraud.",
    sv: "Det här är bedrägeri.",
    it: "Questa è una truffa.",
  },
  "fee-or-interest": {
    en: "A late fee applies.",
    sv: "En påminnelseavgift och dröjsmålsränta tillkommer.",
    it: "Addebiteremo gli interessi di mora.",
  },
  "literal-amount": {
    en: "Pay $50 today.",
    sv: "Betala 50 kr i dag.",
    it: "Paghi 40 EUR oggi.",
  },
  "third-party-collector": {
    en: "Your account goes to a collection agency.",
    sv: "Ärendet lämnas till ett inkassobolag.",
    it: "La pratica passerà a una società di recupero crediti.",
  },
};
const LANGUAGES = ["en", "sv", "it"] as const;

describe("the phrase families", () => {
  it("are all in the table below, and the table names no other", () => {
    expect(rules.families.map((family) => family.id).sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  describe.each(Object.entries(EXAMPLES))("%s", (id, examples) => {
    it.each(LANGUAGES)("catches the %s phrase, on its line, and nothing else", (language) => {
      const problems = lint(`Hello,\n\n${examples[language]}\n`, { language });
      expect(rulesOf(problems), examples[language]).toEqual([id]);
      expect(problems[0]).toMatchObject({ file: "t.eta", line: 3, column: expect.any(Number) });
    });

    it("catches it in a file whose language is unknown", () => {
      for (const language of LANGUAGES) {
        expect(rulesOf(lint(examples[language])), examples[language]).toContain(id);
      }
    });

    const family = () => rules.families.find((f) => f.id === id);
    it("is allowed exactly when the sender configured its action", () => {
      const waivedBy = family()?.waivedBy;
      for (const language of LANGUAGES) {
        const text = examples[language];
        if (waivedBy) {
          expect(lint(text, { language, authorized: [waivedBy] }), text).toEqual([]);
          const others = ["legal-action", "credit-reporting", "garnishment", "fees", "attorney"];
          const rest = others.filter((a) => a !== waivedBy) as AuthorizedAction[];
          expect(rulesOf(lint(text, { language, authorized: rest }))).toEqual([id]);
        } else {
          const all = ["legal-action", "credit-reporting", "garnishment", "fees", "attorney"];
          expect(rulesOf(lint(text, { language, authorized: all as AuthorizedAction[] }))).toEqual([
            id,
          ]);
        }
      }
    });
  });

  it("waives legal action, credit reporting, garnishment, fees and lawyers, and nothing else", () => {
    const waived = Object.fromEntries(rules.families.map((f) => [f.id, f.waivedBy]));
    expect(waived).toEqual({
      "threat-arrest": null,
      "threat-violence": null,
      "legal-action": "legal-action",
      "credit-reporting": "credit-reporting",
      "garnishment-seizure": "garnishment",
      attorney: "attorney",
      government: null,
      "abusive-shaming": null,
      "criminal-accusation": null,
      "fee-or-interest": "fees",
      "literal-amount": null,
      "third-party-collector": null,
    });
  });

  it("catches inflections and compounds", () => {
    const caught = (text: string, language: string) => rulesOf(lint(text, { language }));
    expect(caught("Kronofogdemyndigheten", "sv")).toContain("garnishment-seizure");
    expect(caught("löneutmätning", "sv")).toEqual(["garnishment-seizure"]);
    expect(caught("betalningsanmärkningar", "sv")).toEqual(["credit-reporting"]);
    expect(caught("advokatbyrån", "sv")).toEqual(["attorney"]);
    expect(caught("gli avvocati", "it")).toEqual(["attorney"]);
    expect(caught("i decreti ingiuntivi", "it")).toEqual(["legal-action"]);
    expect(caught("arrestato", "it")).toEqual(["threat-arrest"]);
    expect(caught("una denuncia", "it")).toEqual(["criminal-accusation"]);
    expect(caught("prosecuted", "en")).toEqual(["criminal-accusation"]);
    expect(caught("LAWYERS", "en")).toEqual(["attorney"]);
    expect(caught("decreto\n  ingiuntivo", "it")).toEqual(["legal-action"]);
  });

  it("leaves innocent words alone", () => {
    const clean = {
      en: "A courtesy call about an issue: hello, our payment policy, a skill, the total.",
      sv: "Det stämmer. Om något inte stämmer, hör av dig. Avbrott på hotellet, Gunnar.",
      it: "La sede legale, il legale rappresentante, la polizza: siamo interessati a giudicare.",
    };
    for (const language of LANGUAGES) expect(lint(clean[language], { language })).toEqual([]);
  });
});

describe("literal amounts", () => {
  it.each([
    "$50",
    "50 kr",
    "€ 40",
    "40 EUR",
    "1 234,50 kr",
    "£1,000.00",
    "SEK 450",
    "100:-",
    "40 euro",
  ])("catches %s", (amount) => {
    expect(rulesOf(lint(`Please pay ${amount} now.`, { language: "en" }))).toEqual([
      "literal-amount",
    ]);
  });

  it("catches a fee given as a bare number, even when fees are configured", () => {
    const problems = lint("A fee of 25 applies.", { language: "en", authorized: ["fees"] });
    expect(rulesOf(problems)).toEqual(["literal-amount"]);
    expect(rulesOf(lint("En påminnelseavgift på 60 tillkommer.", { language: "sv" }))).toEqual([
      "fee-or-interest",
      "literal-amount",
    ]);
    expect(rulesOf(lint("Spese di 15 a Suo carico.", { language: "it" }))).toEqual([
      "fee-or-interest",
      "literal-amount",
    ]);
  });

  it("leaves numbers that are not money alone", () => {
    expect(lint("Tone 1 of 4. 1. Greeting. Within 8 days.", { language: "en" })).toEqual([]);
  });
});

describe("Eta tags", () => {
  it("reads string literals in tags, never code", () => {
    const text = [
      "<% const interest = it.total %>",
      "Dear <%= it.recipient.name %>, the fee is <%= interest %>.",
      '<%= it.beforeDue ? "Soon due" : "If not paid we will sue" %>',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: template text with a JS template literal in a tag
      "<%= `late by ${it.maxDaysOverdue} days, seizure` %>",
    ].join("\n");
    const problems = lint(text, { language: "en" });
    expect(problems.map(({ line, column, rule }) => ({ line, column, rule }))).toEqual([
      { line: 2, column: 36, rule: "fee-or-interest" },
      { line: 3, column: 54, rule: "legal-action" },
      { line: 4, column: 41, rule: "garnishment-seizure" },
    ]);
  });

  it("keeps every character in place, so positions are those of the file", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: template text with a JS template literal in a tag
    const text = 'a <%= x ? "bé" : `c${y}d` %> e\nf';
    const { prose, code } = splitEta(text);
    expect(prose).toBe("a          bé     c    d     e\nf");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the code half of that text
    expect(code).toBe('  <%= x ? "  " : ` ${y} ` %>  \n ');
    expect([prose.length, code.length]).toEqual([text.length, text.length]);
  });

  it("counts columns in characters", () => {
    const [problem] = lint("Hej då, åäö polisen", { language: "sv" });
    expect(problem).toMatchObject({ line: 1, column: 13, rule: "threat-arrest" });
  });

  it("reports each phrase once, in order of line and column", () => {
    const problems = lint("sue\nfee, then a lawyer and a court", { language: "en" });
    expect(problems.map((p) => `${p.line}:${p.column} ${p.rule}`)).toEqual([
      "1:1 legal-action",
      "2:1 fee-or-interest",
      "2:13 attorney",
      "2:26 legal-action",
    ]);
    expect(problems[0]?.message).toContain('"sue"');
    expect(problems[0]?.message).toContain("15 U.S.C. 1692e(5)");
  });
});

describe("required elements", () => {
  const EMAIL = {
    sender: "Subject: Reminder from <%= it.sender.name %>",
    amount: "Please pay <%= it.total %>.",
    payment: "<%= it.paymentDetails %>",
    dispute: "If you believe the invoice is wrong, reply to this e-mail.",
  } as const;
  const RULE = {
    sender: "missing-sender",
    amount: "missing-amount",
    payment: "missing-payment",
    dispute: "missing-dispute",
  } as const;

  it("an e-mail or letter with all four passes", () => {
    for (const kind of ["email", "letter"] as const) {
      expect(lint(Object.values(EMAIL).join("\n"), { language: "en", kind })).toEqual([]);
    }
  });

  it.each(Object.keys(EMAIL) as (keyof typeof EMAIL)[])(
    "an e-mail or letter without the %s is an error on line 1",
    (left) => {
      const text = Object.entries(EMAIL)
        .filter(([part]) => part !== left)
        .map(([, line]) => line)
        .join("\n");
      for (const kind of ["email", "letter"] as const) {
        expect(lint(text, { language: "en", kind })).toEqual([
          expect.objectContaining({ line: 1, column: 1, rule: RULE[left], severity: "error" }),
        ]);
      }
    },
  );

  it("takes the invoice table for the amount, and any way of saying how to dispute", () => {
    const dispute = {
      en: "If there is a problem with the invoice, tell us.",
      sv: "Om du anser att fakturan är felaktig, svara på mejlet.",
      it: "Se ritiene che la fattura non sia corretta, ci scriva.",
    };
    for (const language of LANGUAGES) {
      const text = [EMAIL.sender, "<%= it.invoiceTable %>", EMAIL.payment, dispute[language]];
      expect(lint(text.join("\n"), { language, kind: "email" })).toEqual([]);
    }
  });

  it("an SMS needs the sender, amount and invoice numbers; payment and dispute are warnings", () => {
    const sms = "<%= it.sender.name %>: <%= it.total %> for <%= it.firstNumbers %> is unpaid.";
    const severities = (text: string) =>
      lint(text, { language: "en", kind: "sms" }).map((p) => `${p.severity} ${p.rule}`);
    expect(severities(sms)).toEqual(["warning missing-payment", "warning missing-dispute"]);
    expect(severities(`${sms} Pay: <%= it.paymentLine %>. Is the invoice wrong? Call us.`)).toEqual(
      [],
    );
    expect(severities("Unpaid: <%= it.total %>")).toEqual([
      "error missing-sender",
      "error missing-invoice-number",
      "warning missing-payment",
      "warning missing-dispute",
    ]);
  });

  it("asks nothing of call scripts, or of files whose kind is unknown", () => {
    expect(lint("Hello, this is [your name].", { language: "en", kind: "call" })).toEqual([]);
    expect(lint("Hello.", { language: "en" })).toEqual([]);
  });

  it("does not block a language the rules have no dispute phrases for", () => {
    const text = [EMAIL.sender, EMAIL.amount, EMAIL.payment, "Bei Fragen melden Sie sich."];
    expect(lint(text.join("\n"), { language: "de", kind: "email" })).toEqual([
      expect.objectContaining({ rule: "missing-dispute", severity: "warning" }),
    ]);
  });

  it("does not count a variable that merely starts with a required one", () => {
    const text = [EMAIL.sender, "<%= it.totalled %>", EMAIL.payment, EMAIL.dispute].join("\n");
    expect(rulesOf(lint(text, { language: "en", kind: "email" }))).toEqual(["missing-amount"]);
  });
});

describe("template files", () => {
  it("take the language from the folder and the kind from the name, as the library does", () => {
    expect(describeTemplateFile("my/sv/gentle-email.eta")).toEqual({
      path: "my/sv/gentle-email.eta",
      language: "sv",
      kind: "email",
      name: "gentle",
    });
    expect(describeTemplateFile("/tmp/notice.eta")).toEqual({
      path: "/tmp/notice.eta",
      language: undefined,
      kind: undefined,
      name: undefined,
    });
  });
});

describe("the shipped library", () => {
  it("has no errors and no warnings in any template", async () => {
    const report = await lintTemplateFiles([SHIPPED_TEMPLATES], { rules, authorized: NONE });
    expect(report.files).toBe(SHIPPED_TEMPLATE_FILES);
    expect(report.problems).toEqual([]);
  });
});

describe("the rules file", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "overdue-rules-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const family = {
    id: "threat-x",
    citation: "1692e(5)",
    message: "threatens x",
    patterns: { en: ["x\\p{L}*"] },
  };
  const parse = (json: unknown) => () => parseTemplateLintRules(json, "rules.json");

  it("is found beside src/ and dist/, in the package's rules folder", () => {
    expect(rulesDir({})).toBe(`${join(import.meta.dirname, "../../rules")}/`);
  });

  it("names the file and the field of a broken pattern", () => {
    const broken = { families: [family, { ...family, id: "y", patterns: { sv: ["a", "(b"] } }] };
    expect(parse(broken)).toThrow(
      expect.objectContaining({
        code: "bad_rules",
        message: expect.stringMatching(
          /^rules\.json: families\.1\.patterns\.sv\.1 \("y"\): not a valid regular expression/,
        ),
      }),
    );
  });

  it("names unknown fields, actions, kinds and languages", () => {
    expect(parse({ families: [{ ...family, waivedby: "fees" }] })).toThrow(
      'families.0 ("threat-x"): Unrecognized key: "waivedby"',
    );
    expect(parse({ families: [{ ...family, waivedBy: "lawsuit" }] })).toThrow(
      'families.0.waivedBy ("threat-x"): Invalid option: expected one of "legal-action"',
    );
    expect(parse({ families: [{ ...family, patterns: { english: ["x"] } }] })).toThrow(
      /families\.0\.patterns\.english .*primary language subtag/,
    );
    const element = { id: "missing-x", citation: "c", message: "m", variables: ["it.x"] };
    expect(
      parse({ families: [family], required: [{ ...element, kinds: { fax: "error" } }] }),
    ).toThrow('required.0.kinds ("missing-x"): Unrecognized key: "fax"');
    expect(parse({ families: [family, family] })).toThrow(
      /families\.1\.id.*"threat-x" is used twice/,
    );
  });

  it("names the file when it is missing or not JSON", async () => {
    await expect(loadTemplateLintRules(join(dir, "nowhere"))).rejects.toThrow(
      `${join(dir, "nowhere", "template-lint.json")} is missing`,
    );
    await writeFile(join(dir, "template-lint.json"), "{ families: [] }");
    await expect(loadTemplateLintRules(dir)).rejects.toThrow(
      `${join(dir, "template-lint.json")}: not JSON`,
    );
  });

  it("comes from OVERDUE_RULES_DIR, with the actions from OVERDUE_AUTHORIZED_ACTIONS", async () => {
    await writeFile(join(dir, "template-lint.json"), JSON.stringify({ families: [family] }));
    const settings = await templateLintSettingsFromEnv({
      OVERDUE_RULES_DIR: dir,
      OVERDUE_AUTHORIZED_ACTIONS: "legal-action, fees",
    });
    expect(settings.rules.families.map((f) => f.id)).toEqual(["threat-x"]);
    expect([...settings.authorized]).toEqual(["legal-action", "fees"]);
    expect((await templateLintSettingsFromEnv({})).authorized.size).toBe(0);
    await expect(
      templateLintSettingsFromEnv({ OVERDUE_AUTHORIZED_ACTIONS: "legal-action,lawsuits" }),
    ).rejects.toThrow(
      expect.objectContaining({
        code: "bad_setting",
        message: expect.stringContaining('OVERDUE_AUTHORIZED_ACTIONS: "lawsuits" is not an action'),
      }),
    );
  });
});
