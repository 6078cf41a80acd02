import { composeMessage, messageParts, messageText, paragraphs } from "./compose-message.js";
import type { MessageInput } from "./message.js";
import { invoiceTableRows, type TemplateContext } from "./message-context.js";
import type { MessageLibrary } from "./message-library.js";

export type RenderedEmail = {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
};

/** An e-mail from the input's `<tone>-email.eta` (or the step's template): subject, text and HTML. */
export function renderEmail(library: MessageLibrary, input: MessageInput): RenderedEmail {
  const message = composeMessage(library, input, "email");
  const { context } = message;
  const body = messageParts(message)
    .map((part) => {
      if (part.kind === "invoices") return invoiceTableHtml(context);
      if (part.kind === "payment") return `<p>${lines(context.paymentLines)}</p>`;
      return paragraphs(part.text)
        .map((paragraph) => `<p>${lines(paragraph.split("\n"))}</p>`)
        .join("\n");
    })
    .join("\n");
  const html = [
    "<!DOCTYPE html>",
    `<html lang="${escapeHtml(context.locale)}">`,
    '<head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(message.subject)}</title></head>`,
    // Inline styles: most mail clients drop <style> blocks.
    '<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222">',
    body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
  return { subject: message.subject, text: messageText(message), html };
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const lines = (texts: readonly string[]) => texts.map(escapeHtml).join("<br>\n");

function invoiceTableHtml(context: TemplateContext): string {
  const { header, rows, totals } = invoiceTableRows(context);
  const cell = (tag: "th" | "td", text: string, column: number, extra = "") =>
    `<${tag} style="padding:4px 12px 4px 0;text-align:${column >= 2 ? "right" : "left"};` +
    `white-space:nowrap${extra}">${escapeHtml(text)}</${tag}>`;
  const line = ";border-bottom:1px solid #999";
  return [
    '<table role="presentation" style="border-collapse:collapse;margin:8px 0 16px">',
    `<thead><tr>${header.map((text, column) => cell("th", text, column, line)).join("")}</tr></thead>`,
    "<tbody>",
    ...rows.map(
      (row) => `<tr>${row.map((text, column) => cell("td", text, column)).join("")}</tr>`,
    ),
    "</tbody>",
    "<tfoot>",
    ...totals.map(
      ([label, amount]) =>
        `<tr>${cell("th", label, 0)}<td colspan="2"></td>${cell("th", amount, 3)}</tr>`,
    ),
    "</tfoot>",
    "</table>",
  ].join("\n");
}
