import type { InvoicesTable } from "../../db/schema.js";
import type { CalendarDate } from "../../kernel/calendar-date.js";
import type { AllocatableInvoice } from "../domain/allocation.js";

/** Fully paid invoices are "paid"; anything with money still open is "open". */
export function invoiceStatus(openMinor: bigint): "open" | "paid" {
  return openMinor > 0n ? "open" : "paid";
}

/** What the allocator needs from a stored invoice. */
export function allocatable(invoice: InvoicesTable): AllocatableInvoice {
  return {
    id: invoice.id,
    issueDate: invoice.issue_date as CalendarDate,
    dueDate: invoice.due_date as CalendarDate,
    openMinor: invoice.open_minor,
  };
}

/** Takes a payment dated `date` off an invoice row held in memory, and notes the date. */
export function applyToInvoice(invoice: InvoicesTable, minor: bigint, date: string): void {
  invoice.open_minor -= minor;
  if (!invoice.last_allocation_on || invoice.last_allocation_on < date) {
    invoice.last_allocation_on = date;
  }
}
