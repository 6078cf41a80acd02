import { OverdueError } from "../../kernel/errors.js";
import { epcQrModules, epcQrPayload } from "../../payments/domain/epc-qr.js";
import { composeMessage, messageParts, messageText, paragraphs } from "./compose-message.js";
import { letterCreditTransfer } from "./letter-payment-code.js";
import type { MessageInput } from "./message.js";
import { invoiceTableRows, type TemplateContext } from "./message-context.js";
import type { MessageLibrary } from "./message-library.js";

const mm = (millimetres: number) => (millimetres * 72) / 25.4;

/**
 * A4 positions after DIN 5008 form B, which fits a DL or C5/6 window envelope with the window
 * on the left (also the Swiss left-window layout): the window is 85 × 45 mm, 20 mm from the
 * left and 45 mm from the top edge; its first 17.7 mm hold the return address and postal
 * markings such as "registered", the address starts below them. Fold marks at 105 and 210 mm.
 */
const PAGE = { left: mm(25), right: mm(20), top: mm(20), bottom: mm(25) };
const WINDOW = { x: mm(25), width: mm(80), top: mm(45), address: mm(62.7), bottom: mm(90) };
const INFO = { x: mm(125), y: mm(50), width: mm(65) };
const SUBJECT_Y = mm(98.5);
/**
 * The EPC QR code sits right of the window, under the info block and above the subject, so it
 * never shows through the envelope: at most 30 mm a side with its quiet zone, which puts a
 * version 13 code (the largest EPC069-12 allows) at 0.39 mm a module.
 */
const PAYMENT_CODE = { top: mm(62), gap: mm(4), side: mm(30) };
const FOLD_MARKS = [mm(105), mm(148.5), mm(210)];

const REGULAR = "Helvetica";
const BOLD = "Helvetica-Bold";
const GREY = "#555555";

/** A letter from `<tone>-letter.eta` (or the step's template), for print and post. */
export async function renderLetterPdf(
  library: MessageLibrary,
  input: MessageInput,
): Promise<Buffer> {
  const message = composeMessage(library, input, "letter");
  const { context } = message;
  // pdfkit takes about half a second to load; only letters need it.
  const { default: PDFDocument } = await import("pdfkit");
  const printedOn = new Date(`${input.date}T12:00:00Z`);
  const doc = new PDFDocument({
    // No default font: shareStandardFonts provides Helvetica without parsing its metrics again.
    font: null as unknown as string,
    size: "A4",
    margins: PAGE,
    bufferPages: true,
    lang: context.locale,
    // Fixed dates make the same letter the same bytes (pdfkit derives the file id from them).
    info: {
      Title: pdfText(message.subject),
      Author: pdfText(context.sender.name),
      CreationDate: printedOn,
      ModDate: printedOn,
    },
  });
  shareStandardFonts(doc);
  doc.font(REGULAR);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  letterhead(doc, context);
  addressWindow(doc, context);
  const infoBottom = infoBlock(doc, context);
  const transfer = letterCreditTransfer(input, context);
  if (transfer) paymentCode(doc, epcQrPayload(transfer), infoBottom);
  foldMarks(doc);

  const width = doc.page.width - PAGE.left - PAGE.right;
  doc.font(BOLD).fontSize(11).fillColor("black");
  doc.text(pdfText(message.subject), PAGE.left, SUBJECT_Y, { width });
  doc.moveDown(1.2);
  for (const part of messageParts(message)) {
    if (part.kind === "invoices") invoiceTable(doc, context);
    else if (part.kind === "payment") paragraph(doc, context.paymentLines.join("\n"), BOLD, mm(5));
    else for (const text of paragraphs(part.text)) paragraph(doc, text, REGULAR, 0);
  }
  footers(doc, context);
  doc.end();
  return done;
}

/** pdfkit's font objects, as far as sharing them needs. */
type FontObject = Record<string, unknown>;
type FontCache = { _fontFamilies?: Record<string, FontObject>; _fontCount?: number };

/** One font object per standard font, made in the first letter; later letters get copies. */
const standardFonts = new Map<string, FontObject>();

/**
 * pdfkit parses a standard font's metrics (every glyph width and kerning pair) anew for every
 * document: a sixth of the time an e-mail with its statement takes. The parsed metrics never
 * change, so each new document gets its own font object (its own id and PDF dictionary) around
 * the metrics parsed once. Relies on pdfkit's internal font cache; where that is not there,
 * the document simply loads its fonts the usual way.
 */
function shareStandardFonts(doc: PDFKit.PDFDocument): void {
  const cache = doc as unknown as FontCache;
  const families = cache._fontFamilies;
  if (!families || typeof cache._fontCount !== "number") return;
  for (const name of [REGULAR, BOLD]) {
    const known = standardFonts.get(name);
    if (!known) {
      doc.font(name);
      const made = families[name];
      if (made?.font && made.name === name) standardFonts.set(name, made);
      continue;
    }
    const copy = Object.create(Object.getPrototypeOf(known)) as FontObject;
    for (const [key, value] of Object.entries(known)) {
      if (key !== "dictionary" && key !== "embedded") copy[key] = value;
    }
    cache._fontCount += 1;
    copy.document = doc;
    copy.id = `F${cache._fontCount}`;
    families[name] = copy;
  }
}

