import type { Kysely } from "kysely";
import type { LedgerSchema } from "../db/schema.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import type { CustomerKind } from "../ledger/domain/customer.js";
import {
  type ChaseCustomer,
  type ChaseInvoice,
  type Hold,
  type InvoiceProgress,
  planRun,
  type RunPlan,
} from "./domain/plan-run.js";
import { CHANNELS, type Channel, type PolicySet, policyFor } from "./domain/policy.js";

/** Outbox states that count as the step having been taken. */
export const TAKEN_STATUSES = ["sent", "in_doubt"] as const;
/** Outbox states of a contact still on its way out. */
export const PENDING_STATUSES = ["awaiting_approval", "planned", "sending"] as const;

/** What the daily run would send on `asOf`, from the ledger, the outbox and the holds. */
export async function planDailyRun(
  db: Kysely<LedgerSchema>,
  asOf: CalendarDate,
  policies: PolicySet,
  isBusinessDay: (country: string, date: CalendarDate) => boolean,
  only: { customerId?: string } = {},
): Promise<RunPlan> {
  const customers = await chaseCustomers(db, only.customerId);
  const invoices = await chaseInvoices(db, asOf, only.customerId);
  return planRun({
    asOf,
    customers,
    invoices,
    policyFor: (customer) => policyFor(policies, customer),
    isBusinessDay,
  });
}

async function chaseCustomers(
  db: Kysely<LedgerSchema>,
  customerId: string | undefined,
): Promise<Map<string, ChaseCustomer>> {
  let query = db
    .selectFrom("customers")
    .select(["id", "kind", "country", "email", "phone", "address_line1", "city"]);
  if (customerId !== undefined) query = query.where("id", "=", customerId);
  const rows = await query.execute();
  const stops = await db.selectFrom("contact_stops").select(["customer_id", "channel"]).execute();
  const stopped = new Map<string, Set<string>>();
  for (const stop of stops) {
    const set = stopped.get(stop.customer_id) ?? new Set();
    set.add(stop.channel);
    stopped.set(stop.customer_id, set);
  }
  return new Map(
    rows.map((c) => {
      const stop = stopped.get(c.id);
      return [
        c.id,
        {
          id: c.id,
          kind: c.kind as CustomerKind,
          country: c.country,
          email: c.email,
          phone: c.phone,
          hasPostalAddress: Boolean(c.address_line1 && c.city),
          optedOut: new Set(CHANNELS.filter((channel: Channel) => stop?.has(channel))),
          ceased: stop?.has("*") ?? false,
        },
      ];
    }),
  );
}

async function chaseInvoices(
  db: Kysely<LedgerSchema>,
  asOf: CalendarDate,
  customerId: string | undefined,
) {
  const progress = await invoiceProgress(db);
  const holds = await openHolds(db);
  let query = db
    .selectFrom("invoices")
    .select(["id", "number", "customer_id", "currency", "due_date", "open_minor"])
    .where("open_minor", ">", 0n)
    .where("issue_date", "<=", asOf);
  if (customerId !== undefined) query = query.where("customer_id", "=", customerId);
  const rows = await query.orderBy("customer_id").orderBy("due_date").orderBy("id").execute();
  return rows.map(
    (i): ChaseInvoice => ({
      id: i.id,
      number: i.number,
      customerId: i.customer_id,
      currency: i.currency,
      dueDate: i.due_date as CalendarDate,
      openMinor: i.open_minor,
      progress: progress.get(i.id) ?? NOT_STARTED,
      holds: holds.get(i.id) ?? [],
    }),
  );
}

const NOT_STARTED: InvoiceProgress = { lastStepIndex: -1, lastContactOn: null, pending: false };

/** Per invoice: the last step taken, the day of the last contact, and whether one is waiting. */
async function invoiceProgress(db: Kysely<LedgerSchema>): Promise<Map<string, InvoiceProgress>> {
  const rows = await db
    .selectFrom("outbox_items as item")
    .innerJoin("outbox", "outbox.id", "item.outbox_id")
    .select(["item.invoice_id", "item.step_index", "outbox.status", "outbox.as_of"])
    .where("outbox.status", "in", [...TAKEN_STATUSES, ...PENDING_STATUSES])
    .execute();
  const progress = new Map<string, InvoiceProgress>();
  for (const row of rows) {
    const current = progress.get(row.invoice_id) ?? NOT_STARTED;
    const taken = (TAKEN_STATUSES as readonly string[]).includes(row.status);
    const asOf = row.as_of as CalendarDate;
    progress.set(row.invoice_id, {
      lastStepIndex: taken
        ? Math.max(current.lastStepIndex, Number(row.step_index))
        : current.lastStepIndex,
      lastContactOn:
        taken && (current.lastContactOn === null || asOf > current.lastContactOn)
          ? asOf
          : current.lastContactOn,
      pending: current.pending || !taken,
    });
  }
  return progress;
}

/** Open disputes, open promises and closures, per invoice. They bind whatever the run's as-of date. */
async function openHolds(db: Kysely<LedgerSchema>): Promise<Map<string, Hold[]>> {
  const holds = new Map<string, Hold[]>();
  const add = (invoiceId: string, hold: Hold) => {
    const list = holds.get(invoiceId) ?? [];
    list.push(hold);
    holds.set(invoiceId, list);
  };
  const disputes = await db
    .selectFrom("disputes")
    .select(["invoice_id", "reason"])
    .where("status", "=", "open")
    .execute();
  for (const d of disputes)
    add(d.invoice_id, { kind: "dispute", until: null, reason: `disputed: ${d.reason}` });
  const promises = await db
    .selectFrom("promises")
    .select(["invoice_id", "promised_on"])
    .where("status", "=", "open")
    .execute();
  for (const p of promises) {
    add(p.invoice_id, {
      kind: "promise",
      until: p.promised_on as CalendarDate,
      reason: `promised to pay by ${p.promised_on}`,
    });
  }
  const closures = await db
    .selectFrom("closures")
    .select(["invoice_id", "kind", "agency", "reason"])
    .execute();
  for (const c of closures) {
    add(c.invoice_id, {
      kind: c.kind === "placed" ? "placed" : "written_off",
      until: null,
      reason:
        c.kind === "placed" ? `placed with ${c.agency}: ${c.reason}` : `written off: ${c.reason}`,
    });
  }
  return holds;
}
