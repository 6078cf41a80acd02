import type { Database } from "../db/database.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import { type ChaseCustomer, type ChaseInvoice, planRun, type RunPlan } from "./domain/plan-run.js";
import type { Policy } from "./domain/policy.js";

/**
 * What the daily run would send on `asOf`, read from the ledger. Nothing has been sent yet
 * in this version (the outbox comes next), so every invoice starts at the first step and no
 * invoice is on hold.
 */
export async function planDailyRun(
  database: Database,
  asOf: CalendarDate,
  policy: Policy,
  isBusinessDay: (country: string, date: CalendarDate) => boolean,
): Promise<RunPlan> {
  const { db } = database;
  const customerRows = await db
    .selectFrom("customers")
    .select(["id", "country", "email", "phone", "address_line1", "postal_code", "city"])
    .execute();
  const customers = new Map<string, ChaseCustomer>(
    customerRows.map((c) => [
      c.id,
      {
        id: c.id,
        country: c.country,
        email: c.email,
        phone: c.phone,
        hasPostalAddress: Boolean(c.address_line1 && c.city),
        optedOut: new Set(),
        ceased: false,
      },
    ]),
  );
  const invoiceRows = await db
    .selectFrom("invoices")
    .select(["id", "number", "customer_id", "currency", "due_date", "open_minor"])
    .where("open_minor", ">", 0n)
    .where("issue_date", "<=", asOf)
    .orderBy("customer_id")
    .orderBy("due_date")
    .orderBy("id")
    .execute();
  const invoices: ChaseInvoice[] = invoiceRows.map((i) => ({
    id: i.id,
    number: i.number,
    customerId: i.customer_id,
    currency: i.currency,
    dueDate: i.due_date as CalendarDate,
    openMinor: i.open_minor,
    progress: { lastStepIndex: -1, lastContactOn: null },
    holds: [],
  }));
  return planRun({ asOf, customers, invoices, policyFor: () => policy, isBusinessDay });
}