/** The letter's subject and text as printed, without the PDF: for previews and logs. */
export function renderLetterText(
  library: MessageLibrary,
  input: MessageInput,
): { readonly subject: string; readonly text: string } {
  const message = composeMessage(library, input, "letter");
  return { subject: message.subject, text: messageText(message) };
}

function letterhead(doc: PDFKit.PDFDocument, context: TemplateContext): void {
  const width = doc.page.width - PAGE.left - PAGE.right;
  const { sender } = context;
  doc.font(BOLD).fontSize(15).fillColor("black");
  doc.text(fitLine(doc, sender.name, width), PAGE.left, mm(15), { width, lineBreak: false });
  doc.font(REGULAR).fontSize(8.5).fillColor(GREY);
  for (const line of [
    sender.addressLines.join(" · "),
    [sender.phone, sender.email].filter(Boolean).join(" · "),
  ]) {
    if (line)
      doc.text(fitLine(doc, line, width), PAGE.left, doc.y + 1, { width, lineBreak: false });
  }
}

function addressWindow(doc: PDFKit.PDFDocument, context: TemplateContext): void {
  const { sender, recipient, labels } = context;
  const returnAddress = [sender.name, ...sender.addressLines].join(", ");
  doc.font(REGULAR).fontSize(7).fillColor(GREY);
  doc.text(fitLine(doc, returnAddress, WINDOW.width), WINDOW.x, WINDOW.top + mm(3), {
    width: WINDOW.width,
    lineBreak: false,
  });
  if (context.certified) {
    doc.font(BOLD).fontSize(10).fillColor("black");
    doc.text(fitLine(doc, labels.certified, WINDOW.width), WINDOW.x, WINDOW.address - mm(6), {
      width: WINDOW.width,
      lineBreak: false,
    });
  }
  const lines = [recipient.name, ...recipient.addressLines];
  // Every line must show through the window, or the post cannot deliver the letter: a long
  // address gets a smaller type, and one that still does not fit is refused.
  const size = [10, 9, 8].find((points) => {
    doc.font(REGULAR).fontSize(points);
    return WINDOW.address + lines.length * doc.currentLineHeight(true) <= WINDOW.bottom;
  });
  if (size === undefined) {
    throw new OverdueError(
      "address_too_long",
      `the address of ${recipient.name} has ${lines.length} lines; a window envelope shows 8`,
    );
  }
  doc.font(REGULAR).fontSize(size).fillColor("black");
  lines.forEach((line, index) => {
    const y = WINDOW.address + index * doc.currentLineHeight(true);
    doc.text(fitLine(doc, line, WINDOW.width), WINDOW.x, y, {
      width: WINDOW.width,
      lineBreak: false,
    });
  });
}

/** The date and the reference, right of the window; returns where the block ends. */
function infoBlock(doc: PDFKit.PDFDocument, context: TemplateContext): number {
  const { labels } = context;
  const rows = [
    [labels.date, context.date],
    [labels.reference, context.reference],
  ].filter(([, value]) => value);
  doc.fontSize(9).fillColor("black");
  const valueWidth = INFO.width - mm(31);
  let y = INFO.y;
  for (const [label = "", value = ""] of rows) {
    doc.font(REGULAR).text(pdfText(`${label}:`), INFO.x, y, { width: mm(30), lineBreak: false });
    doc.font(BOLD);
    // A reference cut short cannot be paid with: a long one gets the whole width, a line lower.
    const ownLine = doc.widthOfString(pdfText(value)) > valueWidth;
    if (ownLine) y += doc.currentLineHeight(true) + 1;
    const x = ownLine ? INFO.x : INFO.x + mm(31);
    const width = ownLine ? INFO.width : valueWidth;
    doc.text(fitLine(doc, value, width), x, y, { width, lineBreak: false });
    y += doc.currentLineHeight(true) + 2;
  }
  return y;
}

/**
 * The EPC QR code, drawn as filled rectangles (one per run of dark modules in a row) so no
 * image library is needed and the PDF stays small. Right-aligned with the text, below the info
 * block; four light modules of quiet zone around it, as ISO/IEC 18004 requires.
 */
function paymentCode(doc: PDFKit.PDFDocument, payload: string, infoBottom: number): void {
  const modules = epcQrModules(payload);
  const top = Math.max(PAYMENT_CODE.top, infoBottom + PAYMENT_CODE.gap);
  const side = Math.min(PAYMENT_CODE.side, SUBJECT_Y - PAYMENT_CODE.gap - top);
  const unit = side / (modules.length + 8);
  const left = doc.page.width - PAGE.right - side + 4 * unit;
  const upper = top + 4 * unit;
  doc.save();
  modules.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (row[x]) x++;
      doc.rect(left + start * unit, upper + y * unit, (x - start) * unit, unit);
    }
  });
  doc.fill("black");
  doc.restore();
}

