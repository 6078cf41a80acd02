import type { CalendarDate } from "../../kernel/calendar-date.js";

/** What the allocator needs to know of an invoice that may take money. */
export type AllocatableInvoice = {
  readonly id: string;
  readonly issueDate: CalendarDate;
  readonly dueDate: CalendarDate;
  readonly openMinor: bigint;
};

export type Allocation = { readonly invoiceId: string; readonly minor: bigint };

export type AllocationResult = {
  readonly allocations: readonly Allocation[];
  /** Over-payment, kept as the customer's credit. */
  readonly unallocatedMinor: bigint;
};

/** Oldest due date first, then oldest issue date, then invoice id: the order money is applied in. */
export function compareForAllocation(a: AllocatableInvoice, b: AllocatableInvoice): number {
  if (a.dueDate !== b.dueDate) return a.dueDate < b.dueDate ? -1 : 1;
  if (a.issueDate !== b.issueDate) return a.issueDate < b.issueDate ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Applies `amountMinor` to `invoices` (which must already be one customer's, in one currency):
 * to the named invoice only when the payer named one, else to every open invoice in
 * allocation order. Whatever is left over stays unallocated as customer credit.
 */
export function allocate(
  amountMinor: bigint,
  invoices: readonly AllocatableInvoice[],
  namedInvoiceId: string | null,
): AllocationResult {
  const targets = namedInvoiceId
    ? invoices.filter((invoice) => invoice.id === namedInvoiceId)
    : [...invoices].sort(compareForAllocation);
  const allocations: Allocation[] = [];
  let left = amountMinor;
  for (const invoice of targets) {
    if (left <= 0n) break;
    if (invoice.openMinor <= 0n) continue;
    // biome-ignore lint/complexity/useMathMinMax: Math.min does not take bigints
    const minor = invoice.openMinor < left ? invoice.openMinor : left;
    allocations.push({ invoiceId: invoice.id, minor });
    left -= minor;
  }
  return { allocations, unallocatedMinor: left };
}
