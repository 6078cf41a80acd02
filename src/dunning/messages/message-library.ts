import { join } from "node:path";
import type { LintProblem } from "../../compliance/template-lint.js";
import { OverdueError } from "../../kernel/errors.js";

/** A language folder is named by a primary language subtag: `sv`, `it`. */
export const LANGUAGE_FOLDER = /^[a-z]{2,3}$/;

/** What a template file is for; `certified_letter` uses the letter templates. */
export const TEMPLATE_KINDS = ["email", "letter", "sms", "call"] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

/** The tones every language folder must cover, one file per kind: `1-email.eta` … `4-call.eta`. */
export const SHIPPED_TEMPLATE_NAMES = ["1", "2", "3", "4"] as const;

export const DATE_STYLES = ["numeric", "medium", "long"] as const;
export type DateStyle = (typeof DATE_STYLES)[number];

/** The words around the templates (table headings, the letter's info block), from `labels.txt`. */
export const LABEL_KEYS = [
  "dateStyle",
  "invoice",
  "dueDate",
  "daysOverdue",
  "openAmount",
  "notYetDue",
  "total",
  "date",
  "documentId",
  "reference",
  "payAsInvoiced",
  "certified",
  "interest",
  "compensation",
  "reminderFee",
  "interestWhy",
  "compensationWhy",
  "reminderFeeWhy",
  "optOutEmail",
  "optOutSms",
] as const;
export type LabelKey = (typeof LABEL_KEYS)[number];
export type Labels = Readonly<Record<Exclude<LabelKey, "dateStyle">, string>> & {
  readonly dateStyle: DateStyle;
};

/** A compiled template file; both functions throw an OverdueError naming the file. */
export type MessageTemplate = {
  readonly file: string;
  /** Only e-mails and letters have one: the file's `Subject:` line. */
  readonly subject?: (context: object) => string;
  readonly body: (context: object) => string;
  /** What the template linter found; composing a message from a template with errors is refused. */
  readonly lint: readonly LintProblem[];
};

export type MessageLibrary = {
  readonly dir: string;
  /** Language folders found, by primary subtag ("en", "sv", "it"). */
  readonly languages: readonly string[];
  readonly labels: ReadonlyMap<string, Labels>;
  /** Keyed by `<language>/<name>-<kind>`, the file's path inside `dir` without `.eta`. */
  readonly templates: ReadonlyMap<string, MessageTemplate>;
};

export const FALLBACK_LANGUAGE = "en";

export function templateFile(dir: string, language: string, name: string, kind: TemplateKind) {
  return join(dir, language, `${name}-${kind}.eta`);
}

export function findTemplate(
  library: MessageLibrary,
  language: string,
  kind: TemplateKind,
  name: string,
): MessageTemplate {
  // A named template missing in the language falls back to English, as whole languages do.
  const template =
    library.templates.get(`${language}/${name}-${kind}`) ??
    library.templates.get(`${FALLBACK_LANGUAGE}/${name}-${kind}`);
  if (!template) {
    throw new OverdueError(
      "template_missing",
      `no ${kind} template "${name}" for language "${language}": ` +
        `${templateFile(library.dir, language, name, kind)} does not exist`,
    );
  }
  return template;
}