/** Body text flows on, and onto new pages, from where the last part ended. */
function paragraph(doc: PDFKit.PDFDocument, text: string, font: string, indent: number): void {
  const width = doc.page.width - PAGE.left - PAGE.right - indent;
  doc.font(font).fontSize(10).fillColor("black");
  doc.text(pdfText(text), PAGE.left + indent, doc.y, { width, lineGap: 1.5 });
  doc.moveDown(0.8);
}

function foldMarks(doc: PDFKit.PDFDocument): void {
  doc.save().lineWidth(0.5).strokeColor("#999999");
  for (const y of FOLD_MARKS) doc.moveTo(mm(4), y).lineTo(mm(9), y).stroke();
  doc.restore();
}

const COLUMNS = [
  { x: 0, width: mm(55), align: "left" },
  { x: mm(58), width: mm(32), align: "left" },
  { x: mm(90), width: mm(33), align: "right" },
  { x: mm(125), width: mm(40), align: "right" },
] as const;

/** Drawn row by row so a long list breaks across pages with its heading repeated. */
function invoiceTable(doc: PDFKit.PDFDocument, context: TemplateContext): void {
  const { header, rows, totals } = invoiceTableRows(context);
  const rowHeight = 15;
  const right = doc.page.width - PAGE.right;
  let y = doc.y + 2;
  const row = (cells: readonly string[], font: string) => {
    doc.font(font).fontSize(9.5).fillColor("black");
    cells.forEach((text, index) => {
      const column = COLUMNS[index];
      if (!column || !text) return;
      doc.text(fitLine(doc, text, column.width), PAGE.left + column.x, y + 3, {
        width: column.width,
        align: column.align,
        lineBreak: false,
      });
    });
    y += rowHeight;
  };
  const rule = () => {
    doc.save().lineWidth(0.6).moveTo(PAGE.left, y).lineTo(right, y).stroke().restore();
  };
  const roomFor = (count: number) => {
    if (y + count * rowHeight <= doc.page.height - PAGE.bottom) return;
    doc.addPage();
    y = PAGE.top;
    row(header, BOLD);
    rule();
  };

  row(header, BOLD);
  rule();
  for (const cells of rows) {
    roomFor(1);
    row(cells, REGULAR);
  }
  roomFor(totals.length);
  rule();
  for (const [label, amount] of totals) row([label, "", "", amount], BOLD);
  doc.font(REGULAR).fontSize(10);
  doc.x = PAGE.left;
  doc.y = y + 10;
}

function footers(doc: PDFKit.PDFDocument, context: TemplateContext): void {
  const range = doc.bufferedPageRange();
  const width = doc.page.width - PAGE.left - PAGE.right;
  for (let index = range.start; index < range.start + range.count; index++) {
    doc.switchToPage(index);
    // Writing below the bottom margin would make pdfkit start a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - mm(14);
    doc.font(REGULAR).fontSize(7.5).fillColor(GREY);
    if (context.documentId) {
      doc.text(pdfText(`${context.labels.documentId} ${context.documentId}`), PAGE.left, y, {
        width,
        lineBreak: false,
      });
    }
    if (range.count > 1) {
      doc.text(`${index - range.start + 1}/${range.count}`, PAGE.left, y, {
        width,
        align: "right",
        lineBreak: false,
      });
    }
    doc.page.margins.bottom = bottom;
  }
}

/** Shortens one line to `width` at the current font, with an ellipsis. */
function fitLine(doc: PDFKit.PDFDocument, text: string, width: number): string {
  let line = pdfText(text);
  if (doc.widthOfString(line) <= width) return line;
  while (line.length > 0 && doc.widthOfString(`${line}…`) > width) line = line.slice(0, -1);
  return `${line.trimEnd()}…`;
}

const NOT_WIN_ANSI = "[^\\n\\u0020-\\u007e\\u00a0-\\u00ff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]";
const NO_DECOMPOSITION: Readonly<Record<string, string>> = { ł: "l", Ł: "L", đ: "d", Đ: "D" };

/**
 * The built-in Helvetica covers WinAnsi (Latin-1 plus € and typographic quotes), which has
 * å ä ö é è à ù but not Intl's U+202F space or U+2212 minus. Other letters lose their accents
 * (ő → o), and anything else becomes "?" rather than a wrong glyph.
 */
export function pdfText(text: string): string {
  return text
    .normalize("NFC")
    .replace(/[\u2007\u2009\u202f]/g, "\u00a0")
    .replaceAll("\u2212", "-")
    .replace(new RegExp(NOT_WIN_ANSI, "gu"), (char) => {
      const base = NO_DECOMPOSITION[char] ?? char.normalize("NFD").replace(/\p{M}/gu, "");
      // A lone combining mark has no base letter to keep.
      if (base === "") return "";
      return new RegExp(NOT_WIN_ANSI, "u").test(base) ? "?" : base;
    });
}
