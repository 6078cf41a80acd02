import { pdfText } from "../dunning/messages/render-letter-pdf.js";
import type { CustomerHistory, HistoryEntry } from "./export-customer-history.js";

const mm = (millimetres: number) => (millimetres * 72) / 25.4;
const PAGE = { left: mm(20), right: mm(20), top: mm(20), bottom: mm(22) };
const REGULAR = "Helvetica";
const BOLD = "Helvetica-Bold";
const MONO = "Courier";
const GREY = "#555555";
const RED = "#b00020";

/**
 * A customer's history as a PDF to read and print: the customer, the state of the audit chain
 * at export, every log entry in time order (what, on which channel, by which rule, who, and its
 * seq and hash), then the ledger's invoices, payments, promises, disputes, closures and stops.
 * Every text goes through pdfText: what the built-in font cannot show becomes "?".
 */
export async function renderHistoryPdf(history: CustomerHistory): Promise<Buffer> {
  // pdfkit takes about half a second to load; only exports and letters need it.
  const { default: PDFDocument } = await import("pdfkit");
  const exportedAt = new Date(history.exportedAt);
  const { customer } = history;
  const doc = new PDFDocument({
    size: "A4",
    margins: PAGE,
    bufferPages: true,
    // Fixed dates make the same export the same bytes (pdfkit derives the file id from them).
    info: {
      Title: pdfText(`Audit history of ${customer.name} (${customer.id})`),
      Author: "overdue",
      CreationDate: exportedAt,
      ModDate: exportedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const width = doc.page.width - PAGE.left - PAGE.right;
  const write = (text: string, font = REGULAR, size = 9.5, color = "black") => {
    doc.font(font).fontSize(size).fillColor(color);
    doc.text(pdfText(text), PAGE.left, doc.y, { width });
  };
  const heading = (text: string) => {
    doc.moveDown(0.8);
    write(text, BOLD, 12);
    doc.moveDown(0.3);
  };

  write("Audit history", BOLD, 18);
  write(`${customer.name} (${customer.id})`, BOLD, 13);
  doc.moveDown(0.3);
  write(`Exported ${history.exportedAt} from the overdue ledger.`, REGULAR, 9, GREY);
  doc.moveDown(0.6);
  const { chain } = history;
  if (chain.ok) {
    write(
      `Audit chain intact at export: ${chain.sealed} sealed entries${chain.unsealed ? `, ${chain.unsealed} not sealed yet` : ""}.`,
      BOLD,
      10,
    );
  } else {
    write(`Audit chain BROKEN at export: ${chain.firstBroken?.problem ?? ""}`, BOLD, 10, RED);
  }
  if (chain.head) write(`Head: seq ${chain.head.seq}, SHA-256 ${chain.head.hash}`, MONO, 8);
  const { retention } = history;
  if (retention.keepAtLeastUntil) {
    write(
      `Keep these records at least until ${retention.keepAtLeastUntil}: ${retention.years} years after the last entry, under rule profile ${retention.profile}.`,
      REGULAR,
      9,
    );
  }

  heading("Customer");
  for (const line of [
    `${customer.kind}, ${customer.country}, language ${customer.language}${customer.timezone ? `, ${customer.timezone}` : ""}`,
    customer.addressLines.join(", "),
    [customer.email, customer.phone].filter(Boolean).join(", "),
    customer.collectorId ? `collector ${customer.collectorId}` : "",
    customer.risk ? `risk ${customer.risk}` : "",
    `in the ledger since ${customer.createdAt}, last changed ${customer.updatedAt}`,
  ]) {
    if (line) write(line);
  }

  heading(`Log (${history.entries.length} entries, in time order)`);
  if (history.entries.length === 0) write("Nothing logged.");
  for (const entry of history.entries) logEntry(doc, entry, width);

  heading(`Invoices (${history.invoices.length})`);
  for (const invoice of history.invoices) {
    write(
      `${invoice.number}: issued ${invoice.issueDate}, due ${invoice.dueDate}, ${invoice.amount} ${invoice.currency}, open ${invoice.open}, ${invoice.status}`,
      BOLD,
      9,
    );
    for (const a of invoice.allocations) {
      write(`    paid ${a.amount} on ${a.date} by payment ${a.paymentId}`, REGULAR, 9);
    }
  }
  section(history.payments, `Payments (${history.payments.length})`, (p) =>
    [
      `${p.date}  ${p.kind} ${p.id}: ${p.amount} ${p.currency}`,
      p.invoiceId ? `for ${p.invoiceId}` : "",
      Number(p.unallocated) !== 0 ? `credit left ${p.unallocated}` : "",
      p.reference ? `ref. ${p.reference}` : "",
    ]
      .filter(Boolean)
      .join(", "),
  );
  section(
    history.promises,
    `Promises (${history.promises.length})`,
    (p) =>
      `${p.takenAt}  ${p.invoice}: ${p.amount === null ? "the open balance" : `${p.amount} ${p.currency}`} by ${p.promisedOn}, taken by ${p.takenBy}${p.channel ? ` (${p.channel})` : ""}: ${p.status}`,
  );
  section(
    history.disputes,
    `Disputes (${history.disputes.length})`,
    (d) =>
      `${d.openedAt}  ${d.invoice}: ${d.reason}, opened by ${d.openedBy}: ${d.status}${d.closedAt ? ` ${d.closedAt} (${d.resolution ?? ""})` : ""}`,
  );
  section(
    history.closures,
    `Closures (${history.closures.length})`,
    (c) =>
      `${c.at}  ${c.invoiceId}: ${c.kind}${c.agency ? ` with ${c.agency}` : ""} by ${c.by} (${c.reason})`,
  );
  section(
    history.contactStops,
    `Contact stops (${history.contactStops.length})`,
    (s) => `${s.at}  ${s.channel === "*" ? "all contact" : s.channel}`,
  );

  footers(doc, `${customer.id}, exported ${history.exportedAt}`);
  doc.end();
  return done;

  function section<T>(items: readonly T[], title: string, line: (item: T) => string) {
    if (items.length === 0) return;
    heading(title);
    for (const item of items) write(line(item), REGULAR, 9);
  }
}

/** One entry: a bold line with when, what and who, the chain position, then the reason. */
function logEntry(doc: PDFKit.PDFDocument, entry: HistoryEntry, width: number): void {
  // Keep an entry's lines together: start a new page when fewer than three lines are left.
  if (doc.y + 36 > doc.page.height - PAGE.bottom) doc.addPage();
  const what = [
    entry.at,
    entry.status,
    entry.channel ?? "",
    entry.rule,
    `by ${entry.actor ?? "(not recorded)"}`,
  ]
    .filter(Boolean)
    .join("  ");
  doc.font(BOLD).fontSize(9).fillColor("black");
  doc.text(pdfText(what), PAGE.left, doc.y, { width });
  doc.font(REGULAR).fontSize(9);
  const about = [
    entry.invoiceId ? `invoice ${entry.invoiceId}` : "",
    entry.contactId ? `contact ${entry.contactId}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  doc.text(pdfText(`${about ? `${about}: ` : ""}${entry.reason}`), PAGE.left + mm(4), doc.y, {
    width: width - mm(4),
  });
  doc.font(MONO).fontSize(7.5).fillColor(GREY);
  const chained =
    entry.seq === null
      ? `log id ${entry.logId}, not sealed yet`
      : `seq ${entry.seq}, log id ${entry.logId}, hash ${(entry.hash ?? "").slice(0, 16)}`;
  doc.text(pdfText(chained), PAGE.left + mm(4), doc.y, { width: width - mm(4) });
  doc.fillColor("black");
  doc.moveDown(0.4);
}

function footers(doc: PDFKit.PDFDocument, label: string): void {
  const range = doc.bufferedPageRange();
  const width = doc.page.width - PAGE.left - PAGE.right;
  for (let index = range.start; index < range.start + range.count; index++) {
    doc.switchToPage(index);
    // Writing below the bottom margin would make pdfkit start a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - mm(12);
    doc.font(REGULAR).fontSize(7.5).fillColor(GREY);
    doc.text(pdfText(label).slice(0, 90), PAGE.left, y, {
      width: width - mm(30),
      lineBreak: false,
    });
    doc.text(`Page ${index - range.start + 1} of ${range.count}`, PAGE.left, y, {
      width,
      align: "right",
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
}
