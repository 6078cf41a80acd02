import { calendarDate } from "../../kernel/calendar-date.js";
import type { MessageInput } from "./message.js";

/**
 * A contact with every optional value present, two currencies and an invoice not yet due.
 * The library renders each template with it on load, so a broken template fails at start-up
 * rather than in the middle of a run; it is also a starting point for previews and tests.
 */
export const sampleMessageInput: MessageInput = {
  language: "en-GB",
  channel: "letter",
  tone: 2,
  sender: {
    name: "Nordic Tools AB",
    addressLines: ["Storgatan 1", "111 22 Stockholm", "Sweden"],
    email: "accounts@nordictools.example",
    phone: "+46 8 123 45 67",
    paymentInstructions: "Bankgiro 5050-1055\nIBAN SE45 5000 0000 0583 9825 7466",
  },
  recipient: {
    name: "Acme Trading Ltd",
    addressLines: ["Attn. Accounts Payable", "12 High Street", "Leeds LS1 4AB"],
    email: "ap@acme.example",
    phone: "+44 113 496 0000",
  },
  invoices: [
    {
      number: "F-1001",
      issueDate: calendarDate("2026-09-01"),
      dueDate: calendarDate("2026-10-01"),
      openMinor: 123450n,
      currency: "SEK",
      stepId: "second",
      tone: 2,
      daysOverdue: 55,
    },
    {
      number: "F-1017",
      issueDate: calendarDate("2026-10-20"),
      dueDate: calendarDate("2026-11-19"),
      openMinor: 20000n,
      currency: "EUR",
      stepId: "friendly",
      tone: 1,
      daysOverdue: 6,
    },
    {
      number: "F-1032",
      issueDate: calendarDate("2026-11-10"),
      dueDate: calendarDate("2026-12-10"),
      openMinor: 99900n,
      currency: "SEK",
      stepId: "courtesy",
      tone: 1,
      daysOverdue: -15,
    },
  ],
  date: calendarDate("2026-11-25"),
  reference: "4711 0815",
  documentId: "C-2026-000123",
};
