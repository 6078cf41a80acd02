import { OverdueError } from "../../kernel/errors.js";
import type { MessageInput } from "./message.js";
import {
  type BuildOptions,
  buildContext,
  INVOICE_TABLE_MARK,
  invoiceTableRows,
  PAYMENT_DETAILS_MARK,
  primaryLanguage,
  resolveLocale,
  type TemplateContext,
} from "./message-context.js";
import {
  FALLBACK_LANGUAGE,
  findTemplate,
  type MessageLibrary,
  type MessageTemplate,
  type TemplateKind,
} from "./message-library.js";

export type MessagePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "invoices" }
  | { readonly kind: "payment" };

export type ComposedMessage = {
  /** The template file used, for error messages. */
  readonly file: string;
  readonly context: TemplateContext;
  /** One line; "" for kinds without a subject. */
  readonly subject: string;
  /** Body text with the block marks still in it. */
  readonly body: string;
};

/**
 * Picks the template for the input's language, kind and step, and renders it. A template with
 * lint errors is refused (code `template_refused`, naming the file, line and rule): sending must
 * never threaten, mislead or leave out what the customer needs (docs/messages.md#template-lint).
 */
export function composeMessage(
  library: MessageLibrary,
  input: MessageInput,
  kind: TemplateKind,
  options: Partial<BuildOptions> = {},
): ComposedMessage {
  return compose(library, input, kind, options, refuseLintErrors);
}

/**
 * As composeMessage, without the lint refusal: the library's own trial render at load time, so
 * that a template with lint errors still loads and only sending from it is refused.
 */
export function composeTrialMessage(
  library: MessageLibrary,
  input: MessageInput,
  kind: TemplateKind,
): ComposedMessage {
  return compose(library, input, kind, {}, () => {});
}

function refuseLintErrors(template: MessageTemplate): void {
  const errors = template.lint.filter((problem) => problem.severity === "error");
  const [first] = errors;
  if (!first) return;
  const more =
    errors.length > 1
      ? ` (and ${errors.length - 1} more; \`overdue templates lint ${template.file}\` lists them)`
      : "";
  throw new OverdueError(
    "template_refused",
    `${first.file}:${first.line}: ${first.rule}: ${first.message}${more}`,
  );
}

function compose(
  library: MessageLibrary,
  input: MessageInput,
  kind: TemplateKind,
  options: Partial<BuildOptions>,
  check: (template: MessageTemplate) => void,
): ComposedMessage {
  const locale = resolveLocale(input.language);
  const primary = primaryLanguage(locale);
  const language = library.labels.has(primary) ? primary : FALLBACK_LANGUAGE;
  const labels = library.labels.get(language);
  if (!labels) throw new Error(`the library has no "${language}" labels`);
  const template = findTemplate(library, language, kind, input.template ?? String(input.tone));
  check(template);
  const context = buildContext(input, locale, language, labels, {
    firstCount: options.firstCount ?? 3,
    brief: options.brief ?? false,
    referenceCount: options.referenceCount ?? Number.POSITIVE_INFINITY,
  });
  const body = template.body(context);
  // 12 CFR 1006.6(e): every e-mail or text about the debt says how to opt out of more of them.
  const optOut =
    input.optOutNotice && (kind === "email" || kind === "sms")
      ? labels[kind === "email" ? "optOutEmail" : "optOutSms"]
      : "";
  return {
    file: template.file,
    context,
    // A subject is a mail header: a line break in customer data must not start a new one.
    subject: template.subject ? template.subject(context).replace(/\s+/g, " ").trim() : "",
    body: optOut ? `${body.trimEnd()}\n\n${optOut}` : body,
  };
}

/** Lines lose trailing blanks, runs of blank lines become one, the ends are trimmed. */
function tidy(text: string): string {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Why each charge under the invoice table is there: one line each, after the table. */
export function chargeNotes(context: TemplateContext): string {
  return context.charges.map((c) => `${c.label}: ${c.explanation}`).join("\n");
}

/** The message as plain text, readable on its own: blocks become aligned text. */
export function messageText(message: ComposedMessage): string {
  const notes = chargeNotes(message.context);
  return tidy(
    message.body
      .replaceAll(
        INVOICE_TABLE_MARK,
        `${invoiceTableText(message.context)}${notes ? `\n\n${notes}` : ""}`,
      )
      .replaceAll(PAYMENT_DETAILS_MARK, message.context.paymentLines.join("\n")),
  );
}

/** The message as text paragraphs and blocks, for renderers with real tables. */
export function messageParts(message: ComposedMessage): readonly MessagePart[] {
  const marks = new RegExp(`(${INVOICE_TABLE_MARK}|${PAYMENT_DETAILS_MARK})`);
  return message.body.split(marks).flatMap((piece): MessagePart[] => {
    if (piece === INVOICE_TABLE_MARK) {
      const notes = chargeNotes(message.context);
      return notes ? [{ kind: "invoices" }, { kind: "text", text: notes }] : [{ kind: "invoices" }];
    }
    if (piece === PAYMENT_DETAILS_MARK) return [{ kind: "payment" }];
    const text = tidy(piece);
    return text ? [{ kind: "text", text }] : [];
  });
}

/** Splits text into paragraphs at blank lines. */
export function paragraphs(text: string): readonly string[] {
  return text.split(/\n{2,}/);
}

function invoiceTableText(context: TemplateContext): string {
  const { header, rows, totals } = invoiceTableRows(context);
  const lines: (readonly string[])[] = [
    header,
    ...rows,
    ...totals.map(([label, amount]) => [label, "", "", amount]),
  ];
  const widths = header.map((_, column) =>
    Math.max(...lines.map((line) => (line[column] ?? "").length)),
  );
  // Numbers are right-aligned so amounts line up in a monospaced mail client.
  const cell = (text: string, column: number) =>
    column >= 2 ? text.padStart(widths[column] ?? 0) : text.padEnd(widths[column] ?? 0);
  return lines.map((line) => line.map(cell).join("   ").trimEnd()).join("\n");
}
