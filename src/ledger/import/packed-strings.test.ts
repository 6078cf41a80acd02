import { describe, expect, it } from "vitest";
import { calendarDate } from "../../kernel/calendar-date.js";
import { currency } from "../../kernel/money.js";
import { type InvoiceRow, invoiceCodec } from "./invoice-rows.js";
import { StringPacker, StringUnpacker } from "./packed-strings.js";

describe("packed strings", () => {
  it("give back every string, empty and non-ASCII ones included, in order", () => {
    const values = ["", "INV-1", "Älvdal AB", "", "日本", 'a,b\n"c"', "x"];
    const packer = new StringPacker();
    for (const value of values) packer.add(value);
    const unpacker = new StringUnpacker(packer.packed());
    expect(values.map(() => unpacker.next())).toEqual(values);
  });
});

describe("the invoice codec", () => {
  const row = (id: string, number: string, amountMinor: bigint): InvoiceRow => ({
    id,
    customerId: "C1",
    number,
    issueDate: calendarDate("2026-01-31"),
    dueDate: calendarDate("2026-03-02"),
    currency: currency("SEK"),
    amountMinor,
  });

  it("round-trips rows over several batches, with a number of their own or the id", () => {
    const [sender, receiver] = [invoiceCodec(), invoiceCodec()];
    const first = [row("INV-1", "INV-1", 1n), row("Ö-2", "F 2026/2", 9_223_372_036_854_775_807n)];
    const second = [{ ...row("INV-3", "INV-3", 5n), customerId: "C2" }, row("INV-4", "INV-4", 7n)];
    const firstOut = receiver.unpack(sender.pack(first));
    expect(firstOut).toEqual(first);
    const secondOut = receiver.unpack(sender.pack(second));
    expect(secondOut).toEqual(second);
    // One string per customer on the receiving side, whichever batch it came in.
    expect(secondOut[1]?.customerId).toBe(firstOut[0]?.customerId);
  });

  it("declines an amount beyond 64 bits, which then crosses as it is", () => {
    expect(invoiceCodec().pack([row("INV-1", "INV-1", 2n ** 63n)])).toBeUndefined();
  });
});
