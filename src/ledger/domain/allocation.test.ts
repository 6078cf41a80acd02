import { describe, expect, it } from "vitest";
import { calendarDate } from "../../kernel/calendar-date.js";
import { type AllocatableInvoice, allocate } from "./allocation.js";

const invoice = (id: string, issue: string, due: string, open: bigint): AllocatableInvoice => ({
  id,
  issueDate: calendarDate(issue),
  dueDate: calendarDate(due),
  openMinor: open,
});

describe("allocate", () => {
  const invoices = [
    invoice("B", "2026-01-05", "2026-02-04", 1000n),
    invoice("A", "2026-01-01", "2026-02-04", 500n),
    invoice("C", "2026-01-01", "2026-01-31", 300n),
    invoice("D", "2026-01-01", "2026-02-04", 200n),
  ];

  it("pays the oldest due date first, then the oldest issue date, then the invoice id", () => {
    expect(allocate(1200n, invoices, null)).toEqual({
      allocations: [
        { invoiceId: "C", minor: 300n },
        { invoiceId: "A", minor: 500n },
        { invoiceId: "D", minor: 200n },
        { invoiceId: "B", minor: 200n },
      ],
      unallocatedMinor: 0n,
    });
  });

  it("keeps an over-payment as credit", () => {
    const result = allocate(2500n, invoices, null);
    expect(result.allocations.reduce((sum, a) => sum + a.minor, 0n)).toBe(2000n);
    expect(result.unallocatedMinor).toBe(500n);
  });

  it("pays only the invoice the payer named, and keeps the rest as credit", () => {
    expect(allocate(1500n, invoices, "B")).toEqual({
      allocations: [{ invoiceId: "B", minor: 1000n }],
      unallocatedMinor: 500n,
    });
  });

  it("skips invoices that are already paid", () => {
    expect(
      allocate(100n, [invoice("P", "2025-01-01", "2025-01-02", 0n), ...invoices], null).allocations,
    ).toEqual([{ invoiceId: "C", minor: 100n }]);
  });
});
